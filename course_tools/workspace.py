"""The student's own copy of the course: `my-work/`, and keeping it up to date.

The notebooks in notebooks/ are the course's reference: nbval compares against
them and maintainers refresh them. Students work in `my-work/` (ignored by git),
which holds a copy of every lesson (and, under `my-work/solutions/`, every
solution) with its stored outputs. Jupytext pairing is switched off in those
copies, so a save in JupyterLab writes only the student's `.ipynb`.

`my-work/.course-manifest.json` records the SHA-256 of each file as the course
wrote it. A file whose content still has that hash is the course's and may be
replaced by a newer version; any other content is the student's and is never
overwritten: the new version goes beside it. Content decides, never timestamps.

    python course.py update          fetch the course (fast-forward only), then sync my-work/
    python course.py reset NN_name   a fresh copy of one lesson (the old one is kept, dated)
    python course.py lab [--reference]   JupyterLab on my-work/ (or on notebooks/)

Every file is written atomically, and the manifest entry of a file only after
the file itself: an update interrupted anywhere leaves every notebook whole,
and running it again finishes the job.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from . import ROOT
from .files import write_atomic

WORK_DIR = "my-work"
MANIFEST = ".course-manifest.json"
LOCK = ".course-lab.lock"  # held by the running `course.py lab` server (POSIX)
NOT_SYNCED = "not synced"


def work_folder(course: Path = ROOT) -> Path:
    return Path(course) / WORK_DIR


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


# --- what the course offers ----------------------------------------------------------


def course_notebooks(course: Path = ROOT) -> dict[str, Path]:
    """Every lesson and solution notebook of the course: name in my-work/ -> its source.

    Lessons go to the top of my-work/, solutions to my-work/solutions/.
    """
    notebooks = Path(course) / "notebooks"
    found = {}
    for source in sorted(notebooks.rglob("*.ipynb")):
        relative = source.relative_to(notebooks)
        if not any(part.startswith(".") for part in relative.parts):  # checkpoints
            found[relative.as_posix()] = source
    return found


def student_copy(source: Path) -> bytes:
    """The course notebook as the student gets it: outputs kept, jupytext pairing removed.

    The reference notebooks carry `metadata.jupytext.formats = "ipynb,py:percent"`,
    which makes JupyterLab's jupytext write a .py beside the notebook on every save.
    """
    notebook = json.loads(source.read_text(encoding="utf-8"))
    notebook.get("metadata", {}).pop("jupytext", None)
    # The layout nbformat writes, so a save from JupyterLab changes only what changed.
    return (json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the manifest ----------------------------------------------------------------------


class Manifest:
    """name -> {"copied": sha of what the course put in the student's file,
                "course": sha of the newest course version handed out (there or beside)}."""

    def __init__(self, work: Path):
        self.path = work / MANIFEST
        try:
            self.files = json.loads(self.path.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            # No (readable) record: every file present counts as the student's, so
            # nothing is overwritten; new versions go beside them.
            self.files = {}

    def get(self, name: str, key: str) -> str | None:
        return self.files.get(name, {}).get(key)

    def record(self, name: str, **hashes: str) -> None:
        self.files.setdefault(name, {}).update(hashes)
        note = ("Written by course.py: the content the course put in my-work/, to tell "
                "your changes from the course's. Deleting it makes every lesson count as yours.")
        write_atomic(self.path, json.dumps({"about": note, "files": self.files}, indent=1,
                                           sort_keys=True) + "\n")


# --- syncing my-work/ -------------------------------------------------------------------


def display(name: str) -> str:
    return name.removesuffix(".ipynb")


def beside_name(target: Path, label: str, content: bytes) -> Path:
    """A free name next to `target` that says what it is; an identical file is reused
    (an update interrupted after writing it must not add a second copy)."""
    for n in range(1, 1000):
        suffix = f" ({label})" if n == 1 else f" ({label}, {n})"
        candidate = target.with_name(f"{target.stem}{suffix}{target.suffix}")
        if not candidate.exists() or candidate.read_bytes() == content:
            return candidate
    raise RuntimeError(f"no free name for a copy of {target.name}")


def sync_one(name: str, source: Path, work: Path, manifest: Manifest, today: str) -> str:
    """Bring one course notebook into my-work/; return what happened, in words."""
    try:
        new = student_copy(source)
    except (OSError, ValueError) as error:  # e.g. git conflict markers in the course's file
        return (f"{NOT_SYNCED}: the course's {source.parent.name}/{source.name} is not a "
                f"readable notebook ({type(error).__name__}); `git status` shows it")
    new_hash = sha256(new)
    target = work / name
    if not target.exists():
        outcome = "added" if name not in manifest.files else "added again (it was missing)"
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, new)
        manifest.record(name, copied=new_hash, course=new_hash)
        return outcome
    current = sha256(target.read_bytes())
    if current == new_hash:
        if manifest.get(name, "copied") != new_hash or manifest.get(name, "course") != new_hash:
            manifest.record(name, copied=new_hash, course=new_hash)
        return "up to date"
    if current == manifest.get(name, "copied"):  # untouched by the student
        write_atomic(target, new)
        manifest.record(name, copied=new_hash, course=new_hash)
        return "updated to the new version"
    if manifest.get(name, "course") == new_hash:
        return "yours, kept (no course change since)"
    beside = beside_name(target, f"course update {today}", new)
    write_atomic(beside, new)
    manifest.record(name, course=new_hash)
    return f'yours, kept; the new version is beside it: "{beside.name}"'


def sync(course: Path = ROOT, work: Path | None = None, today: str | None = None,
         report: Callable[[str], None] = say) -> dict[str, str]:
    """Bring my-work/ up to date with the course's notebooks; one report line per lesson."""
    work = Path(work) if work is not None else work_folder(course)
    work.mkdir(parents=True, exist_ok=True)
    today = today or datetime.date.today().isoformat()
    manifest = Manifest(work)
    offered = course_notebooks(course)
    outcomes = {}
    for name, source in offered.items():
        outcomes[name] = sync_one(name, source, work, manifest, today)
    for name in sorted(set(manifest.files) - set(offered)):
        if (work / name).exists():
            outcomes[name] = "kept (no longer part of the course)"
    width = max(map(len, map(display, outcomes)), default=0)
    for name, outcome in outcomes.items():
        report(f"my-work: {display(name):<{width}}  {outcome}")
    return outcomes


