"""Crash-consistency harness: a course command under a filesystem-fault injector.

In the spirit of SQLite's crash and I/O-error tests and of ALICE: run a command
once to count the file operations it makes in the course folder (each open for
writing, write of a folder entry, fsync, rename, mkdir, unlink), then run it again
once per operation and per fault: that operation fails with an OSError (ENOSPC,
EIO), or the process is killed (SIGKILL) right before it. After each fault:

- every notebook left is valid (JSON, and nbformat's schema), and so is the manifest;
- the student's (or maintainer's) own files are byte-identical;
- the command said what happened in lines, not a traceback;
- a rerun without faults ends with success, leaves exactly what a run with no
  fault leaves (byte for byte) and no temporary file.

Each run is a fork of this process (POSIX), so the course's modules load once
and the pytest process itself is never forked. `refresh` is explored from a
checkpoint: its kernel runs once, and the process forks where it calls
write_atomic, with the executed notebook in memory; every fault and every rerun's writing continue
from there (a rerun's kernel would compute the same notebook again).

    python tests/crash_harness.py SCENARIO PRISTINE WORKDIR RESULT.json [TARGET]

Scenarios: update, reset (TARGET: the lesson), lab, refresh (TARGET: the lesson).
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import re
import shutil
import signal
import sys
import traceback
from pathlib import Path

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d\.\d\d")  # reset's "my copy before reset" time


class Injector:
    """Counts the file operations under `root`; makes the `target`-th one fail or kills
    the process right before it."""

    def __init__(self):
        self.root = None
        self.count = 0
        self.target = None
        self.mode = None
        self.at_first = None  # called once at the checkpoint (refresh's first write)
        self.real = {}

    def under_root(self, path, dir_fd=None) -> str | None:
        if self.root is None or isinstance(path, int):
            return None
        path = os.fsdecode(os.fspath(path))
        if dir_fd is not None and not os.path.isabs(path):
            path = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path)
        path = os.path.abspath(path)
        return path if path == self.root or path.startswith(self.root + os.sep) else None

    def checkpoint(self) -> None:
        if self.at_first is not None:
            server, self.at_first = self.at_first, None
            server()

    def hit(self, kind: str, path: str | None) -> None:
        if path is None:
            return
        index = self.count
        self.count += 1
        if index != self.target:
            return
        if self.mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        code = errno.ENOSPC if kind in ("write", "mkdir") else errno.EIO
        raise OSError(code, f"{os.strerror(code)} (injected at {kind})", path)

    def install(self) -> None:
        real = self.real = {name: getattr(os, name) for name in
                            ("open", "replace", "rename", "fsync", "mkdir", "unlink", "rmdir")}
        real_open = builtins.open

        def os_open(path, flags, mode=0o777, *, dir_fd=None):
            if flags & WRITE_FLAGS:
                self.hit("write", self.under_root(path, dir_fd))
            return real["open"](path, flags, mode, dir_fd=dir_fd)

        def open_(file, mode="r", *args, **kwargs):
            if not isinstance(file, int) and any(c in mode for c in "wax+"):
                self.hit("write", self.under_root(file))
            return real_open(file, mode, *args, **kwargs)

        def two_paths(name):
            def rename(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
                self.hit(name, self.under_root(dst, dst_dir_fd) or self.under_root(src))
                return real[name](src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)
            return rename

        def fsync(fd):
            fd = fd if isinstance(fd, int) else fd.fileno()
            self.hit("fsync", self.under_root(os.readlink(f"/proc/self/fd/{fd}")))
            return real["fsync"](fd)

        def one_path(name):
            def call(path, *args, dir_fd=None, **kwargs):
                self.hit(name, self.under_root(path, dir_fd))
                return real[name](path, *args, dir_fd=dir_fd, **kwargs)
            return call

        os.open = os_open
        builtins.open = io.open = open_
        os.replace, os.rename = two_paths("replace"), two_paths("rename")
        os.fsync = fsync
        os.mkdir, os.unlink, os.rmdir = one_path("mkdir"), one_path("unlink"), one_path("rmdir")


INJECTOR = Injector()


def fork(log: Path, root: Path, target=None, mode=None) -> tuple[int, int] | None:
    """Fork. In the child: None, with the injector armed (operations counted from 0
    under `root`) and the output going to `log`. In the parent: the child's
    (exit code, operations counted), once it ended."""
    sys.stdout.flush()
    sys.stderr.flush()
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reading)
        fd = INJECTOR.real["open"](str(log), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        INJECTOR.root, INJECTOR.count = str(root.resolve()), 0
        INJECTOR.target, INJECTOR.mode, INJECTOR.pipe = target, mode, writing
        return None
    os.close(writing)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(reading, "rb") as pipe:
        operations = pipe.read().decode() or "-1"
    return os.waitstatus_to_exitcode(status), int(operations)


def child_end(code) -> None:
    """End a child made by `fork`: report its operation count, exit with `code`."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(INJECTOR.pipe, str(INJECTOR.count).encode())
    os._exit(code if isinstance(code, int) else 1)


