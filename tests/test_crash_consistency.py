"""Every writing command under injected faults: each file operation fails in turn, or
the process is killed right before it; the invariants hold after each (see
tests/crash_harness.py). The counts go into the test summary (conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_workspace import course, edit, lesson  # noqa: F401 (course: the fixture)

ROOT = Path(__file__).resolve().parents[1]
HARNESS = Path(__file__).with_name("crash_harness.py")

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="forks, and reads /proc/self/fd")


def explore(scenario: str, pristine: Path, own: dict[str, bool], record_property,
            *target: str, minimum: int = 10):
    """Run the harness on `pristine`, a course folder; `own`: the student's files there,
    and whether each may move to a kept copy (reset) instead of staying put."""
    workdir = pristine.parent / f"{scenario}-runs"
    workdir.mkdir()
    (pristine.parent / "own-files.json").write_text(json.dumps(own))
    result_file = pristine.parent / f"{scenario}-result.json"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(pristine.parent / "runtime"),
               PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, str(HARNESS), scenario, str(pristine), str(workdir),
                           str(result_file), *target], capture_output=True, text=True,
                          env=env, timeout=600)
    assert result_file.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(result_file.read_text())
    summary = (f"{scenario}: {result['faults']} faults injected, {result['invariants']} "
               "invariants checked")
    record_property("crash-consistency", summary)
    assert not result["violations"], summary + "\n" + "\n".join(result["violations"])
    assert result["faults"] >= minimum, summary
    return result


def test_update_under_faults(course, record_property):  # noqa: F811
    course.update()
    edit(course.work / "01_tensors.ipynb", "my answer")
    (course.work / "notes.md").write_text("mine\n")
    course.publish({"01_tensors": "tensors v2", "02_grad": "grad v2", "03_new": "new v1"})
    own = {"my-work/01_tensors.ipynb": False, "my-work/notes.md": False}
    explore("update", course.student, own, record_property)


def test_reset_under_faults(course, record_property):  # noqa: F811
    course.update()
    edit(course.work / "01_tensors.ipynb", "my answer")
    explore("reset", course.student, {"my-work/01_tensors.ipynb": True}, record_property,
            "01_tensors")


def test_lab_creating_my_work_under_faults(course, record_property):  # noqa: F811
    for name in ("00_intro", "02_grad"):  # a lesson and its solution (a subfolder) suffice
        (course.student / "notebooks" / f"{name}.ipynb").unlink()
    explore("lab", course.student, {}, record_property)


TINY = """# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# A lesson small enough to run under faults.

# %%
print(6 * 7)
"""


def test_refresh_under_faults(tmp_path, record_property):
    """A tiny fake lesson in a course of its own (the real lessons take minutes)."""
    import jupytext
    import nbformat

    tiny = tmp_path / "course"
    (tiny / "notebooks").mkdir(parents=True)
    shutil.copytree(ROOT / "course_tools", tiny / "course_tools",
                    ignore=shutil.ignore_patterns("__pycache__"))
    script = tiny / "notebooks" / "99_tiny.py"
    script.write_text(TINY)
    nbformat.write(jupytext.read(script), script.with_suffix(".ipynb"))  # not executed yet
    explore("refresh", tiny, {}, record_property, "99_tiny", minimum=6)
