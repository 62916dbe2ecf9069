"""Read a lesson's exercise cells from its .py (jupytext percent) source.

An exercise is the code cell(s) before a cell `check(N, name)`; the tests run
the lessons' own templates (and the solutions notebooks' own answers) instead of
copies of them.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHECK_CELL = re.compile(r"^check\((\d+), (\w+|\(\w+(?:, \w+)+\))\)$")  # a name or a tuple


def code_cells(path: Path) -> list[str]:
    """The code cells of a jupytext percent file, in order (markdown cells left out)."""
    cells = re.split(r"^# %%(.*)$", path.read_text(encoding="utf-8"), flags=re.M)
    # re.split with one group gives [before, header1, body1, header2, body2, ...]
    return [body.strip() for header, body in zip(cells[1::2], cells[2::2], strict=True)
            if "[markdown]" not in header]


def exercise_answers(path: Path, namespace: dict, *, run_all: bool = False) -> dict[int, object]:
    """{number: answer} for every `check(number, name)` cell of `path`.

    Only the code cell just before each check cell runs (a template), or, with
    `run_all`, every code cell but the checks, in order (a solutions notebook,
    whose answers may build on earlier cells). The first two code cells, the
    bootstrap and `coursekit.setup()`, never run: setup changes global print
    and plot settings; `namespace` provides `device` instead.
    """
    cells = code_cells(path)
    names = {}
    for index, cell in enumerate(cells[2:], start=2):
        match = CHECK_CELL.match(cell)
        if match:
            names[int(match[1])] = match[2]
            if not run_all:
                exec(cells[index - 1], namespace)  # noqa: S102 (our own lesson file)
        elif run_all:
            exec(cell, namespace)  # noqa: S102
    return {number: _value(name, namespace) for number, name in names.items()}


def _value(expression: str, namespace: dict):
    """A name's value, or a tuple's: `(a, b)` gives (namespace['a'], namespace['b'])."""
    if expression.startswith("("):
        return tuple(namespace[name] for name in expression.strip("()").split(", "))
    return namespace[expression]


@functools.cache
def lesson_templates(stem: str) -> dict[int, object]:
    """The answers a student starts from: the templates of notebooks/<stem>.py."""
    import math

    import numpy as np
    import torch
    from torch import nn

    from coursekit.exercises import TODO
    from coursekit.tiny_autograd import Value

    namespace = {"torch": torch, "nn": nn, "math": math, "np": np, "Value": Value, "TODO": TODO}
    return exercise_answers(NOTEBOOKS / f"{stem}.py", namespace)


@functools.cache
def lesson_solutions(stem: str) -> dict[int, object]:
    """The answers of notebooks/solutions/<stem>_solutions.py, the one copy of the solutions."""
    import torch

    namespace = {"device": torch.device("cpu")}
    return exercise_answers(NOTEBOOKS / "solutions" / f"{stem}_solutions.py", namespace,
                            run_all=True)
