"""Make a course folder in a temporary place, for tests that must not write the real one.

`copy_course` copies this course's tree (no .git, no .venv, no my-work). Run
`course.py` there with COURSEKIT_PYTHON set to this environment's Python, so it
starts at once and never installs into (or repoints) the real .venv.
"""

from __future__ import annotations

import shutil
import subprocess
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


def copy_listed(destination: Path) -> Path:
    """The course's files as git would commit them now (tracked, or new and not
    ignored), copied to `destination`."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    return destination


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`: relative path -> content."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}