def ensure(course: Path = ROOT) -> Path:
    """my-work/, created (filled from the course) on first use."""
    work = work_folder(course)
    if not (work / MANIFEST).exists() and not any(
        (work / name).exists() for name in course_notebooks(course)
    ):
        sync(course, work, report=lambda line: None)
        say(f"created {WORK_DIR}/: your own copy of every lesson (solutions in "
            f"{WORK_DIR}/solutions/)")
    elif pending(course, work):
        say("the course has changes your my-work/ does not have yet: "
            "run `python course.py update`")
    return work


def pending(course: Path, work: Path) -> list[str]:
    """Course notebooks whose current version my-work/ has not been given yet."""
    manifest = Manifest(work)
    waiting = []
    for name, source in course_notebooks(course).items():
        try:
            offered = sha256(student_copy(source))
        except (OSError, ValueError):
            offered = None  # unreadable: `update` names it
        if offered is not None and manifest.get(name, "course") != offered:
            waiting.append(name)
    return waiting


# --- reset --------------------------------------------------------------------------------


def resolve(name: str, offered: dict[str, Path]) -> str | None:
    """'04_backprop_by_hand', '04_backprop_by_hand.ipynb', 'my-work/04_….ipynb',
    'solutions/04_…_solutions' -> the notebook's name in my-work/ (None if not `offered`)."""
    cleaned = name.replace("\\", "/").strip()
    for prefix in ("./", f"{WORK_DIR}/", "notebooks/"):
        cleaned = cleaned.removeprefix(prefix)
    cleaned = cleaned.removesuffix(".ipynb").removesuffix(".py") + ".ipynb"
    return cleaned if cleaned in offered else None


def reset(name: str, course: Path = ROOT, now: datetime.datetime | None = None) -> int:
    offered = course_notebooks(course)
    resolved = resolve(name, offered)
    if resolved is None:
        names = ", ".join(display(n) for n in offered)
        print(f"No lesson named {name!r}. Lessons: {names}", file=sys.stderr)
        return 2
    work = work_folder(course)
    manifest = Manifest(work)
    target = work / resolved
    source = offered[resolved]
    try:
        fresh = student_copy(source)
    except (OSError, ValueError) as error:
        print(f"The course's notebooks/{resolved} is not a readable notebook "
              f"({type(error).__name__}); `git status` shows it. Nothing changed.",
              file=sys.stderr)
        return 1
    kept = None
    if target.exists():
        old = target.read_bytes()
        if old != fresh and sha256(old) != manifest.get(resolved, "copied"):
            # The student's work: copy it away first, so no moment is without it.
            stamp = (now or datetime.datetime.now()).strftime("%Y-%m-%d %H.%M")
            kept = beside_name(target, f"my copy before reset {stamp}", old)
            write_atomic(kept, old)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, fresh)
    manifest.record(resolved, copied=sha256(fresh), course=sha256(fresh))
    where = f'; your copy is kept as "{kept.name}"' if kept else ""
    say(f"my-work: {display(resolved)}  fresh copy of the course's version{where}")
    return 0


# --- bringing the course folder itself up to date -------------------------------------------


