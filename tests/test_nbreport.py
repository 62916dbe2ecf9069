"""The instructors' summary names the lesson and cell that differ, with both texts."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_changed_number_is_reported_with_expected_and_actual(tmp_path):
    lesson = tmp_path / "00_setup_check.ipynb"
    shutil.copy(ROOT / "notebooks" / "00_setup_check.ipynb", lesson)
    text = lesson.read_text(encoding="utf-8")
    assert text.count("= 30\\n") == 1
    lesson.write_text(text.replace("= 30\\n", "= 31\\n"), encoding="utf-8")

    code, summary = check(tmp_path, "--nbval-sanitize-with",
                          str(ROOT / "tests" / "nbval_sanitize.cfg"))
    assert code == 1, summary
    assert "FAILED (1 cell(s))" in summary and "00_setup_check.ipynb" in summary
    assert "--- Cell 4 ---" in summary
    line = "\n    [stdout] 2 × (0 + 1 + … + 5) = "
    expected = summary.index(f"expected (stored in the notebook):{line}31")
    actual = summary.index(f"actual (this run):{line}30")
    assert expected < actual
    assert "ran on: device cpu" in summary or "ran on: device cuda" in summary


LESSON_PY = """# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# One plus one:

# %%
print(1 + 1)
"""


def small_lesson(folder, name="lesson"):
    """A lesson pair whose stored output is right (as a refresh would leave it)."""
    import jupytext
    import nbformat

    script = folder / f"{name}.py"
    script.write_text(LESSON_PY, encoding="utf-8")
    notebook = jupytext.read(script)
    notebook.cells[1].execution_count = 1
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    nbformat.write(notebook, folder / f"{name}.ipynb")
    return script


def check(folder, *extra):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(folder), "--nbval", "--nbval-current-env",
         "-p", "course_tools.nbreport", "-p", "no:cacheprovider", "-o", "addopts=", "-q",
         *extra],
        cwd=folder, env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True, text=True, timeout=600,
    )
    return result.returncode, result.stdout[result.stdout.index("course check: per lesson"):]


def test_a_stale_lesson_fails_the_check_and_is_named(tmp_path):
    script = small_lesson(tmp_path)
    code, summary = check(tmp_path)
    assert code == 0 and "PASSED" in summary, summary  # in sync: passes
    script.write_text(LESSON_PY.replace("One plus one", "1 + 1"), encoding="utf-8")
    code, summary = check(tmp_path)
    assert code == 1, summary
    assert re.search(r"FAILED \(stale\) +lesson\.ipynb", summary), summary
    assert "its .py was edited after the last refresh; run `python course.py refresh lesson.py`"\
        in summary
    assert ".py:    1 + 1:" in summary


def test_a_corrupt_notebook_is_listed_as_failed_with_the_reason(tmp_path):
    small_lesson(tmp_path, "a_good")
    (tmp_path / "b_broken.ipynb").write_text('{"cells": [\n', encoding="utf-8")
    code, summary = check(tmp_path, "-n", "2", "--dist", "loadscope")
    assert code != 0, summary
    assert re.search(r"PASSED +a_good\.ipynb", summary), summary
    broken = re.findall(r"FAILED \(cannot be read\) +b_broken\.ipynb", summary)
    assert len(broken) == 1, summary
    assert "NotJSONError: Notebook does not appear to be JSON" in summary


def test_a_lesson_whose_notebook_is_missing_fails_the_check(tmp_path):
    small_lesson(tmp_path, "a_good")
    small_lesson(tmp_path, "b_gone").with_suffix(".ipynb").unlink()
    code, summary = check(tmp_path)
    assert code == 1, summary
    assert re.search(r"PASSED +a_good\.ipynb", summary), summary
    assert re.search(r"FAILED \(missing\) +b_gone\.ipynb", summary), summary
    assert "b_gone.ipynb is missing: run `python course.py refresh b_gone` to make it" in summary


def test_the_checks_worked_out_early_are_those_of_the_end(tmp_path):
    """The controller works out staleness, translations and the environment line while
    the notebooks run: for the notebooks it was given, the same answers as at the end."""
    from types import SimpleNamespace

    from course_tools import nbreport

    small_lesson(tmp_path, "a_good")
    (tmp_path / "sub").mkdir()
    stale = small_lesson(tmp_path / "sub", "b_stale")
    stale.write_text(LESSON_PY.replace("One plus one", "1 + 1"), encoding="utf-8")
    config = SimpleNamespace(args=[str(tmp_path)], rootpath=tmp_path,
                             invocation_params=SimpleNamespace(dir=tmp_path))
    given = nbreport._notebooks_given(config)
    assert given == ["a_good.ipynb", "sub/b_stale.ipynb"]  # as pytest names them
    early = nbreport._early_checks(tmp_path, given)
    assert early.stale == {path: nbreport._stale(tmp_path / path) for path in given}
    assert early.stale["a_good.ipynb"] == [] and early.stale["sub/b_stale.ipynb"]
    english = "notebooks/05_nn_and_optim.ipynb"  # with its Chinese edition, which is current
    assert nbreport._early_checks(ROOT, [english]).translations == {
        english: nbreport._translation_problems(ROOT, [english])}
    assert early.environment == nbreport.describe_environment()
