"""Writing files so that an interruption never leaves half of one.

Every file the course tooling writes goes through `write_atomic`: the new
content goes to a temporary file in the same folder, is flushed to disk, and
only then replaces the old file with one `os.replace` (atomic on POSIX and
Windows). A crash, Ctrl+C, a full disk or a kill at any point leaves either the
old file or the new one, never a truncated mix.

A kill (SIGKILL, a power cut) can leave the temporary file behind. Its name says
whose it is, `.NAME.PID.XXXXXXXX.tmp`, and the next write into that folder
removes the ones whose process is gone (or that are more than a day old): never
the live temporary file of a concurrent writer.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

# .NAME.PID.RANDOM.tmp as write_atomic names them (RANDOM: tempfile's 8 characters);
# PID is missing in the names older versions used.
TEMPORARY = re.compile(r"^\..+?\.(?:(?P<pid>\d+)\.)?[a-z0-9_]{8}\.tmp$")
STALE_AFTER_S = 24 * 3600  # a writer this old is not writing any more (pid reuse)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Replace `path` with `data` (str is written as UTF-8), atomically."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    remove_stale_temporaries(path.parent)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.",
                                     suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():  # keep the old file's permissions, not mkstemp's 0600
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def is_stale(path: Path, pid: str | None) -> bool:
    """Whether a leftover of process `pid` (None: unknown) may go: that process is
    gone, or the file is older than a day."""
    try:
        if time.time() - path.stat().st_mtime > STALE_AFTER_S:
            return True
    except OSError:
        return False
    if not pid or not pid.isdigit() or os.name != "posix":
        return False  # (on Windows, os.kill(pid, 0) would send Ctrl+C)
    if int(pid) == os.getpid():
        return False  # ours: another thread of this process may be writing it
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, someone else's
        return False
    return False


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove write_atomic's temporary files in `folder` left by killed writers."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = TEMPORARY.match(entry.name)
        if match and entry.is_file(follow_symlinks=False):
            path = Path(entry.path)
            if is_stale(path, match.group("pid")):
                try:
                    path.unlink()
                    removed.append(path)
                except OSError:
                    pass  # gone already, or not ours to remove: harmless
    return removed
