"""File writing shared by every command: atomic replacement, so nothing the user has is half-written; a
read-only file or folder is one clear error, a symlink is written through, and a text file rewritten in
place keeps its byte-order mark and line endings everywhere Plume did not change a line."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from plume.errors import InputError

BOM = b"\xef\xbb\xbf"
_LINE = re.compile(r"[^\n]*\n|[^\n]+")


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


def target_of(path: str | Path) -> Path:
    """Where writing `path` lands: a symlink's final target (written through, as ruff and prettier do)."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _read_only(st: os.stat_result, path: Path) -> bool:
    # the mode bits, not only access(): as root access() says yes to everything, yet a 0444 file was made
    # read-only on purpose
    return not (st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(path, os.W_OK)


def check_writable(path: str | Path) -> Path:
    """The path writing `path` would replace, or an InputError naming what is in the way: a folder, a
    read-only file, a read-only (or missing-and-uncreatable) folder. Nothing is created."""
    path = target_of(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{path}: is a folder, not a file")
        if _read_only(st, path):
            raise InputError(f"{path}: read-only file; left unchanged")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(f"{path}: {folder} is a file, not a folder")
    if _read_only(folder.stat(), folder):
        raise InputError(f"{path}: the folder {folder} is read-only")
    return path


def write_atomic(path: str | Path, data: str | bytes, *, redact: bool = True) -> Path:
    """Write through a temp file in the same folder, then os.replace over `path` (text as UTF-8, newlines
    kept as given). An existing file keeps its mode; a new one gets the usual 0666 & ~umask; a symlink is
    written through to its target. Whether an existing file may be replaced is the caller's decision;
    a read-only file or folder, or any failure to write, is an InputError naming the file.

    What Plume writes has its secrets masked (plume.redact); `redact=False` writes the user's own bytes
    exactly (lint --fix, a backup)."""
    path = check_writable(path)
    if redact:
        data = _redacted(data)
    import tempfile  # lazily: `plume lint` imports this module on its start-up path

    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = path.stat().st_mode & 0o7777
        except OSError:
            mode = 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise
    return path


def encode_like(original: bytes, text: str) -> bytes:
    """`text` (read from `original` with its BOM dropped and CRLF read as LF) back to bytes the way
    `original` was written: the BOM kept, and every line Plume did not change byte for byte as it was
    (its CRLF or LF); new or changed lines end like most of the file's lines."""
    bom = original.startswith(BOM)
    body = original[len(BOM):] if bom else original
    if b"\r\n" not in body:
        return (BOM if bom else b"") + text.encode("utf-8")
    old_lines = _LINE.findall(body.decode("utf-8"))
    plain = [line[:-2] + "\n" if line.endswith("\r\n") else line for line in old_lines]
    new_lines = _LINE.findall(text)
    crlf = sum(line.endswith("\r\n") for line in old_lines)
    usual = "\r\n" if crlf * 2 >= sum(line.endswith("\n") for line in old_lines) else "\n"

    def ending_of(line: str, like: str | None) -> str:
        if not line.endswith("\n"):
            return line
        if like is not None and like.endswith("\r\n"):
            return line[:-1] + "\r\n"
        if like is not None and like.endswith("\n"):
            return line
        return line[:-1] + usual

    out: list[str] = []
    if len(new_lines) == len(plain):
        for old, flat, new in zip(old_lines, plain, new_lines):
            out.append(old if new == flat else ending_of(new, old))
    else:
        import difflib

        matcher = difflib.SequenceMatcher(None, plain, new_lines, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                out.extend(old_lines[i1:i2])
                continue
            for k, new in enumerate(new_lines[j1:j2]):
                out.append(ending_of(new, old_lines[i1 + k] if i1 + k < i2 else None))
    return (BOM if bom else b"") + "".join(out).encode("utf-8")


def rewrite_text(path: str | Path, text: str) -> Path:
    """Replace a text file the user owns with `text` (its new content as Plume reads files: no BOM, LF),
    keeping its BOM and line endings (see encode_like), through a symlink, refusing read-only files."""
    target = check_writable(path)
    try:
        original = target.read_bytes()
    except FileNotFoundError:
        original = b""
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return write_atomic(target, encode_like(original, text), redact=False)


def keep_recovery(data: str, name: str) -> Path:
    """Keep a copy that could not be written where asked (an answer paid for) in $PLUME_HOME/recovered/;
    returns its path. Falls back to the system temp folder when the home cannot be written either."""
    import tempfile
    import time

    from plume.paths import user_dir

    stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{Path(name).name or 'copy'}"
    for folder in (user_dir() / "recovered", Path(tempfile.gettempdir()) / "plume-recovered"):
        try:
            return write_atomic(folder / stem, data)
        except InputError:
            continue
    raise InputError(f"{name}: cannot write the copy anywhere (neither {user_dir()} nor the temp folder)")
