"""Project settings from ./plume.toml (flags and environment take precedence; callers decide)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from plume.errors import InputError

CONFIG_NAME = "plume.toml"


def project_config(cwd: Path | None = None) -> dict[str, Any]:
    """Parsed ./plume.toml, or {} when there is none. A broken file is an InputError naming it."""
    path = (cwd or Path.cwd()) / CONFIG_NAME
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from exc


def section(name: str, cwd: Path | None = None) -> dict[str, Any]:
    """One table of plume.toml ([backend], [author], …), {} when absent."""
    value = project_config(cwd).get(name, {})
    if not isinstance(value, dict):
        raise InputError(f"{(cwd or Path.cwd()) / CONFIG_NAME}: [{name}] must be a table")
    return value
