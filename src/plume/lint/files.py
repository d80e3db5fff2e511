"""Files for `plume lint`: reading (or stdin), the frontmatter's audience/format, atomic writes, diffs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from plume.errors import InputError
from plume.files import write_atomic  # noqa: F401  (re-exported: `plume lint --fix` writes through it)
from plume.lint.markdown import FRONTMATTER

STDIN = "-"


def read_source(name: str) -> str:
    """The text of a file, or of stdin for "-"; one-line InputError naming the file otherwise."""
    if name == STDIN:
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    else:
        try:
            data = Path(name).read_bytes()
        except IsADirectoryError:
            raise InputError(f"{name}: is a directory, not a file") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if b"\x00" in data[:8192]:
        raise InputError(f"{_label(name)}: binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{_label(name)}: not UTF-8 (byte {exc.start})") from None
    return text.replace("\r\n", "\n")


def _label(name: str) -> str:
    return "<stdin>" if name == STDIN else name


_SCOPE_LINE = re.compile(r"^(audience|format):[ \t]*(.*?)[ \t]*$", re.M)
_PLAIN_SCALAR = re.compile(r"""^(?:"([^"\\]*)"|'([^']*)'|([^\s"'\[\]{}|>&*!%@`#,][^#]*?))(?:[ \t]+#.*)?$""")


def frontmatter_scope(text: str, name: str = STDIN) -> tuple[str | None, str | None]:
    """(audience, format) declared in the YAML frontmatter, each None when absent.

    Plain `audience: pme` lines are read directly (no YAML parser to import: `plume lint` starts
    faster); anything else goes through PyYAML."""
    m = FRONTMATTER.match(text)
    if not m:
        return None, None
    found: dict[str, str] = {}
    for key, raw in _SCOPE_LINE.findall(m.group()):
        scalar = _PLAIN_SCALAR.match(raw)
        if not scalar:
            return _yaml_scope(m.group(), name)
        found[key] = next(g for g in scalar.groups() if g is not None).strip()
    return found.get("audience") or None, found.get("format") or None


def _yaml_scope(block: str, name: str) -> tuple[str | None, str | None]:
    import yaml

    lines = block.splitlines()[1:-1]  # between the --- lines
    try:
        data = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        raise InputError(f"{_label(name)}: invalid YAML frontmatter{where}") from None
    if not isinstance(data, dict):
        return None, None
    audience, fmt = data.get("audience"), data.get("format")
    return (str(audience) if audience else None), (str(fmt) if fmt else None)


def unified_diff(name: str, before: str, after: str) -> str:
    import difflib

    label = _label(name)
    old, new = (label, label) if Path(label).is_absolute() else (f"a/{label}", f"b/{label}")
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), old, new))
