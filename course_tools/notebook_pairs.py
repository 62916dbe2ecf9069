"""The lessons as jupytext pairs: find them and prove each pair is in sync.

`jupytext --check` and `--diff` cannot prove this (see shared/NOTEBOOK_TESTING.md),
so we compare the cells ourselves: same kinds, same sources, in the same order,
and every code cell of the .ipynb executed, top to bottom.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

from . import NOTEBOOKS


@dataclass(frozen=True)
class Pair:
    script: Path  # NN_name.py, what people edit and review
    notebook: Path  # NN_name.ipynb, executed, holds the reference outputs

    @property
    def name(self) -> str:
        return str(self.script.relative_to(NOTEBOOKS).with_suffix(""))


def find_pairs(folder: Path = NOTEBOOKS) -> list[Pair]:
    """Every lesson script under `folder` (solutions included), sorted by name."""
    scripts = [p for p in folder.rglob("*.py") if ".ipynb_checkpoints" not in p.parts]
    scripts = [p for p in scripts if is_jupytext_script(p)]
    return [Pair(p, p.with_suffix(".ipynb")) for p in sorted(scripts)]


def is_jupytext_script(path: Path) -> bool:
    return "jupytext:" in path.read_text(encoding="utf-8")[:600]


def read_lesson(script: Path):
    """A lesson's .py as a notebook (a copy of its own). `check` asks for each lesson
    three times (stale? untranslated? built as stored?); parsing one takes ~70 ms."""
    text = Path(script).read_text(encoding="utf-8")
    return copy.deepcopy(_parse_lesson(text, Path(script).suffix))


@functools.lru_cache(maxsize=64)
def _parse_lesson(text: str, extension: str):
    return jupytext.reads(text, fmt=extension.lstrip("."))


def _cells(notebook) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in notebook.cells]


def sync_problems(pair: Pair) -> list[str]:
    """What differs between the .py and the .ipynb of a pair ([] when in sync)."""
    if not pair.notebook.exists():
        return [f"{pair.notebook.name} is missing: run `python course.py refresh {pair.name}`"]
    script_cells = _cells(read_lesson(pair.script))
    notebook_cells = _cells(nbformat.read(pair.notebook, as_version=4))
    problems = []
    for index, (ours, theirs) in enumerate(zip(script_cells, notebook_cells, strict=False)):
        if ours != theirs:
            in_script, in_notebook = _first_difference(ours[1], theirs[1])
            problems.append(
                f"cell {index} ({ours[0]}) differs:\n  .py:    {in_script}\n  .ipynb: {in_notebook}"
            )
    if len(script_cells) != len(notebook_cells):
        problems.append(
            f"the .py has {len(script_cells)} cells, the .ipynb {len(notebook_cells)}"
        )
    return problems


def _first_difference(a: str, b: str) -> tuple[str, str]:
    for line_a, line_b in zip(a.splitlines() + [""], b.splitlines() + [""], strict=False):
        if line_a != line_b:
            return line_a or "(nothing)", line_b or "(nothing)"
    return a[:80], b[:80]


def execution_problems(pair: Pair) -> list[str]:
    """Code cells never executed, executed out of order, or holding errors/warnings."""
    notebook = nbformat.read(pair.notebook, as_version=4)
    problems = []
    expected = 1
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if cell.execution_count != expected:
            problems.append(
                f"cell {index}: execution count {cell.execution_count}, expected {expected}"
            )
        expected = (cell.execution_count or expected) + 1
        for output in cell.get("outputs", []):
            if output.output_type == "error" or output.get("name") == "stderr":
                problems.append(f"cell {index}: stored output holds an error or stderr text")
    return problems
