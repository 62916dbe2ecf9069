"""The course.py entry point: usage, refresh never overwrites without asking, lab."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from course_copy import copy_course

ROOT = Path(__file__).resolve().parents[1]


def course(*args, stdin=""):
    return subprocess.run([sys.executable, str(ROOT / "course.py"), *args], cwd=ROOT,
                          input=stdin, capture_output=True, text=True, timeout=300)


def test_usage_lists_the_commands():
    result = course()
    assert result.returncode == 0
    for command in ("lab", "update", "reset", "test", "check", "refresh", "bench"):
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


def test_lab_opens_my_work_on_localhost_with_a_token_once_per_folder(tmp_path):
    """In a copy of the course (its environment linked in): `course.py lab` creates
    my-work/ and serves it; a second `course.py lab` points to the first instead
    of starting; a stale server-info file of a dead server blocks nothing."""
    copy = copy_course(tmp_path / "course", link_venv=True)
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(runtime))
    # A leftover from a server that is gone: its port answers nothing.
    stale = {"pid": os.getpid(), "url": f"http://127.0.0.1:{free_port()}/", "token": "old",
             "root_dir": str(copy / "my-work")}
    (runtime / "jpserver-1.json").write_text(json.dumps(stale))
    port = free_port()
    lab = [sys.executable, str(copy / "course.py"), "lab", "--no-browser",
           "--ServerApp.port_retries=0"]
    log = tmp_path / "lab.log"
    with open(log, "w") as sink:
        server = subprocess.Popen([*lab, f"--ServerApp.port={port}"], cwd=copy, env=env,
                                  stdout=sink, stderr=subprocess.STDOUT)
    try:
        token = None
        deadline = time.monotonic() + 120
        while token is None and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.5)
            match = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=(\w+)", log.read_text())
            token = match and match.group(1)
        assert token, log.read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}") as reply:
            assert "started" in json.load(reply)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status")
            raise AssertionError("the server answered without a token")
        except urllib.error.HTTPError as refused:
            assert refused.code == 403
        # It serves my-work/: every lesson once, as a notebook, no .py beside it.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}") as r:
            names = {item["name"] for item in json.load(r)["content"]}
        lessons = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
        assert names == lessons | {"solutions"}
        assert "[course] created my-work/" in log.read_text()

        second = subprocess.run([*lab, f"--ServerApp.port={free_port()}"], cwd=copy, env=env,
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 0
        assert second.stdout.strip() == (
            "[course] a course server is already running for my-work/: "
            f"open http://127.0.0.1:{port}/lab?token={token}")
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
