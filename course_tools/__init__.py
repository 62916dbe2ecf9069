"""The course's own tooling, for maintainers and instructors (not for lessons).

Lessons import `coursekit` (src/coursekit/), the package a student installs,
on Colab too. Everything here serves the people who run the course: refreshing
the executed notebooks, proving each jupytext pair is in sync, the instructors'
per-lesson report, the lock. It is never installed: `course.py` runs it from
this folder, so it always works on the course folder it sits in, never on
another copy that a package install happens to point at.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the course folder: where course.py lives
NOTEBOOKS = ROOT / "notebooks"
