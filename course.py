#!/usr/bin/env python3
"""One entry point for the course. Needs only Python 3.10+ with pip and venv.

    python course.py lab        open your copy of the lessons (my-work/) in JupyterLab
                                (localhost, with a token); `lab --reference` opens the
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
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / "coursekit-installed.sha256"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
# COURSEKIT_PYTHON names a Python whose environment already holds the course
# (Binder and conda build it from environment.yml; tests run course.py from a
# copied folder with the test environment): it is used as it is, with no .venv.
OWN_PYTHON = os.environ.get("COURSEKIT_PYTHON", "").strip()
PYTHON = Path(OWN_PYTHON) if OWN_PYTHON else BIN / ("python.exe" if os.name == "nt" else "python")
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

    Every start checks, in a few milliseconds, that the stamp matches this
    course folder and its lock, that the top-level files of every installed
    package are still there, and that the editable `coursekit` is this folder's;
    anything off is repaired (or one line says what to do).
    """
    if sys.version_info < (3, 10):  # noqa: UP036 (course.py may be run by an old Python)
        sys.exit(f"The course needs Python 3.10 or newer; this is {sys.version.split()[0]}.")
    if OWN_PYTHON:
        if not PYTHON.is_file():
            sys.exit(f"COURSEKIT_PYTHON={OWN_PYTHON} is not a Python executable: set it to "
                     "the python of an environment made from environment.yml, or unset it.")
        return  # an environment someone else manages: never install into it
    wanted = _install_fingerprint()
    problems = _quick_problems(wanted) if PYTHON.exists() else ["no environment yet"]
    if not problems:
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
    if any(run(*step) != 0 for step in steps):
        sys.exit("Installing the course packages failed (see pip's message above).")
    # pip trusts a package's metadata: one whose files were deleted counts as
    # installed. Check every file, and reinstall the packages that lost some.
    for name, version in _damaged_packages():
        say(f"repairing {name} {version}: some of its files are missing")
        if run(*pip, "--force-reinstall", "--no-deps", f"{name}=={version}") != 0:
            sys.exit(f"Repairing {name} failed: delete the {VENV.name} folder and run "
                     f"`python course.py` again to reinstall everything.")
    from course_tools.files import write_atomic  # only here: keeps every other start fast

    write_atomic(STAMP, "\n".join([wanted, *_top_level_paths()]) + "\n")


def _install_fingerprint() -> str:
    digest = hashlib.sha256(sys.version.encode())
    digest.update(os.environ.get("COURSEKIT_RESOLVE", "lock").encode())
    digest.update(str(ROOT).encode())  # a copied course folder (and .venv) reinstalls itself
    for path in (LOCK, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def _site_packages() -> Path:
    found = sorted(VENV.glob("lib/python3*/site-packages")) or [VENV / "Lib" / "site-packages"]
    return found[-1]


def _quick_problems(wanted: str) -> list[str]:
    """What is off with the environment, cheaply: a stat per installed package."""
    try:
        fingerprint, *paths = STAMP.read_text().splitlines()
    except (OSError, ValueError):
        return ["no install stamp"]
    if fingerprint != wanted:
        return ["the lock, the Python or the course folder changed"]
    site = str(_site_packages())
    missing = [p for p in paths if not os.path.exists(os.path.join(site, p))]
    if missing:
        return [f"missing {', '.join(missing[:5])}"]
    if _editable_root() != ROOT:
        return ["coursekit is not installed from this folder"]
    return []


def _editable_root() -> Path | None:
    """The folder the editable `coursekit` install points at (None if not installed)."""
    for direct_url in _site_packages().glob("coursekit-*.dist-info/direct_url.json"):
        try:
            url = json.loads(direct_url.read_text())["url"]
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
    if os.name != "posix":
        return  # Windows launchers find their Python differently
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


def _top_level_paths() -> list[str]:
    """The top-level files and folders of every installed distribution."""
    tops = {path.split("/", 1)[0] for files in _records().values() for path in files}
    return sorted(top for top in tops if top != "__pycache__")


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
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return
    npm = shutil.which("npm")
    if npm is None:
        say("no npm found: node_modules/ cannot be installed, the website tests will be skipped")
        return
    say("installing the website's pinned JavaScript (npm ci, package-lock.json)")
    if run(npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error") != 0:
        say("npm ci failed (see above): the website tests will be skipped")
        return
    stamp.write_text(wanted + "\n")


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
    if os.name == "posix":
        os.chdir(ROOT)
        sys.stdout.flush()
        os.execv(command[0], command)
    return run(*command)


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
    return become(PYTHON, "-m", "pytest", "notebooks", *NBVAL_ARGS, "-p", "course_tools.nbreport",
                  "-n", "auto", "--dist", "loadscope", "-q", "--no-header", "-o", "addopts=",
                  "--continue-on-collection-errors", *extra)


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


def main(argv: list[str]) -> int:
    drop_empty_thread_settings()
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 0 if argv[:1] in ([], ["-h"], ["--help"]) else 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
