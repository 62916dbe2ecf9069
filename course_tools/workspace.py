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
    python course.py lab --lang zh-CN    the Chinese edition in my-work/ (remembered)

Every file is written atomically, and the manifest entry of a file only after
the file itself: an update interrupted anywhere leaves every notebook whole,
and running it again finishes the job.
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from . import ROOT, language, platforms
from .files import is_stale, write_atomic

WORK_DIR = "my-work"
MANIFEST = ".course-manifest.json"
LOCK = ".course-lab.lock"  # held by the running `course.py lab` server (POSIX)
NOT_SYNCED = "not synced"
PARTIAL = ".my-work.partial-"  # my-work/ being created, renamed into place when whole


class NotANotebook(ValueError):
    """Valid JSON that is not a notebook (a list, `"metadata": null`, ...)."""


def work_folder(course: Path = ROOT) -> Path:
    return Path(course) / WORK_DIR


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


# --- what the course offers ----------------------------------------------------------


def course_notebooks(course: Path = ROOT, lang: str | None = None) -> dict[str, Path]:
    """Every lesson and solution notebook of the course: name in my-work/ -> its source.

    Lessons go to the top of my-work/, solutions to my-work/solutions/, in the
    student's language (`lang`, default: course_language): a Chinese student's
    04_backprop_by_hand.ipynb is notebooks/zh-CN/04_backprop_by_hand.ipynb.
    """
    notebooks = Path(course) / "notebooks"
    lang = lang or course_language(course)
    found = {}
    for source in sorted(notebooks.rglob("*.ipynb")):
        relative = source.relative_to(notebooks)
        if any(part.startswith(".") for part in relative.parts):  # checkpoints
            continue
        if relative.parts[0] in language.LANGUAGES:  # an edition: offered in its language
            continue
        edition = notebooks / lang / relative if lang != "en" else source
        found[relative.as_posix()] = edition if edition.exists() else source
    return found


def course_language(course: Path = ROOT) -> str:
    """The language of my-work/: this run's --lang, else the remembered one, else the
    system's locale."""
    asked = os.environ.get(language.ENV_VAR, "").strip()
    return language.normalise(asked) if asked else language.choose(work_folder(course))


