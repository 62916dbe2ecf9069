"""The course's own tooling, for maintainers and instructors (not for lessons).

Lessons import `coursekit` (src/coursekit/), the package a student installs,
on Colab too. Everything here serves the people who run the course: refreshing
the executed notebooks, proving each jupytext pair is in sync, the instructors'
per-lesson report, the lock. It is never installed: `course.py` runs it from
this folder, so it always works on the course folder it sits in, never on
another copy that a package install happens to point at.
"""

import sys
from pathlib import Path

# nbformat imports jsonschema, which imports rfc3987_syntax (installed for Jupyter's
# event schemas) if it can: that builds a parser for web addresses, 1.3 s of every
# process that reads a notebook (each pytest worker of `course.py check` and `test`).
# Nothing here checks web addresses against a schema, so jsonschema goes without.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # None: `import` raises ImportError

ROOT = Path(__file__).resolve().parents[1]  # the course folder: where course.py lives
NOTEBOOKS = ROOT / "notebooks"
