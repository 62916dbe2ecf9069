"""Writing files so that an interruption never leaves half of one.

Every file the course tooling writes goes through `write_atomic`: the new
content goes to a temporary file in the same folder, is flushed to disk, and
only then replaces the old file with one `os.replace` (atomic on POSIX and
Windows). A crash, Ctrl+C, a full disk or a kill at any point leaves either the
old file or the new one, never a truncated mix.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes | str) -> None:
    """Replace `path` with `data` (str is written as UTF-8), atomically."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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
