#!/usr/bin/env python3
"""One entry point for the course. Needs only Python 3.10+ with pip and venv.

    python course.py lab        open your copy of the lessons (my-work/) in JupyterLab
                                (localhost, with a token); `lab --lang zh-CN` the Chinese
                                edition (remembered); `lab --reference` opens the
                                course's own notebooks/ instead (maintainers, instructors)
    python course.py update     bring the course up to date, then my-work/ (your changed
                                lessons are kept; a new version goes beside them)
    python course.py reset NN_name   a fresh copy of one lesson in my-work/ (yours is kept)
    python course.py test       run every test: unit, notebook sync, nbval, browser
    python course.py check      instructors: re-execute every lesson, compare with the
                                committed outputs, print a per-lesson summary
    python course.py refresh    maintainers: re-execute lessons and store fresh outputs
    python course.py bench      print the benchmark figures
    python course.py site       build the course website into _site/html/ (prints its
                                index.html last); its explorers work with no kernel
    python course.py rehome URL maintainers: move the course to a fork's address (every
                                lesson's first cell, README badges, pyproject's Source)

The first run creates `.venv/` in this folder and installs `requirements.lock`
into it; later runs reuse it and start at once. Nothing goes into the system
Python. Extra arguments after the command are passed on (to pytest, jupyter lab
or the refresh tool).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / "coursekit-installed.sha256"
# The platform decisions (Windows or POSIX) are made from WINDOWS alone, so that
# tests on Linux can drive the Windows branches by patching it.
WINDOWS = os.name == "nt"


def venv_bin(venv: Path, windows: bool) -> Path:
    return venv / ("Scripts" if windows else "bin")


def venv_python(venv: Path, windows: bool) -> Path:
    return venv_bin(venv, windows) / ("python.exe" if windows else "python")


BIN = venv_bin(VENV, WINDOWS)
# COURSEKIT_PYTHON names a Python whose environment already holds the course
# (Binder and conda build it from environment.yml; tests run course.py from a
# copied folder with the test environment): it is used as it is, with no .venv.
OWN_PYTHON = os.environ.get("COURSEKIT_PYTHON", "").strip()
PYTHON = Path(OWN_PYTHON) if OWN_PYTHON else venv_python(VENV, WINDOWS)
NBVAL_ARGS = [
    "--nbval",
    "--nbval-current-env",
    "--nbval-sanitize-with",
    "tests/nbval_sanitize.cfg",
    "--nbval-cell-timeout=600",
]


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def run(*args, **kwargs) -> int:
    return subprocess.run([str(a) for a in args], cwd=ROOT, **kwargs).returncode


def ensure_environment() -> None:
    """Create .venv and install the lock into it, unless that is already done.

    Every start checks, in some milliseconds, that the stamp matches this course
    folder and its lock, that no folder of an installed package changed since the
    install (a file deleted from a folder changes the folder's modification time),
    and that the editable `coursekit` is this folder's. A changed folder leads to
    a file-by-file check of every package; anything off is repaired (or one line
    says what to do).
    """
    if sys.version_info < (3, 10):  # noqa: UP036 (course.py may be run by an old Python)
        sys.exit(f"The course needs Python 3.10 or newer; this is {sys.version.split()[0]}.")
    if OWN_PYTHON:
        if not PYTHON.is_file():
            sys.exit(f"COURSEKIT_PYTHON={OWN_PYTHON} is not a Python executable: set it to "
                     "the python of an environment made from environment.yml, or unset it.")
        lacking = _lacking(PYTHON)
        if lacking:
            sys.exit(f"COURSEKIT_PYTHON={OWN_PYTHON} is not a course environment: it lacks "
                     f"{lacking}. Set it to the python of an environment made from "
                     "environment.yml, or unset it to use the course's own .venv.")
        return  # an environment someone else manages: never install into it
    wanted = _install_fingerprint()
    problems = _quick_problems(wanted) if PYTHON.exists() else ["no environment yet"]
    if not problems:
        return
    if problems == [FOLDERS_CHANGED] and not _damaged_packages():
        _write_stamp(wanted)  # a file added, or a false alarm: nothing is missing
        return
    if not PYTHON.exists():
        say(f"creating the course environment in {VENV.name}/ (once)")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    _rehome_scripts()
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if os.environ.get("COURSEKIT_RESOLVE") == "latest":
        # CI's drift job: the newest releases pyproject.toml allows, not the lock.
        say("installing the newest releases the ranges in pyproject.toml allow")
        steps = [[*pip, "--upgrade", "--upgrade-strategy", "eager", "-e", f"{ROOT}[test]"]]
    else:
        say(f"{problems[0]}: installing the pinned packages from requirements.lock")
        steps = [[*pip, "-r", LOCK], [*pip, "--no-deps", "-e", ROOT]]
    torch_first = _torch_step(pip)
    if torch_first and pip_install(torch_first) != 0:
        say("torch: the CPU-only build could not be installed; installing PyPI's build instead")
    for step in steps:
        if pip_install(step) != 0:
            sys.exit("Installing the course packages failed (see pip's message above).")
    # pip trusts a package's metadata: one whose files were deleted counts as
    # installed. Check every file, and reinstall the packages that lost some.
    for name, version in _damaged_packages():
        say(f"repairing {name} {version}: some of its files are missing")
        if run(*pip, "--force-reinstall", "--no-deps", f"{name}=={version}") != 0:
            sys.exit(f"Repairing {name} failed: delete the {VENV.name} folder and run "
                     f"`python course.py` again to reinstall everything.")
    _write_stamp(wanted)


FOLDERS_CHANGED = "a folder of an installed package changed"
# What a course environment must hold (COURSEKIT_PYTHON): the course's helpers and
# the tools course.py starts.
NEEDED = ("coursekit", "jupyter_core", "jupyterlab", "nbformat", "nbclient", "jupytext", "pytest")


def _lacking(python: Path) -> str:
    """What `python` lacks to run the course ("" when nothing), without importing it."""
    probe = ("import importlib.util as u, sys\n"
             "old = ['Python 3.10 or newer'] if sys.version_info < (3, 10) else []\n"
             "print(', '.join(old + [m for m in sys.argv[1:] if u.find_spec(m) is None]))")
    try:
        found = subprocess.run([str(python), "-c", probe, *NEEDED], capture_output=True,
                               text=True, encoding="utf-8", errors="replace", timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"a Python that runs ({error})"
    if found.returncode != 0:
        return "a Python that runs"
    return found.stdout.strip()


def _write_stamp(wanted: str) -> None:
    from course_tools.files import write_atomic  # only here: keeps every other start fast

    folders = [f"{mtime} {folder}" for folder, mtime in _package_folders().items()]
    write_atomic(STAMP, "\n".join([wanted, *folders]) + "\n")


def _torch_step(pip: list) -> list | None:
    """The pip command that installs the CPU-only torch first, where that is the
    right build (Linux without an NVIDIA GPU); None to install the lock as it is."""
    from course_tools import torch_build

    try:
        plan = torch_build.choose(torch_build.this_machine(PYTHON))
    except ValueError as error:
        sys.exit(str(error))
    if plan.message:
        say(plan.message)
    return torch_build.install_command(pip, plan, LOCK)


PROXY_HINT = ("pip could not get through a proxy (ProxyError): a proxy or VPN is probably "
              "still switched on. Turn it off (or unset HTTP_PROXY/HTTPS_PROXY) and run "
              "the command again.")


def pip_install(command: list) -> int:
    """Run one pip install, show what it printed, and name the usual cause of a
    ProxyError in one line instead of leaving the student with pip's retries."""
    result = subprocess.run([str(part) for part in command], cwd=ROOT, capture_output=True,
                            text=True, encoding="utf-8", errors="replace")
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0 and "ProxyError" in result.stdout + result.stderr:
        say(PROXY_HINT)
    return result.returncode


def _install_fingerprint() -> str:
    digest = hashlib.sha256(sys.version.encode())
    digest.update(os.environ.get("COURSEKIT_RESOLVE", "lock").encode())
    digest.update(str(ROOT).encode())  # a copied course folder (and .venv) reinstalls itself
    for path in (LOCK, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


# Everything at the top level works on Python 3.7 too (lru_cache, not the 3.9+
# functools.cache), so an old Python gets as far as the version check's line.
@lru_cache(maxsize=None)  # noqa: UP033
def _site_packages() -> Path:
    found = sorted(VENV.glob("lib/python3*/site-packages")) or [VENV / "Lib" / "site-packages"]
    return found[-1]


def _quick_problems(wanted: str) -> list[str]:
    """What is off with the environment, cheaply: a stat per installed package folder."""
    try:
        fingerprint, *folders = STAMP.read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return ["no install stamp"]
    if fingerprint != wanted:
        return ["the lock, the Python or the course folder changed"]
    if _editable_root() != ROOT:
        return ["coursekit is not installed from this folder"]
    site = str(_site_packages())
    for line in folders:
        mtime, _, folder = line.partition(" ")
        try:
            if os.stat(os.path.join(site, folder)).st_mtime_ns != int(mtime):
                return [FOLDERS_CHANGED]
        except (OSError, ValueError):
            return [FOLDERS_CHANGED]
    return []


def _editable_root() -> Path | None:
    """The folder the editable `coursekit` install points at (None if not installed)."""
    for direct_url in _site_packages().glob("coursekit-*.dist-info/direct_url.json"):
        try:
            url = json.loads(direct_url.read_text(encoding="utf-8"))["url"]
        except (OSError, ValueError, KeyError):
            return None
        path = unquote(urlparse(url).path)
        if re.match(r"/[A-Za-z]:", path):  # file:///C:/course on Windows
            path = path[1:]
        return Path(path).resolve()
    return None


def _rehome_scripts() -> None:
    """Point the scripts of a .venv copied with its course folder (`jupyter`,
    `pytest`, ...) at this folder's Python: their #! line still names the
    original, whose `coursekit` is the other folder's."""
    if WINDOWS:
        return  # Windows launchers (.exe) find their Python differently: no #! line
    foreign = re.compile(rb"#!(.+)/" + re.escape(f"{VENV.name}/{BIN.name}").encode()
                         + rb"/(python[0-9.]*)\n")
    from course_tools.files import write_atomic

    for script in BIN.iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        with open(script, "rb") as handle:
            match = foreign.match(handle.read(4096))
        if match and match.group(1) != str(ROOT).encode():
            content = script.read_bytes()
            shebang = f"#!{BIN / match.group(2).decode()}\n".encode()
            write_atomic(script, shebang + content[match.end():])


def _records() -> dict[Path, list[str]]:
    """Each installed distribution's dist-info folder and the files its RECORD lists."""
    import csv

    records = {}
    for record in _site_packages().glob("*.dist-info/RECORD"):
        with open(record, newline="", encoding="utf-8") as handle:
            # Paths starting with ".." are scripts outside site-packages (bin/).
            records[record.parent] = [row[0] for row in csv.reader(handle)
                                      if row and not row[0].startswith("..")]
    return records


def _package_folders() -> dict[str, int]:
    """Every folder holding files of an installed distribution (site-packages itself
    included, as ""): relative path -> modification time in ns."""
    site = _site_packages()
    folders = {""}
    for files in _records().values():
        for path in files:
            parts = path.split("/")[:-1]
            folders.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    return {folder: (site / folder).stat().st_mtime_ns for folder in sorted(folders)
            if "__pycache__" not in folder and (site / folder).is_dir()}


def _damaged_packages() -> list[tuple[str, str]]:
    """(name, version) of every distribution that lost one of its files."""
    site = _site_packages()
    damaged = []
    for info, files in _records().items():
        if any(not (site / path).exists() for path in files if "__pycache__" not in path):
            name, _, version = info.name.removesuffix(".dist-info").partition("-")
            if name != "coursekit":  # the editable install: `pip install -e` redid it
                damaged.append((name, version))
    return damaged


def ensure_browser() -> None:
    """Browser tests need Debian's chromium; install it where we are allowed to."""
    if shutil.which("chromium") or os.environ.get("COURSEKIT_CHROMIUM"):
        return
    can_install = shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0
    if not can_install:
        say("no chromium found and no root apt-get: the browser tests will be skipped")
        return
    say("installing Debian's chromium for the browser tests (once)")
    quiet = {"stdout": subprocess.DEVNULL}
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if run("apt-get", "update", "-q", env=env, **quiet) or run(
        "apt-get", "install", "-y", "-q", "chromium", env=env, **quiet
    ):
        say("installing chromium failed: the browser tests will be skipped")


def ensure_node_modules() -> None:
    """The website's pinned JavaScript: `npm ci` into node_modules/ when it is missing
    or package-lock.json changed since. Without npm, one line (the site tests skip)."""
    lock = ROOT / "package-lock.json"
    stamp = ROOT / "node_modules" / ".course-lock.sha256"
    if not lock.exists():
        return
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == wanted:
        return
    npm = shutil.which("npm")
    if npm is None:
        say("no npm found: node_modules/ cannot be installed, the website tests will be skipped")
        return
    say("installing the website's pinned JavaScript (npm ci, package-lock.json)")
    if run(npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error") != 0:
        say("npm ci failed (see above): the website tests will be skipped")
        return
    stamp.write_text(wanted + "\n", encoding="utf-8")


def cmd_lab(extra: list[str]) -> int:
    ensure_environment()
    # course_tools.workspace makes my-work/, refuses a second server on the same
    # folder, then execs `jupyter lab` bound to localhost with a token.
    return become(PYTHON, "-m", "course_tools.workspace", "lab", *extra)


def cmd_update(extra: list[str]) -> int:
    # Run in this Python: update and reset need no course environment (an update
    # may be what repairs it).
    from course_tools import workspace

    return workspace.main(["update", *extra])


def cmd_reset(extra: list[str]) -> int:
    from course_tools import workspace

    return workspace.main(["reset", *extra])


def one_thread_per_kernel() -> None:
    # pytest-xdist runs one kernel per core; torch's own threads on top of that
    # would only fight over the same cores.
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def drop_empty_thread_settings() -> None:
    """A thread count set but empty counts as unset: libgomp would print "Invalid
    value" into every lesson and run it several times slower."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        if name in os.environ and not os.environ[name].strip():
            del os.environ[name]


def become(*command) -> int:
    """Run `command` as this very process (POSIX), so that Ctrl+C and a kill reach
    the tool itself and nothing runs on after course.py is gone."""
    command = [str(part) for part in command]
    if not WINDOWS:
        os.chdir(ROOT)
        sys.stdout.flush()
        os.execv(command[0], command)
    # Windows has no exec: os.execv starts a new process and exits at once, so
    # the console would get its prompt back while the tool still runs. Wait for it;
    # Ctrl+C reaches both (one console), and we exit with the tool's code.
    try:
        return run(*command)
    except KeyboardInterrupt:
        return 130


def cmd_test(extra: list[str]) -> int:
    ensure_environment()
    ensure_browser()
    ensure_node_modules()
    one_thread_per_kernel()
    return become(PYTHON, "-m", "pytest", "tests", "notebooks", *NBVAL_ARGS,
                  "-p", "course_tools.nbreport", "-n", "auto", "--dist", "loadscope", *extra)


def cmd_check(extra: list[str]) -> int:
    ensure_environment()
    one_thread_per_kernel()
    # A corrupt notebook is a FAILED line in the report, not the end of the check.
    targets, options = notebooks_to_check(extra)
    return become(PYTHON, "-m", "pytest", *targets, *NBVAL_ARGS, "-p", "course_tools.nbreport",
                  "-n", "auto", "--dist", "loadscope", "-q", "--no-header", "-o", "addopts=",
                  "--continue-on-collection-errors", *options)


def notebooks_to_check(extra: list[str]) -> tuple[list[str], list[str]]:
    """`check 04_backprop_by_hand solutions/04_backprop_by_hand_solutions` checks just
    those notebooks (a name, or a path to its .py or .ipynb); no names: all of them.
    Everything else is passed on to pytest."""
    lesson = re.compile(r"(.*[/\\])?[0-9][0-9]_\w+(\.py|\.ipynb)?$")
    names = [arg for arg in extra if lesson.match(arg)]
    options = [arg for arg in extra if not lesson.match(arg)]
    targets = []
    for name in names:
        stem = Path(name).with_suffix("") if name.endswith((".py", ".ipynb")) else Path(name)
        parts = stem.parts[stem.parts.index("notebooks") + 1:] if "notebooks" in stem.parts \
            else stem.parts
        notebook = ROOT / "notebooks" / Path(*parts).with_suffix(".ipynb")
        if not notebook.is_file():
            sys.exit(f"No notebook named {name!r}: use a lesson name such as 04_backprop_by_hand "
                     "or solutions/04_backprop_by_hand_solutions.")
        targets.append(str(notebook.relative_to(ROOT)))
    return targets or ["notebooks"], options


def cmd_refresh(extra: list[str]) -> int:
    ensure_environment()
    return become(PYTHON, "-m", "course_tools.refresh", *extra)


def cmd_bench(extra: list[str]) -> int:
    ensure_environment()
    code = 0
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        say(f"benchmark {script.name}")
        code |= run(PYTHON, script, *extra)
    return code


def cmd_site(extra: list[str]) -> int:
    ensure_environment()
    ensure_node_modules()
    return become(PYTHON, "-m", "course_tools.site", *extra)


def cmd_rehome(extra: list[str]) -> int:
    ensure_environment()
    return become(PYTHON, "-m", "course_tools.rehome", *extra)


COMMANDS = {"lab": cmd_lab, "test": cmd_test, "check": cmd_check,
            "refresh": cmd_refresh, "bench": cmd_bench, "rehome": cmd_rehome,
            "update": cmd_update, "reset": cmd_reset, "site": cmd_site}


def printable_anywhere() -> None:
    """Never crash on a console that cannot show a character (a GBK Windows console
    and λ or ✓): such a character is printed as an escape instead. The tools this
    starts (pytest, jupyter, refresh) inherit the same rule."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    os.environ.setdefault("PYTHONIOENCODING", ":backslashreplace")


# Each command's own --help: printed before anything is installed or created.
HELP = {
    "lab": """python course.py lab [--reference] [JupyterLab options]

Open your copy of the lessons, my-work/ (made from the course on first use), in
JupyterLab on 127.0.0.1 with a token. If a course server already runs for that
folder, print its address instead. --reference opens the course's own notebooks/
(maintainers, instructors). Other options go to `jupyter lab`.""",
    "update": """python course.py update

Fast-forward the course folder to its upstream (a git clone only; it says in one
line when it cannot), then bring my-work/ up to date: a lesson you never changed
is replaced, a changed one is kept and the new version goes beside it.""",
    "reset": """python course.py reset NN_name

A fresh copy of one lesson (or solutions/NN_name_solutions) in my-work/. If you
changed it, your copy is kept beside it as "NN_name (my copy before reset ...)".""",
    "test": """python course.py test [pytest options]

Run every test (unit, notebook sync, nbval, browser) in parallel. Options go to
pytest, for example `-k tensors` or `-x`.""",
    "check": """python course.py check [NN_name ...] [pytest options]

Instructors: re-execute every lesson and solution (or only the ones named, like
04_backprop_by_hand or solutions/04_backprop_by_hand_solutions), compare each
output with the stored one and print a summary per notebook. Options go to pytest.""",
    "refresh": """python course.py refresh [LESSON ...] [--yes]

Maintainers: re-execute lessons (names like 01_tensors, or paths to their .py or
.ipynb; default: all) and store the fresh outputs. Asks first unless --yes.""",
    "bench": """python course.py bench [options]

Run benchmarks/bench_*.py and print their figures. Options go to each script.""",
    "rehome": """python course.py rehome [URL] [--check]

Maintainers: move the course to a fork's address (URL), or regenerate from
pyproject.toml's Source what comes from it: every lesson's first cell, the
README's badges. --check exits 1 if anything is stale, changing nothing.""",
}


def wants_help(extra: list[str]) -> bool:
    """`-h` or `--help` among a command's own arguments (not after `--`)."""
    own = extra[:extra.index("--")] if "--" in extra else extra
    return "-h" in own or "--help" in own


def main(argv: list[str]) -> int:
    printable_anywhere()
    drop_empty_thread_settings()
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 0 if argv[:1] in ([], ["-h"], ["--help"]) else 2
    if wants_help(argv[1:]):
        print(HELP[argv[0]])
        return 0
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:  # at start-up or during the install: one line, no traceback
        print(f"\n[course] interrupted: run `python course.py {' '.join(sys.argv[1:])}` "
              "again to finish (an interrupted install is redone)", file=sys.stderr)
        sys.exit(130)
