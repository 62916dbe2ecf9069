"""write_atomic: the old file survives any failure; the new one appears whole."""

import os

import pytest

from course_tools.files import write_atomic


def test_writes_text_and_bytes(tmp_path):
    target = tmp_path / "a.ipynb"
    write_atomic(target, "héllo")
    assert target.read_bytes() == "héllo".encode()
    write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert [p.name for p in tmp_path.iterdir()] == ["a.ipynb"]  # no temporary left


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "lesson.ipynb"
    target.write_text("old")

    def broken_fsync(fd):
        raise OSError(27, "File too large")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="File too large"):
        write_atomic(target, "new" * 1000)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.ipynb"]


def test_keeps_the_file_mode(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("x")
    target.chmod(0o640)
    write_atomic(target, "y")
    assert target.stat().st_mode & 0o777 == 0o640


def killed_writer(folder):
    """A process killed (SIGKILL) in the middle of write_atomic: it leaves its
    temporary file, with its data, in `folder`."""
    import subprocess
    import sys

    code = ("import os, signal, sys; from course_tools import files\n"
            "os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
            "files.write_atomic(sys.argv[1], b'x' * 300_000)\n")
    done = subprocess.run([sys.executable, "-c", code, str(folder / "01_tensors.ipynb")],
                          cwd=os.path.dirname(os.path.dirname(__file__)), timeout=60)
    assert done.returncode == -9
    (left,) = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    return left


def test_the_next_write_removes_the_temporary_files_of_killed_writers(tmp_path):
    left = killed_writer(tmp_path)
    assert left.stat().st_size == 300_000
    write_atomic(tmp_path / "other.ipynb", "next")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.ipynb"]


def test_a_live_writers_temporary_and_other_files_are_left_alone(tmp_path):
    live = tmp_path / f".01_tensors.ipynb.{os.getppid()}.abcd1234.tmp"  # a live process's
    live.write_text("being written")
    mine = tmp_path / ".hidden.tmp"  # not write_atomic's name
    mine.write_text("a student's")
    old_style = tmp_path / ".01_tensors.ipynb.k3j4h5g6.tmp"  # no pid: only when a day old
    old_style.write_text("left by an older course.py")
    write_atomic(tmp_path / "other.ipynb", "next")
    assert live.exists() and mine.exists() and old_style.exists()
    os.utime(old_style, (1, 1))
    write_atomic(tmp_path / "other.ipynb", "again")
    assert not old_style.exists() and live.exists() and mine.exists()
