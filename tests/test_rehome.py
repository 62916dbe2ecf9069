"""`python course.py rehome URL` moves every place the course's address is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from course_copy import copy_listed, tree_bytes

from course_tools import ROOT
from course_tools.bootstrap import (
    AddressError,
    bootstrap_cell,
    check_address,
    course_address,
    readme_links,
)
from course_tools.notebook_pairs import execution_problems, find_pairs, sync_problems
from course_tools.rehome import main as rehome
from course_tools.rehome import planned_changes

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(),
    reason="copies the course with `git ls-files`: needs git and a git checkout",
)
FORK = "https://github.com/a-teacher/pytorch-course"
# The bootstrap lessons carried before this one: a lesson written from an old copy.
OLD_BOOTSTRAP = '''# On Colab or Binder the course helpers may be missing: install them once.
try:
    import coursekit
except ModuleNotFoundError:
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q",
         "coursekit @ git+{address}"],
        check=True,
    )
    import coursekit'''


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A copy of the course's files (what git would commit)."""
    return copy_listed(tmp_path / "course")


def code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_every_place_matches_the_course_address():
    """Every lesson's first cell and the README's badges come from pyproject's Source."""
    stale = planned_changes(ROOT, check_address(course_address()))
    assert not stale, (
        f"out of date: {', '.join(p.name for p in stale)}; run `python course.py rehome`"
    )


def test_rehome_changes_every_place_and_keeps_every_pair_in_sync(course, capsys):
    old = course_address(course)
    before = tree_bytes(course)
    assert rehome([FORK], root=course) == 0

    assert course_address(course) == FORK
    for name, data in tree_bytes(course).items():
        assert old.encode() not in data, f"{name} still names the old address"
    readme = (course / "README.md").read_text()
    pairs = find_pairs(course / "notebooks")
    assert len(pairs) >= 11
    for pair in pairs:
        name = str(pair.script.relative_to(course / "notebooks").with_suffix(""))
        assert not sync_problems(pair), name
        assert not execution_problems(pair), name
        first = code_cells(pair.notebook)[0]
        assert first.source == bootstrap_cell(FORK) and first.outputs == []
        # Only the bootstrap's source changed: every other cell, and its outputs, as it was.
        original = nbformat.reads(before[str(pair.notebook.relative_to(course))], as_version=4)
        assert code_cells(pair.notebook)[1:] == [c for c in original.cells
                                                 if c.cell_type == "code"][1:]
        if not name.startswith("solutions/"):
            colab = ("https://colab.research.google.com/github/a-teacher/pytorch-course/blob/main/"
                     f"notebooks/{pair.notebook.name}")
            assert f"]({colab})" in readme, f"no Colab badge for {name}"
    assert "https://mybinder.org/v2/gh/a-teacher/pytorch-course/HEAD" in readme

    after = tree_bytes(course)
    assert rehome([FORK], root=course) == 0, "rehoming twice"
    assert tree_bytes(course) == after, "a second rehome must change nothing"
    assert rehome(["--check"], root=course) == 0
    assert "nothing to change" in capsys.readouterr().out


def test_rehome_without_an_address_brings_a_new_lesson_up_to_date(course, capsys):
    """A lesson added from an old copy (say lesson 06) gets the bootstrap and its badge."""
    lessons = course / "notebooks"
    script = (lessons / "01_tensors.py").read_text()
    current = bootstrap_cell(course_address(course))
    old = OLD_BOOTSTRAP.format(address=course_address(course))
    (lessons / "06_extra.py").write_text(script.replace(current, old))
    notebook = nbformat.read(lessons / "01_tensors.ipynb", as_version=4)
    next(c for c in notebook.cells if c.cell_type == "code").source = old
    nbformat.write(notebook, lessons / "06_extra.ipynb")
    (lessons / "07_unrefreshed.py").write_text(script.replace(current, old))  # no .ipynb yet

    assert rehome(["--check"], root=course) == 1
    stale = capsys.readouterr().out
    assert "notebooks/06_extra.py" in stale and "notebooks/06_extra.ipynb" in stale
    assert "notebooks/07_unrefreshed.py" in stale
    assert "README.md" in stale and "notebooks/01_tensors.py" not in stale

    assert rehome([], root=course) == 0
    (new_lesson,) = [p for p in find_pairs(lessons) if p.script.stem == "06_extra"]
    assert code_cells(new_lesson.notebook)[0].source == bootstrap_cell(course_address(course))
    assert not sync_problems(new_lesson)
    assert bootstrap_cell(course_address(course)) in (lessons / "07_unrefreshed.py").read_text()
    assert "notebooks/06_extra.ipynb)" in (course / "README.md").read_text()
    assert rehome(["--check"], root=course) == 0


@pytest.mark.parametrize("address", ["not a url", "github.com/x/y", "https://github.com/x",
                                     "https://github.com/x/y/tree/main", 'https://h.org/a/"b'])
def test_a_bad_address_is_one_line_and_changes_nothing(course, capsys, address):
    before = tree_bytes(course)
    assert rehome([address], root=course) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "is not a git repository address" in error
    assert "example: https://github.com/YOU/course" in error
    assert tree_bytes(course) == before


def test_a_lesson_without_a_bootstrap_stops_rehome_before_any_write(course, capsys):
    script = course / "notebooks" / "02_autograd.py"
    bootstrap = bootstrap_cell(course_address(course))
    script.write_text(script.read_text().replace(bootstrap, "print('a lesson of my own')"))
    before = tree_bytes(course)
    assert rehome([FORK], root=course) == 2
    assert "02_autograd.py: its first code cell is not the bootstrap" in capsys.readouterr().err
    assert tree_bytes(course) == before


def test_addresses_are_tidied_and_other_hosts_get_binder_but_no_colab():
    assert check_address("https://github.com/a/b.git/") == "https://github.com/a/b"
    with pytest.raises(AddressError):
        check_address("ftp://example.org/a/b")
    block = readme_links("https://gitlab.example.org/a/b", ["00_setup_check.ipynb"])
    assert "mybinder.org/v2/git/https%3A%2F%2Fgitlab.example.org%2Fa%2Fb/HEAD" in block
    assert "colab.research.google.com" not in block and "GitHub only" in block
