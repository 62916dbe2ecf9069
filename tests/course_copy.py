"""Make a course folder in a temporary place, for tests that must not write the real one.

`copy_course` copies this course's tree (no .git, no .venv, no my-work). Run
`course.py` there with COURSEKIT_PYTHON set to this environment's Python, so it
starts at once and never installs into (or repoints) the real .venv.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".git", ".venv", "my-work", "test-artifacts", "__pycache__",
                              ".ipynb_checkpoints", ".pytest_cache", ".ruff_cache", "*.egg-info")


def copy_course(destination: Path) -> Path:
    shutil.copytree(ROOT, destination, ignore=SKIP)
    return destination


def tree_state(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under `folder`: relative path -> (mtime in ns, content)."""
    return {
        path.relative_to(folder).as_posix(): (path.stat().st_mtime_ns, path.read_bytes())
        for path in sorted(folder.rglob("*")) if path.is_file()
    }
