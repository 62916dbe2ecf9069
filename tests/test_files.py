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
