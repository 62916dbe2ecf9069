"""The Windows branches of the course's platform decisions, driven on Linux by
patching the decision itself (no Windows machine runs these tests here; the
windows-latest CI job runs the whole suite there)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def course_py():
    spec = importlib.util.spec_from_file_location("course_py_windows", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_venv_launcher_paths(course_py):
    venv = Path("C:/Users/张三/课程/.venv")
    assert course_py.venv_python(venv, windows=True) == venv / "Scripts" / "python.exe"
    assert course_py.venv_python(venv, windows=False) == venv / "bin" / "python"


def test_windows_waits_for_the_tool_instead_of_exec(course_py, monkeypatch):
    """No os.execv on Windows (it would return the prompt while the tool runs): the
    tool runs as a child, and its exit code is course.py's."""
    monkeypatch.setattr(course_py, "WINDOWS", True)
    monkeypatch.setattr(os, "execv", lambda *a: pytest.fail("execv on Windows"))
    ran = []
    monkeypatch.setattr(course_py, "run", lambda *command: ran.append(command) or 3)
    assert course_py.become("python", "-m", "pytest") == 3
    assert ran == [("python", "-m", "pytest")]


def test_ctrl_c_on_windows_is_exit_130_not_a_traceback(course_py, monkeypatch):
    monkeypatch.setattr(course_py, "WINDOWS", True)

    def interrupted(*command):
        raise KeyboardInterrupt

    monkeypatch.setattr(course_py, "run", interrupted)
    assert course_py.become("python") == 130


def test_posix_becomes_the_tool(course_py, monkeypatch):
    monkeypatch.setattr(course_py, "WINDOWS", False)
    called = []
    monkeypatch.setattr(os, "execv", lambda path, args: called.append((path, args)))
    monkeypatch.setattr(os, "chdir", lambda folder: None)
    course_py.become(sys.executable, "-V")
    assert called == [(sys.executable, [sys.executable, "-V"])]


def test_windows_never_rewrites_launchers(course_py, monkeypatch, tmp_path):
    """Windows launchers are .exe files that find their Python by themselves: the
    #! rewrite of a copied .venv is POSIX-only, and must not touch them."""
    monkeypatch.setattr(course_py, "WINDOWS", True)
    monkeypatch.setattr(course_py, "BIN", tmp_path)
    launcher = tmp_path / "jupyter.exe"
    launcher.write_bytes(b"#!C:/elsewhere/.venv/Scripts/python.exe\nMZ...")
    course_py._rehome_scripts()
    assert launcher.read_bytes() == b"#!C:/elsewhere/.venv/Scripts/python.exe\nMZ..."


# --- course_tools: the same decisions, from course_tools.platforms ---------------------------


@pytest.fixture
def on_windows(monkeypatch):
    from course_tools import platforms

    monkeypatch.setattr(platforms, "WINDOWS", True)
    return platforms


def test_windows_launchers_are_exe_files(on_windows):
    python = Path("C:/课程/.venv/Scripts/python.exe")
    assert on_windows.launcher(python, "jupyter") == Path("C:/课程/.venv/Scripts/jupyter.exe")


def test_lab_on_windows_runs_jupyter_as_a_child(on_windows, monkeypatch, tmp_path):
    from course_tools import workspace

    monkeypatch.setattr(os, "execv", lambda *a: pytest.fail("execv on Windows"))
    monkeypatch.setattr(workspace, "running_server", lambda root: None)
    monkeypatch.setattr(workspace, "ensure", lambda course: tmp_path)
    started = []

    class Finished:
        returncode = 0

    monkeypatch.setattr(workspace.subprocess, "run",
                        lambda command, **kwargs: started.append(command) or Finished)
    assert workspace.lab(["--no-browser"], course=tmp_path) == 0
    assert Path(started[0][0]).name == "jupyter.exe"
    assert started[0][1] == "lab" and "--no-browser" in started[0]


def test_lab_lock_on_windows_needs_no_flock(on_windows, monkeypatch, tmp_path):
    from course_tools import workspace

    monkeypatch.setitem(sys.modules, "fcntl", None)  # importing it would fail, as on Windows
    assert workspace.hold_lab_lock(tmp_path) is True
    assert not (tmp_path / workspace.LOCK).exists()


def test_temporary_files_on_windows_are_never_probed_with_os_kill(on_windows, monkeypatch,
                                                                  tmp_path):
    """os.kill(pid, 0) on Windows would end that process: a dead writer's temp file
    is left until it is a day old instead."""
    from course_tools import files

    monkeypatch.setattr(os, "kill", lambda *a: pytest.fail("os.kill on Windows"))
    leftover = tmp_path / ".lesson.ipynb.999999.abcdefgh.tmp"
    leftover.write_bytes(b"{}")
    assert files.is_stale(leftover, "999999") is False
    day_old = leftover.stat().st_mtime - files.STALE_AFTER_S - 60
    os.utime(leftover, (day_old, day_old))
    assert files.is_stale(leftover, "999999") is True


def test_exercise_time_limit_without_sigalrm_runs_the_answer_to_the_end(monkeypatch):
    """No SIGALRM (Windows): a check runs without a time limit instead of failing."""
    import signal

    from coursekit.exercises import core

    monkeypatch.delattr(signal, "setitimer")
    finished = []
    with core.time_limit(0.01):
        import time

        time.sleep(0.05)
        finished.append(True)
    assert finished == [True]
