"""Every lesson pair is in sync and its .ipynb holds fresh, in-order outputs.

These never write a notebook: if one fails, run `python course.py refresh NAME`.
"""

import jupytext
import pytest

from course_tools.bootstrap import bootstrap_cell, course_address
from course_tools.notebook_pairs import NOTEBOOKS, execution_problems, find_pairs, sync_problems

PAIRS = find_pairs()
LESSONS = ["00_setup_check", "01_tensors", "02_autograd", "03_chain_rule",
           "04_backprop_by_hand", "05_nn_and_optim", "06_extending_autograd",
           "07_training_for_real"]
BOOTSTRAP = bootstrap_cell(course_address())  # generated from pyproject's Source


def ids(pairs):
    return [p.name for p in pairs]


def test_pairs_found():
    names = ids(PAIRS)
    assert "00_setup_check" in names
    assert all(name in LESSONS or name.startswith("solutions/") for name in names), names


@pytest.mark.parametrize("pair", PAIRS, ids=ids(PAIRS))
def test_pair_in_sync(pair):
    problems = sync_problems(pair)
    assert not problems, (
        f"{pair.name}: the .py and the .ipynb differ; run `python course.py refresh {pair.name}`\n"
        + "\n".join(problems)
    )


@pytest.mark.parametrize("pair", PAIRS, ids=ids(PAIRS))
def test_every_code_cell_executed_in_order(pair):
    problems = execution_problems(pair)
    assert not problems, (
        f"{pair.name}: stored outputs are not fresh; run `python course.py refresh {pair.name}`\n"
        + "\n".join(problems)
    )


@pytest.mark.parametrize("pair", PAIRS, ids=ids(PAIRS))
def test_lesson_starts_with_bootstrap_and_setup(pair):
    code = [c.source for c in jupytext.read(pair.script).cells if c.cell_type == "code"]
    assert code[0] == BOOTSTRAP, (
        "the first code cell must be the Colab/Binder bootstrap: run `python course.py rehome`"
    )
    assert code[1].startswith("device = coursekit.setup("), "the second must call coursekit.setup()"


@pytest.mark.parametrize("pair", PAIRS, ids=ids(PAIRS))
def test_no_stored_widget_views(pair):
    """refresh keeps widgets' static pictures, not views of models that no longer exist."""
    text = pair.notebook.read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-view+json" not in text, (
        f"{pair.name}: run `python course.py refresh {pair.name}`"
    )


def test_solutions_live_apart():
    for pair in PAIRS:
        if pair.name.startswith("solutions/"):
            stem = pair.name.removeprefix("solutions/").removesuffix("_solutions")
            assert (NOTEBOOKS / f"{stem}.py").exists(), f"{pair.name} has no lesson {stem}"


def test_sync_check_catches_a_changed_number(tmp_path):
    """The sync test must fail, naming the cell, when a .py changes without a refresh."""
    original = next(p for p in PAIRS if p.name == "00_setup_check")
    script = tmp_path / original.script.name
    text = original.script.read_text(encoding="utf-8")
    assert "{total:.0f}" in text
    script.write_text(text.replace("{total:.0f}", "{total:.1f}"), encoding="utf-8")
    notebook = tmp_path / original.notebook.name
    notebook.write_bytes(original.notebook.read_bytes())
    problems = sync_problems(type(original)(script, notebook))
    assert len(problems) == 1
    assert problems[0].startswith("cell ") and "{total:.1f}" in problems[0]
