"""The course.py entry point: usage, and refresh never overwrites without asking."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def course(*args, stdin=""):
    return subprocess.run([sys.executable, str(ROOT / "course.py"), *args], cwd=ROOT,
                          input=stdin, capture_output=True, text=True, timeout=300)


def test_usage_lists_the_commands():
    result = course()
    assert result.returncode == 0
    for command in ("lab", "test", "check", "refresh", "bench"):
        assert f"python course.py {command}" in result.stdout


def test_unknown_command_fails():
    assert course("teach").returncode == 2


def test_refresh_asks_and_no_means_nothing_changes():
    notebook = ROOT / "notebooks" / "00_setup_check.ipynb"
    before = notebook.stat().st_mtime_ns, notebook.read_bytes()
    for answer in ("n\n", ""):  # a "no", and no one there to answer
        result = course("refresh", "00_setup_check", stdin=answer)
        assert result.returncode == 1
        assert "Overwrite the outputs of 1 notebook(s) (00_setup_check)? [y/N]" in result.stdout
        assert "Nothing changed." in result.stdout
    assert (notebook.stat().st_mtime_ns, notebook.read_bytes()) == before


def test_refresh_rejects_unknown_lessons():
    result = course("refresh", "99_nonexistent", "--yes")
    assert result.returncode != 0
    assert "No lesson named ['99_nonexistent']" in result.stderr