def student_copy(source: Path) -> bytes:
    """The course notebook as the student gets it: outputs kept, jupytext pairing removed.

    The reference notebooks carry `metadata.jupytext.formats = "ipynb,py:percent"`,
    which makes JupyterLab's jupytext write a .py beside the notebook on every save.
    """
    notebook = json.loads(source.read_text(encoding="utf-8"))
    if not (isinstance(notebook, dict) and isinstance(notebook.get("metadata", {}), dict)
            and isinstance(notebook.get("cells"), list)):
        raise NotANotebook("valid JSON, but not a notebook")
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
            files = json.loads(self.path.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            files = None
        # No (readable) record, or entries of the wrong shape: every file they would
        # cover counts as the student's, so nothing is overwritten; new versions go
        # beside them.
        self.files = {name: {k: v for k, v in entry.items() if isinstance(v, str)}
                      for name, entry in (files if isinstance(files, dict) else {}).items()
                      if isinstance(entry, dict)}

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
        if not candidate.exists() or (candidate.is_file() and candidate.read_bytes() == content):
            return candidate
    raise RuntimeError(f"no free name for a copy of {target.name}")


def unreadable(source: Path, course: Path, error: Exception) -> str:
    """Why the course's notebook `source` cannot be handed out, and what to do, in words."""
    shown = source.relative_to(course).as_posix() if source.is_relative_to(course) else source
    why = str(error) if isinstance(error, NotANotebook) else type(error).__name__
    line = f"the course's {shown} is not a readable notebook ({why})"
    try:
        status = git(course, "status", "--porcelain", "--", str(source), timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return line
    if status.returncode != 0:
        return line
    if status.stdout.strip():  # changed here, e.g. git conflict markers
        return f"{line}; `git status` shows it"
    return f"{line} as the course publishes it: tell the course's maintainers"


def sync_one(name: str, source: Path, work: Path, manifest: Manifest, today: str,
             course: Path = ROOT) -> str:
    """Bring one course notebook into my-work/; return what happened, in words."""
    try:
        new = student_copy(source)
    except (OSError, ValueError) as error:
        return f"{NOT_SYNCED}: {unreadable(source, Path(course), error)}"
    new_hash = sha256(new)
    target = work / name
    if target.is_dir():
        return (f"{NOT_SYNCED}: {WORK_DIR}/{name} is a folder, not a notebook: rename it, "
                "then run update again")
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
        outcomes[name] = sync_one(name, source, work, manifest, today, course)
    for name in sorted(set(manifest.files) - set(offered)):
        if (work / name).exists():
            outcomes[name] = "kept (no longer part of the course)"
    width = max(map(len, map(display, outcomes)), default=0)
    for name, outcome in outcomes.items():
        report(f"my-work: {display(name):<{width}}  {outcome}")
    return outcomes


def create(course: Path = ROOT) -> bool:
    """Make my-work/ whole or not at all: fill a hidden folder beside it, then rename
    it into place. False if my-work/ already exists (or appeared meanwhile)."""
    course = Path(course)
    work = work_folder(course)
    for leftover in course.glob(f"{PARTIAL}*"):  # from a creation that was killed
        if is_stale(leftover, leftover.name.removeprefix(PARTIAL)):
            shutil.rmtree(leftover, ignore_errors=True)
    if work.exists():
        return False
    partial = course / f"{PARTIAL}{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        sync(course, partial, report=lambda line: None)
        os.rename(partial, work)
    except BaseException as error:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(error, OSError) and work.is_dir():  # another command made it first
            return False
        raise
    say(f"created {WORK_DIR}/: your own copy of every lesson (solutions in "
        f"{WORK_DIR}/solutions/)")
    return True


def ensure(course: Path = ROOT) -> Path:
    """my-work/, created (filled from the course) on first use."""
    work = work_folder(course)
    if create(course):
        pass
    elif not (work / MANIFEST).exists() and not any(
        (work / name).exists() for name in course_notebooks(course)
    ):  # an empty my-work/ (or one with the student's own files only): fill it
        sync(course, work, report=lambda line: None)
        say(f"filled {WORK_DIR}/: your own copy of every lesson (solutions in "
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


def resolve(name: str, offered: dict[str, Path], course: Path = ROOT) -> str | None:
    """'04_backprop_by_hand', '04_backprop_by_hand.ipynb', 'my-work/04_….ipynb',
    'solutions/04_…_solutions', an absolute path into my-work/ or notebooks/ -> the
    notebook's name in my-work/ (None if not `offered`)."""
    cleaned = name.replace("\\", "/").strip()
    if Path(cleaned).is_absolute():
        for base in (work_folder(course), Path(course) / "notebooks"):
            try:
                cleaned = Path(cleaned).resolve().relative_to(base.resolve()).as_posix()
                break
            except ValueError:
                continue
    for prefix in ("./", f"{WORK_DIR}/", "notebooks/"):
        cleaned = cleaned.removeprefix(prefix)
    cleaned = cleaned.removesuffix(".ipynb").removesuffix(".py") + ".ipynb"
    return cleaned if cleaned in offered else None


def reset(name: str, course: Path = ROOT, now: datetime.datetime | None = None) -> int:
    offered = course_notebooks(course)
    resolved = resolve(name, offered, course)
    if resolved is None:
        names = ", ".join(display(n) for n in offered)
        print(f"No lesson named {name!r}. Lessons: {names}", file=sys.stderr)
        return 2
    work = work_folder(course)
    source = offered[resolved]
    try:
        fresh = student_copy(source)
    except (OSError, ValueError) as error:
        problem = unreadable(source, Path(course), error)
        print(f"{problem[0].upper()}{problem[1:]}. Nothing changed.", file=sys.stderr)
        return 1
    target = work / resolved
    if target.is_dir():
        print(f"{WORK_DIR}/{resolved} is a folder, not a notebook: rename it, then run "
              "reset again. Nothing changed.", file=sys.stderr)
        return 1
    create(course)  # a first command: the whole my-work/, as `lab` would make it
    manifest = Manifest(work)
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
    # The remote's own name: "school/course" in "school/course/main", not "school".
    branch = git(course, "symbolic-ref", "-q", "HEAD").stdout.strip()
    remote = git(course, "for-each-ref", "--format=%(upstream:remotename)",
                 branch).stdout.strip() or upstream_name.split("/")[0]
    try:
        fetched = git(course, "fetch", "--quiet", remote, timeout=120)
    except subprocess.TimeoutExpired:
        fetched = None
    if fetched is None or fetched.returncode != 0:
        lock = _git_lock(course)
        if lock:
            return f"course: not updated: {lock}"
        said = fetched.stderr.strip().splitlines() if fetched is not None else []
        if any(".lock" in line for line in said):  # a ref locked by a concurrent git
            return (f"course: not updated: another git command is using this folder "
                    f"({said[0]}); run update again in a moment")
        url = git(course, "remote", "get-url", remote).stdout.strip()
        return (f"course: not updated: could not reach {remote} ({url}); offline? "
                "my-work/ is synced with the course as it is here")
    before = git(course, "rev-parse", "--short", "HEAD").stdout.strip()
    in_the_way = untracked_in_the_way(course)
    if in_the_way:
        shown = ", ".join(in_the_way[:5]) + (f" (and {len(in_the_way) - 5} more)"
                                            if len(in_the_way) > 5 else "")
        return (f"course: not updated: the newer course brings files where this folder has "
                f"files git does not track, which it would overwrite: {shown}; move them out "
                "of the way (they may be yours), then run update again")
    merged = git(course, "merge", "--ff-only", "--quiet", "@{u}")
    if merged.returncode != 0:
        if git(course, "merge-base", "--is-ancestor", "HEAD", "@{u}").returncode != 0:
            return (f"course: not updated: the course folder has commits of its own that "
                    f"{upstream_name} does not have, so it cannot fast-forward")
        lock = _git_lock(course)
        if lock:
            return f"course: not updated: {lock}"
        if git(course, "status", "--porcelain", "--untracked-files=no").stdout.strip():
            return ("course: not updated: files of the course folder itself were changed here "
                    "(`git status` lists them; your work belongs in my-work/)")
        said = (merged.stderr.strip().splitlines() or ["no message"])[0]
        return f"course: not updated: git could not fast-forward ({said})"
    after = git(course, "rev-parse", "--short", "HEAD").stdout.strip()
    if after == before:
        return f"course: already up to date with {upstream_name}"
    return f"course: updated {before}..{after} from {upstream_name}"


def _git_lock(course: Path) -> str | None:
    """A line naming git's index lock, when one blocks this folder (else None)."""
    path = git(course, "rev-parse", "--git-path", "index.lock").stdout.strip()
    if not path or not (course / path).exists():
        return None
    return (f"git's lock file {path} is there: another git command is running in this "
            f"folder, or one was stopped; if none is running, delete {path} and run "
            "update again")


def untracked_in_the_way(course: Path) -> list[str]:
    """Paths the fast-forward to the upstream would write over that git does not track
    here (ignored ones included, which git would silently replace): a student's files."""
    incoming = git(course, "diff", "--name-only", "--no-renames", "-z", "HEAD", "@{u}")
    tracked = set(git(course, "ls-files", "-z").stdout.split("\0"))
    found = []
    for path in filter(None, incoming.stdout.split("\0")):
        parts = path.split("/")
        # The path itself, or a file where the course needs one of its folders.
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            here = course / prefix
            last = depth == len(parts)
            if os.path.lexists(here) and (last or not here.is_dir()) and prefix not in tracked:
                found.append(prefix)
                break
    return sorted(set(found))


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
    if not platforms.can_lock_files():  # Windows: the server-info check alone
        return True
    import fcntl

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
    asked, extra = language.take_option(extra)
    before = course_language(course)
    lang = language.normalise(asked) if asked else before
    os.environ[language.ENV_VAR] = lang  # this run's my-work/ is in `lang`
    if asked and lang != before and not reference and work_folder(course).is_dir():
        say(f"{WORK_DIR}/ now holds the lessons in {lang} (your changed lessons are kept)")
        sync(course)  # like an update: untouched lessons replaced, changed ones kept
    root = Path(course) / "notebooks" if reference else ensure(course)
    if asked:
        language.remember(work_folder(course), lang)
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
    jupyter = str(platforms.launcher(sys.executable, "jupyter"))
    command = [jupyter, "lab", *lab_arguments(root), *extra]
    os.environ.update(language.lab_environment(lang))  # JupyterLab's menus in `lang`
    if platforms.can_become():  # become the server: Ctrl+C and kill reach Jupyter itself
        os.execv(command[0], command)
    return subprocess.run(command, cwd=course).returncode


# --- command line ------------------------------------------------------------------------------


def cannot_write(error: OSError, course: Path) -> str:
    """Where a write failed and why, in words a student can act on."""
    where = Path(error.filename) if error.filename else None
    if where is not None and where.name.startswith(".") and where.name.endswith(".tmp"):
        where = where.parent  # the temporary file of an atomic write: its folder
    if where is not None:
        try:
            where = where.resolve().relative_to(Path(course).resolve())
        except ValueError:
            pass
    reasons = {errno.ENOSPC: "the disk is full: free some space",
               errno.EDQUOT: "your disk quota is used up: free some space",
               errno.EACCES: "no permission to write there: make it writable (chmod u+w)",
               errno.EPERM: "no permission to write there: make it writable (chmod u+w)",
               errno.EROFS: "the disk is read-only"}
    reason = reasons.get(error.errno, error.strerror or type(error).__name__)
    return f"could not write {where or 'a file'}: {reason}"


def main(argv: list[str], course: Path = ROOT) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    again = f"run `python course.py {' '.join(argv)}` again to finish"
    try:
        if command == "update" and not rest:
            return update(course)
        if command == "reset" and len(rest) == 1:
            return reset(rest[0], course)
        if command == "lab":
            return lab(rest, course)
    except KeyboardInterrupt:  # every file is whole (atomic writes): say so, in one line
        say(f"{command} interrupted: every file in {WORK_DIR}/ is whole; {again}")
        return 130
    except language.LanguageChoiceError as error:
        print(f"course.py {command}: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # full disk, read-only folder: one line, files whole
        say(f"{command} stopped: {cannot_write(error, course)}; every file in {WORK_DIR}/ "
            f"is whole; {again}")
        return 1
    print("usage: python course.py update | reset NN_name | lab [--reference] [--lang zh-CN]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
