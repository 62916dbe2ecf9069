"""Point the course at a new address (a fork), or regenerate what comes from it.

    python course.py rehome https://github.com/YOU/course   # move the course there
    python course.py rehome                                 # regenerate from pyproject's Source
    python course.py rehome --check                         # exit 1 if anything is stale

It rewrites every place the address appears: `[project.urls] Source` in
pyproject.toml, the first code cell (the bootstrap) of every lesson and solution
in both files of its pair, and the README's Colab and Binder badges. The
bootstrap prints nothing, so the notebooks keep their outputs and need no
re-execution; only the cell's source changes. Running it twice changes nothing
the second time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat

from . import ROOT
from .bootstrap import (
    README_START,
    AddressError,
    bootstrap_cell,
    check_address,
    course_address,
    is_bootstrap,
    lesson_notebooks,
    readme_links,
    with_address,
    with_readme_links,
)
from .files import write_atomic
from .notebook_pairs import Pair, find_pairs
from .translations import editions


def planned_changes(root: Path, address: str) -> dict[Path, str]:
    """Every file whose text must change for the course to live at `address`, with
    its new text. Reads only; raises AddressError before anything could be written."""
    new_texts = {
        root / "pyproject.toml": with_address(
            (root / "pyproject.toml").read_text(encoding="utf-8"), address),
        root / "README.md": with_readme_links(
            (root / "README.md").read_text(encoding="utf-8"),
            readme_links(address, lesson_notebooks(root / "notebooks")),
        ),
    }
    chinese = root / "README.zh-CN.md"  # the Chinese edition's badges, if it has the block
    if chinese.exists() and README_START in chinese.read_text(encoding="utf-8"):
        new_texts[chinese] = with_readme_links(
            chinese.read_text(encoding="utf-8"),
            readme_links(address, lesson_notebooks(root / "notebooks"), lang="zh-CN"))
    cell = bootstrap_cell(address)
    for pair in find_pairs(root / "notebooks"):
        new_texts[pair.script] = _script_with_bootstrap(pair, cell)
        if pair.notebook.exists():  # a new lesson's .ipynb comes from its first refresh
            new_texts[pair.notebook] = _notebook_with_bootstrap(pair, cell)
    for edition in editions(notebooks=root / "notebooks"):  # notebooks/zh-CN/: builds, no .py
        if edition.notebook.exists():
            new_texts[edition.notebook] = _notebook_with_bootstrap(edition, cell)
    return {path: text for path, text in new_texts.items()
            if path.read_text(encoding="utf-8") != text}


def _script_with_bootstrap(pair: Pair, cell: str) -> str:
    text = pair.script.read_text(encoding="utf-8")
    old = _first_code_cell(jupytext.reads(text, fmt="py:percent"), pair.script).source
    if old == cell:
        return text
    if text.count(old) != 1:  # the percent format keeps code cells verbatim
        raise AddressError(f"{pair.script.name}: cannot find its first code cell's text")
    new_text = text.replace(old, cell)
    written = _first_code_cell(jupytext.reads(new_text, fmt="py:percent"), pair.script).source
    assert written == cell, f"{pair.script.name}: the new bootstrap did not read back"
    return new_text


def _notebook_with_bootstrap(pair: Pair, cell: str) -> str:
    text = pair.notebook.read_text(encoding="utf-8")
    notebook = nbformat.reads(text, as_version=4)
    first = _first_code_cell(notebook, pair.notebook)
    if first.source == cell:
        return text
    first.source = cell  # outputs, execution count and id stay: the cell prints nothing
    new_text = nbformat.writes(notebook)
    return new_text if new_text.endswith("\n") else new_text + "\n"  # as nbformat.write does


def _first_code_cell(notebook, path: Path):
    code = [c for c in notebook.cells if c.cell_type == "code"]
    if not code or not is_bootstrap(code[0].source):
        raise AddressError(f"{path.name}: its first code cell is not the bootstrap that "
                           "installs coursekit (copy it from another lesson)")
    return code[0]


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(prog="course.py rehome", description=__doc__.split("\n")[0])
    parser.add_argument("address", nargs="?",
                        help="the course's new git repository (default: pyproject's Source)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 and list the files that are out of date")
    args = parser.parse_args(argv)
    try:
        address = check_address(args.address or course_address(root))
        changes = planned_changes(root, address)
    except AddressError as error:
        print(f"rehome: {error}", file=sys.stderr)
        return 2
    names = [str(path.relative_to(root)) for path in changes]
    if args.check:
        for name in names:
            print(f"out of date: {name}")
        print(f"{len(names)} file(s) do not match {address}; run `python course.py rehome`."
              if names else f"Every place points at {address}.")
        return 1 if names else 0
    for path, text in changes.items():
        write_atomic(path, text)
        print(f"updated {path.relative_to(root)}")
    print(f"The course's address is {address}: {len(names)} file(s) changed. "
          "No notebook needs re-executing; commit and push." if names
          else f"Every place already points at {address}: nothing to change.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
