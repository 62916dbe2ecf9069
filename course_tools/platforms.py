"""The course tools' platform decisions, made in one place from WINDOWS alone, so
that tests on Linux can drive the Windows branches by patching it
(`monkeypatch.setattr(platforms, "WINDOWS", True)`).

Windows differs where it matters to us: no os.execv that replaces the process
(it starts a new one and returns the console at once), no flock, no signal 0 to
ask whether a process lives (os.kill(pid, 0) ends it there), and launchers are
`Scripts/NAME.exe` instead of `bin/NAME`.
"""

from __future__ import annotations

import os
from pathlib import Path

WINDOWS = os.name == "nt"


def can_become() -> bool:
    """Whether os.execv really replaces this process with another program."""
    return not WINDOWS


def launcher(python: Path | str, name: str) -> Path:
    """The console script `name` installed beside the environment's `python`."""
    return Path(python).with_name(f"{name}.exe" if WINDOWS else name)


def can_lock_files() -> bool:
    """Whether fcntl.flock exists (POSIX)."""
    return not WINDOWS


def can_probe_processes() -> bool:
    """Whether os.kill(pid, 0) only asks if a process lives (POSIX)."""
    return not WINDOWS
