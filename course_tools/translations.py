"""Translations of the lessons: one gettext catalog per notebook.

`notebooks/zh-CN/po/NN_name.po` (solutions: `po/solutions/NN_name_solutions.po`)
holds one entry per Markdown cell of the English lesson: msgid is the cell's
whole source as in `notebooks/NN_name.py`, msgstr its translation. An English
cell that changes no longer matches its msgid, so its translation shows up as
missing: that is how drift is caught.

    python -m course_tools.translations extract   # add new English cells to every catalog
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import polib

from course_tools import ROOT

NOTEBOOKS = ROOT / "notebooks"
EDITIONS = {"zh-CN": NOTEBOOKS / "zh-CN"}


def english_sources() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py")) + sorted(
        (NOTEBOOKS / "solutions").glob("[0-9][0-9]_*.py"))


def catalog_path(source: Path, lang: str = "zh-CN") -> Path:
    relative = source.relative_to(NOTEBOOKS).with_suffix(".po")
    return EDITIONS[lang] / "po" / relative


def markdown_cells(source: Path) -> list[str]:
    notebook = jupytext.read(source)
    return [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]


def extract(source: Path, lang: str = "zh-CN") -> Path:
    """Bring one catalog up to date with its English lesson, keeping every translation."""
    path = catalog_path(source, lang)
    old = polib.pofile(str(path)) if path.exists() else None
    known = {entry.msgid: entry.msgstr for entry in old} if old else {}
    catalog = polib.POFile(wrapwidth=0)
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": lang}
    for number, text in enumerate(markdown_cells(source), start=1):
        if catalog.find(text) is None:
            catalog.append(polib.POEntry(msgid=text, msgstr=known.get(text, ""),
                                         occurrences=[(source.name, str(number))]))
    path.parent.mkdir(parents=True, exist_ok=True)
    from course_tools.files import write_atomic

    write_atomic(path, catalog.__unicode__())
    return path


def main(argv: list[str]) -> int:
    if argv[:1] != ["extract"]:
        print(__doc__)
        return 2
    for source in english_sources():
        print(extract(source).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
