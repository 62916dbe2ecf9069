"""The tooling works on the course folder it is run in, and only there.

- A save in a real Jupyter server (the jupytext extension active, as in the
  course environment) writes only the student's notebook in my-work/: no .py
  beside it, no jupytext header, nothing else changed.
- A refresh run from a copy of the course writes the copy, never the original.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_harness import free_port
from course_copy import ROOT, copy_course, tree_state

from course_tools import workspace

LESSON = "04_backprop_by_hand.ipynb"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    copy = copy_course(tmp_path_factory.mktemp("copy") / "course")
    workspace.sync(copy, report=lambda line: None)
    return copy



@contextmanager
def jupyter_server(root: Path, scratch: Path):
    """`jupyter server` with course.py lab's settings, isolated config; yields an API caller."""
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1", XDG_CONFIG_HOME=str(scratch / "xdg"))
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[var] = str(scratch / var.lower())
    command = [sys.executable, "-m", "jupyter", "server", "--no-browser",
               *workspace.lab_arguments(root), f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
    log = scratch / "server.log"
    with open(log, "wb") as sink:
        server = subprocess.Popen(command, cwd=scratch, env=env, stdout=sink,
                                  stderr=subprocess.STDOUT)

    def api(method: str, path: str, body: dict | None = None):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.load(reply)

    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                api("GET", "/api/status")
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        yield api
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("served", ["my-work", "."], ids=["lab-on-my-work", "server-on-course"])
def test_a_save_in_jupyter_writes_only_the_students_notebook(course, served, tmp_path):
    path = LESSON if served == "my-work" else f"my-work/{LESSON}"
    before = tree_state(course)
    with jupyter_server(course / served, tmp_path) as api:
        if served == ".":  # jupytext's contents manager is really there: it opens .py lessons
            script = api("GET", "/api/contents/notebooks/04_backprop_by_hand.py?type=notebook")
            assert script["type"] == "notebook"
        model = api("GET", f"/api/contents/{path}")
        code = next(c for c in model["content"]["cells"] if c["cell_type"] == "code")
        code["source"] = "answer = 42  # the student's own line"
        api("PUT", f"/api/contents/{path}",
            {"type": "notebook", "format": "json", "content": model["content"]})
    after = tree_state(course)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    changed = {name for name in changed if ".ipynb_checkpoints/" not in name}  # Jupyter's own
    assert changed == {f"my-work/{LESSON}"}  # no .py appeared, nothing else was written
    saved = json.loads((course / "my-work" / LESSON).read_text())
    assert "jupytext" not in saved["metadata"]  # no pairing, no jupytext_version line
    assert any("the student's own line" in "".join(c["source"]) for c in saved["cells"])
    assert not list((course / "my-work").rglob("*.py"))


def test_refresh_from_a_copied_course_writes_only_the_copy(tmp_path):
    copy = copy_course(tmp_path / "course")
    original = tree_state(ROOT / "notebooks")
    notebook = copy / "notebooks" / "00_setup_check.ipynb"
    copied_mtime = notebook.stat().st_mtime_ns
    os.utime(notebook, ns=(copied_mtime - 10**10, copied_mtime - 10**10))  # older: must change
    python = ROOT / ".venv" / "bin" / "python"
    result = subprocess.run(
        [python if python.exists() else sys.executable, "-m", "course_tools.refresh",
         "00_setup_check", "--yes"],
        cwd=copy, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, OMP_NUM_THREADS="1"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"in {copy / 'notebooks'}" in result.stdout
    assert tree_state(ROOT / "notebooks") == original  # bytes and mtimes: untouched
    assert notebook.stat().st_mtime_ns > copied_mtime - 10**10  # the copy was rewritten
    json.loads(notebook.read_text())


def test_the_courses_own_checks_never_judge_my_work(tmp_path):
    """A student's half-written code in my-work/ fails neither pytest nor ruff."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    student = tmp_path / "my-work"
    student.mkdir()
    (student / "test_scratch.py").write_text("import os\ndef test_mine():\n    assert False\n")
    (student / "scratch.ipynb").write_text('{"cells": [], "nbformat": 4}  <<<<<<< broken')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_ours.py").write_text("def test_ours():\n    assert True\n")
    collected = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-p",
                                "no:cacheprovider", "."], cwd=tmp_path, capture_output=True,
                               text=True, timeout=120)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "tests/test_ours.py::test_ours" in collected.stdout  # collection does run here
    assert "my-work" not in collected.stdout
    linted = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert linted.returncode == 0, linted.stdout
