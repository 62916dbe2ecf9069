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
    python course.py rehome URL maintainers: move the course to a fork's address (every
                                lesson's first cell, README badges, pyproject's Source)

The first run creates `.venv/` in this folder and installs `requirements.lock`
into it; later runs reuse it and start at once. Nothing goes into the system
Python. Extra arguments after the command are passed on (to pytest, jupyter lab
or the refresh tool).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / "coursekit-installed.sha256"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
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
    """Create .venv and install the lock into it, unless that is already done."""
    if sys.version_info < (3, 10):  # noqa: UP036 (course.py may be run by an old Python)
        sys.exit(f"The course needs Python 3.10 or newer; this is {sys.version.split()[0]}.")
    wanted = _install_fingerprint()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not PYTHON.exists():
        say(f"creating the course environment in {VENV.name}/ (once)")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if os.environ.get("COURSEKIT_RESOLVE") == "latest":
        # CI's drift job: the newest releases pyproject.toml allows, not the lock.
        say("installing the newest releases the ranges in pyproject.toml allow")
        steps = [[*pip, "--upgrade", "--upgrade-strategy", "eager", "-e", f"{ROOT}[test]"]]
    else:
        say("installing the pinned packages from requirements.lock (first run only)")
        steps = [[*pip, "-r", LOCK], [*pip, "--no-deps", "-e", ROOT]]
    if any(run(*step) != 0 for step in steps):
        sys.exit("Installing the course packages failed (see pip's message above).")
    STAMP.write_text(wanted)


def _install_fingerprint() -> str:
    digest = hashlib.sha256(sys.version.encode())
    digest.update(os.environ.get("COURSEKIT_RESOLVE", "lock").encode())
    for path in (LOCK, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


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


def cmd_lab(extra: list[str]) -> int:
    ensure_environment()
    # course_tools.workspace makes my-work/, refuses a second server on the same
    # folder, then execs `jupyter lab` bound to localhost with a token.
    command = [str(PYTHON), "-m", "course_tools.workspace", "lab", *extra]
    if os.name == "posix":  # become the server: Ctrl+C and kill reach Jupyter itself
        os.chdir(ROOT)
        os.execv(command[0], command)
    return run(*command)


def workspace():
    """course_tools.workspace, imported into this Python: update and reset need
    no course environment (an update may be what repairs it)."""
    sys.path.insert(0, str(ROOT))
    from course_tools import workspace

    return workspace


def cmd_update(extra: list[str]) -> int:
    return workspace().main(["update", *extra])


def cmd_reset(extra: list[str]) -> int:
    return workspace().main(["reset", *extra])


def one_thread_per_kernel() -> None:
    # pytest-xdist runs one kernel per core; torch's own threads on top of that
    # would only fight over the same cores.
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def cmd_test(extra: list[str]) -> int:
    ensure_environment()
    ensure_browser()
    one_thread_per_kernel()
    return run(PYTHON, "-m", "pytest", "tests", "notebooks", *NBVAL_ARGS,
               "-p", "course_tools.nbreport", "-n", "auto", "--dist", "loadscope", *extra)


def cmd_check(extra: list[str]) -> int:
    ensure_environment()
    one_thread_per_kernel()
    return run(PYTHON, "-m", "pytest", "notebooks", *NBVAL_ARGS, "-p", "course_tools.nbreport",
               "-n", "auto", "--dist", "loadscope", "-q", "--no-header", "-o", "addopts=",
               *extra)


def cmd_refresh(extra: list[str]) -> int:
    ensure_environment()
    return run(PYTHON, "-m", "course_tools.refresh", *extra)


def cmd_bench(extra: list[str]) -> int:
    ensure_environment()
    code = 0
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        say(f"benchmark {script.name}")
        code |= run(PYTHON, script, *extra)
    return code


def cmd_rehome(extra: list[str]) -> int:
    ensure_environment()
    return run(PYTHON, "-m", "course_tools.rehome", *extra)


COMMANDS = {"lab": cmd_lab, "test": cmd_test, "check": cmd_check,
            "refresh": cmd_refresh, "bench": cmd_bench, "rehome": cmd_rehome,
            "update": cmd_update, "reset": cmd_reset}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 0 if argv[:1] in ([], ["-h"], ["--help"]) else 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