def git(course: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")  # never ask for a password
    return subprocess.run(["git", *args], cwd=course, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", env=env, timeout=timeout)


def update_course(course: Path = ROOT) -> str:
    """Fast-forward the course folder to its upstream if it can; one line saying what happened."""
    course = Path(course).resolve()
    try:
        top = git(course, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.TimeoutExpired):
        return "course: not updated: git is not installed (the course folder stays as it is)"
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != course:
        return ("course: not updated: this folder is not a git clone of the course "
                "(download a new copy to get a newer course)")
    upstream = git(course, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}")
    if upstream.returncode != 0:
        return ("course: not updated: the current branch has no upstream to update from "
                "(git branch --set-upstream-to=origin/main)")
    upstream_name = upstream.stdout.strip()
    remote = upstream_name.split("/")[0]
    try:
        fetched = git(course, "fetch", "--quiet", remote, timeout=120)
    except subprocess.TimeoutExpired:
        fetched = None
    if fetched is None or fetched.returncode != 0:
        url = git(course, "remote", "get-url", remote).stdout.strip()
        return (f"course: not updated: could not reach {remote} ({url}); offline? "
                "my-work/ is synced with the course as it is here")
    before = git(course, "rev-parse", "--short", "HEAD").stdout.strip()
    merged = git(course, "merge", "--ff-only", "--quiet", "@{u}")
    if merged.returncode != 0:
        if git(course, "merge-base", "--is-ancestor", "HEAD", "@{u}").returncode != 0:
            return (f"course: not updated: the course folder has commits of its own that "
                    f"{upstream_name} does not have, so it cannot fast-forward")
        return ("course: not updated: files of the course folder itself were changed here "
                "(`git status` lists them; your work belongs in my-work/)")
    after = git(course, "rev-parse", "--short", "HEAD").stdout.strip()
    if after == before:
        return f"course: already up to date with {upstream_name}"
    return f"course: updated {before}..{after} from {upstream_name}"


def update(course: Path = ROOT) -> int:
    say(update_course(course))
    outcomes = sync(course)
    return 1 if any(o.startswith(NOT_SYNCED) for o in outcomes.values()) else 0


# --- JupyterLab -------------------------------------------------------------------------------


def lab_arguments(root: Path) -> list[str]:
    """`jupyter lab` settings of `course.py lab`: localhost only, token on (Jupyter's default)."""
    args = ["--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")  # containers and CI machines often run as root
    return args


def running_server(root: Path) -> str | None:
    """The address (with token) of a live Jupyter server rooted at `root`, if any.

    Jupyter writes a server-info file per server into its runtime folder; a file
    left by a server that died is skipped, since nothing answers at its address.
    (Reading the files ourselves, not through jupyter_server, which takes seconds
    to import, keeps `course.py lab` quick to start.)"""
    from jupyter_core.paths import jupyter_runtime_dir

    wanted = Path(root).resolve()
    for server_file in sorted(Path(jupyter_runtime_dir()).glob("jpserver-*.json")):
        try:
            info = json.loads(server_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if Path(info.get("root_dir", "")).resolve() != wanted:
            continue
        url = info["url"].rstrip("/")
        token = info.get("token", "")
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=3).close()
        except (urllib.error.URLError, OSError):
            continue  # nothing answers there: the file is stale
        return f"{url}/lab?token={token}" if token else f"{url}/lab"


def hold_lab_lock(root: Path) -> bool:
    """Take a lock that the server we exec into keeps until it exits (POSIX only).

    Closes the gap between two `course.py lab` started together: neither has
    written its server-info file yet. Returns False if another one holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: the server-info check alone
        return True
    descriptor = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        return False
    os.set_inheritable(descriptor, True)  # survives os.execv: released when jupyter exits
    return True


def lab(argv: list[str], course: Path = ROOT) -> int:
    reference = "--reference" in argv
    extra = [a for a in argv if a != "--reference"]
    root = Path(course) / "notebooks" if reference else ensure(course)
    what = "the reference notebooks (notebooks/)" if reference else f"{WORK_DIR}/"
    address = running_server(root)
    if address is None and not hold_lab_lock(root):
        for _ in range(40):  # the other one is starting: wait for its address
            time.sleep(0.5)
            if (address := running_server(root)) is not None:
                break
        address = address or "(still starting; run this again in a moment to see it)"
    if address is not None:
        say(f"a course server is already running for {what}: open {address}")
        return 0
    say(f"opening JupyterLab on {what}")
    jupyter = str(Path(sys.executable).with_name("jupyter"))
    command = [jupyter, "lab", *lab_arguments(root), *extra]
    if os.name == "posix":  # become the server: Ctrl+C and kill reach Jupyter itself
        os.execv(command[0], command)
    return subprocess.run(command, cwd=course).returncode


# --- command line ------------------------------------------------------------------------------


def main(argv: list[str], course: Path = ROOT) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    try:
        if command == "update" and not rest:
            return update(course)
        if command == "reset" and len(rest) == 1:
            return reset(rest[0], course)
    except KeyboardInterrupt:  # every file is whole (atomic writes): say so, in one line
        say(f"{command} interrupted: every file in {WORK_DIR}/ is whole; run "
            f"`python course.py {' '.join(argv)}` again to finish")
        return 130
    if command == "lab":
        return lab(rest, course)
    print("usage: python course.py update | reset NN_name | lab [--reference]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
