"""File writing shared by every command: atomic replacement, so nothing the user has is half-written."""

from __future__ import annotations

import os
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _redacted(data: str | bytes) -> str | bytes:
    from plume.redact import redact

    if isinstance(data, str):
        return redact(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # binary (a PNG): nothing of ours is in it as text
    masked = redact(text)
    return data if masked == text else masked.encode("utf-8")


def write_atomic(path: str | Path, data: str | bytes, *, redact: bool = True) -> Path:
    """Write through a temp file in the same folder, then os.replace over `path` (text as UTF-8, newlines
    kept as given). An existing file keeps its mode; a new one gets the usual 0666 & ~umask. Whether an
    existing file may be replaced is the caller's decision.

    What Plume writes has its secrets masked (plume.redact); `redact=False` writes the user's own bytes
    exactly (lint --fix, a backup)."""
    path = Path(path)
    if redact:
        data = _redacted(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    import tempfile  # lazily: `plume lint` imports this module on its start-up path

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
