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
