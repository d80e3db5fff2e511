"""Writing preview files safely: atomically, and never over a file Plume did not write."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from plume import files
from plume.errors import InputError

HTML_MARK = b'<meta name="generator" content="plume preview">'
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_MARK = b"Software\x00plume preview"


def is_preview(path: Path) -> bool:
    """Whether an existing file is one Plume wrote (an earlier preview page or picture)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    if head.startswith(PNG_SIGNATURE):
        return PNG_MARK in head
    return HTML_MARK in head


def check_writable(path: Path, force: bool = False) -> None:
    """Refuse to replace a file that is not an earlier preview, unless forced."""
    if path.is_dir():
        raise InputError(f"{path}: is a directory")
    if path.exists() and not force and not is_preview(path):
        raise InputError(f"{path}: exists and is not a Plume preview; refusing to overwrite it (use --force)")


def write_atomic(path: Path, data: bytes, force: bool = False) -> Path:
    """Write through a temporary file in the same folder, then rename over the target."""
    path = Path(path)
    check_writable(path, force)
    return files.write_atomic(path, data)


def mark_png(data: bytes) -> bytes:
    """Add a tEXt chunk 'Software: plume preview' right after IHDR, so a later run knows the file."""
    if not data.startswith(PNG_SIGNATURE) or PNG_MARK in data[:4096]:
        return data
    ihdr_end = len(PNG_SIGNATURE) + 8 + struct.unpack(">I", data[8:12])[0] + 4
    chunk = b"tEXt" + PNG_MARK
    packed = struct.pack(">I", len(PNG_MARK)) + chunk + struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    return data[:ihdr_end] + packed + data[ihdr_end:]

