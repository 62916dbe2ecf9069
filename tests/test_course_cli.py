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


def test_lab_binds_to_localhost_and_requires_a_token(tmp_path):
    import json
    import os
    import re
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    log = tmp_path / "lab.log"
    with open(log, "w") as sink:
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "course.py"), "lab", "--no-browser",
             f"--ServerApp.port={port}", "--ServerApp.port_retries=0"],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )
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
    finally:
        server.terminate()
        server.wait(timeout=30)