def run_in_child(job):
    """`job()`'s exit code, any exception written out as a traceback (a violation)."""
    try:
        return job()
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        traceback.print_exc()
        return 99


def forked(job, log: Path, root: Path, target=None, mode=None) -> tuple[int, int]:
    """Run `job()` in a child with the injector armed; (exit code, operations)."""
    done = fork(log, root, target, mode)
    if done is None:
        child_end(run_in_child(job))
    return done


# --- what is checked --------------------------------------------------------------------


class Checks:
    def __init__(self):
        self.faults = 0
        self.invariants = 0
        self.violations = []

    def that(self, holds: bool, what: str) -> None:
        self.invariants += 1
        if not holds and len(self.violations) < 20:
            self.violations.append(what)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` but git's own, reset's time stamps made alike."""
    return {STAMP.sub("STAMP", p.relative_to(folder).as_posix()): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(folder).parts}


VALID = {}  # content -> whether it is a valid notebook: each content is validated once


def whole(path: Path) -> bool:
    import nbformat

    data = path.read_bytes()
    if path.suffix != ".ipynb":
        try:
            json.loads(data)
            return True
        except ValueError:
            return False
    if data not in VALID:
        try:
            nbformat.validate(nbformat.reads(data.decode("utf-8"), as_version=4))
            VALID[data] = True
        except Exception:
            VALID[data] = False
    return VALID[data]


def leftovers(folder: Path) -> list[str]:
    return [p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if (p.name.endswith(".tmp") or p.name.startswith(".my-work.partial-"))
            and ".git" not in p.relative_to(folder).parts]


def after_fault(checks: Checks, folder: Path, label: str, code: int, log: Path,
                own: dict[str, bytes]) -> None:
    checks.faults += 1
    checks.that(code in (0, 1, 130, -signal.SIGKILL), f"{label}: exit code {code}")
    text = log.read_text(errors="replace")
    checks.that("Traceback" not in text, f"{label}: a traceback:\n{text[-800:]}")
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".ipynb" or path.name == ".course-manifest.json":
            if path.is_file() and ".git" not in path.parts:
                checks.that(whole(path), f"{label}: {path.relative_to(folder)} is not whole")
    kept = None
    for name, (data, may_move) in own.items():
        if (folder / name).is_file() and (folder / name).read_bytes() == data:
            checks.that(True, "")
            continue
        if kept is None:  # reset moves the student's lesson to a kept copy first
            kept = {p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        checks.that(may_move and data in kept, f"{label}: {name} lost")


def after_rerun(checks: Checks, folder: Path, label: str, code: int, log: Path,
                expected: dict[str, bytes], watched: str) -> None:
    text = log.read_text(errors="replace")
    checks.that(code == 0, f"{label}: the rerun ended with {code}:\n{text[-800:]}")
    got = snapshot(folder / watched)
    checks.that(got == expected, f"{label}: the rerun left {sorted(set(got) ^ set(expected))} "
                f"or other bytes than a run without faults")
    checks.that(not leftovers(folder), f"{label}: left {leftovers(folder)}")


# --- the scenarios ------------------------------------------------------------------------


def own_files(pristine: Path) -> dict[str, tuple[bytes, bool]]:
    """The student's files (named in own-files.json beside the course): their content, and
    whether it may move to a kept copy (reset) rather than stay where it is."""
    listed = json.loads((pristine.parent / "own-files.json").read_text())
    return {name: ((pristine / name).read_bytes(), may_move)
            for name, may_move in listed.items()}


def explore_fresh(command, pristine: Path, workdir: Path, watched: str,
                  needs_git: bool) -> Checks:
    """Each run from scratch: a fresh copy of `pristine`, `command(folder)` in a fork."""
    checks = Checks()
    own = own_files(pristine)
    log = workdir / "log.txt"
    skip = None if needs_git else shutil.ignore_patterns(".git")

    def copy(name):
        folder = workdir / name
        shutil.copytree(pristine, folder, symlinks=True, ignore=skip)
        return folder

    clean = copy("clean")
    code, operations = forked(lambda: command(clean), log, clean)
    assert code == 0 and operations > 0, log.read_text()
    expected = snapshot(clean / watched)
    for target in range(operations):
        for mode in ("fail", "kill"):
            label = f"{mode} at operation {target}"
            folder = copy(f"{mode}-{target}")
            code, _ = forked(lambda f=folder: command(f), log, folder, target, mode)
            after_fault(checks, folder, label, code, log, own)
            code, _ = forked(lambda f=folder: command(f), log, folder)
            after_rerun(checks, folder, label, code, log, expected, watched)
            shutil.rmtree(folder)
    return checks


def explore_checkpoint(command, course: Path, workdir: Path, watched: str) -> Checks:
    """Run `command()` once; at its checkpoint (INJECTOR.checkpoint()), fork every fault
    and every rerun from there (see the module's docstring), then end."""
    checks = Checks()
    log = workdir / "log.txt"
    folder = course / watched
    pristine = snapshot(folder)
    own = {f"{watched}/{name}": (data, False) for name, data in pristine.items()
           if name.endswith(".py")}

    def fork_server():
        INJECTOR.root = None  # the server itself counts nothing
        done = fork(log, course)
        if done is None:
            return  # the child goes on with the command, from this operation on
        code, operations = done
        expected = snapshot(folder)
        assert code == 0 and operations > 0, log.read_text()
        for target in range(operations):
            for mode in ("fail", "kill"):
                label = f"{mode} at operation {target}"
                restore(folder, pristine)
                for rerun in (False, True):
                    done = fork(log, course, *(None, None) if rerun else (target, mode))
                    if done is None:
                        return
                    if rerun:
                        after_rerun(checks, course, label, done[0], log, expected, watched)
                    else:
                        after_fault(checks, course, label, done[0], log, own)
        finish(checks)

    INJECTOR.at_first = fork_server
    child_end(run_in_child(command))  # only children get here


def restore(folder: Path, state: dict[str, bytes]) -> None:
    for path in list(folder.rglob("*")):
        if path.is_file() and path.relative_to(folder).as_posix() not in state:
            path.unlink()
    for name, data in state.items():
        if (folder / name).read_bytes() != data:
            (folder / name).write_bytes(data)


RESULT_PATH = None


def finish(checks: Checks) -> None:
    with open(RESULT_PATH, "w") as result:
        json.dump({"faults": checks.faults, "invariants": checks.invariants,
                   "violations": checks.violations}, result)
    sys.stdout.flush()
    os._exit(0)


def main(argv: list[str]) -> None:
    global RESULT_PATH
    scenario, pristine, workdir, RESULT_PATH, *target = argv
    pristine, workdir = Path(pristine).resolve(), Path(workdir).resolve()
    if scenario == "refresh":
        sys.path.insert(0, str(pristine))  # the copied course's own course_tools
        from course_tools import refresh

        real_write = refresh.write_atomic

        def write_atomic(*args, **kwargs):  # the checkpoint: refresh begins to write
            INJECTOR.checkpoint()
            return real_write(*args, **kwargs)

        refresh.write_atomic = write_atomic
        INJECTOR.install()
        explore_checkpoint(lambda: refresh.main([*target, "--yes"]), pristine, workdir,
                           "notebooks")
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import jupyter_core.paths  # noqa: F401 (loaded once, here: lab reads it)
    import nbformat  # noqa: F401

    from course_tools import workspace

    def lab(folder):
        os.execv = lambda *args: child_end(0)  # where lab becomes jupyter: the job is done
        return workspace.main(["lab", "--no-browser"], folder)

    commands = {"update": lambda folder: workspace.main(["update"], folder),
                "reset": lambda folder: workspace.main(["reset", *target], folder),
                "lab": lab}
    INJECTOR.install()
    finish(explore_fresh(commands[scenario], pristine, workdir, "my-work",
                         needs_git=scenario == "update"))


if __name__ == "__main__":
    main(sys.argv[1:])
