"""Project settings from plume.toml, found in the current folder or the nearest parent (like ruff, Vale).

Flags and environment take precedence; callers decide. Every table and key is known here: an unknown one
is an InputError naming the file and the key. Relative paths are relative to the folder of plume.toml.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from plume.errors import InputError

CONFIG_NAME = "plume.toml"

# table → its keys (None: any key; [prices] maps model names to price tables, checked by plume.pricing).
KEYS: dict[str, frozenset[str] | None] = {
    "backend": frozenset({"model", "base_url", "local_model", "api_key_env", "timeout", "max_retries", "n_ctx",
                          "max_tokens_cap", "parallel"}),
    "author": frozenset({"name", "headline"}),
    "compose": frozenset({"prefer"}),  # "author" | "model": who wins a tie in composition (plume.write.compose)
    "house": frozenset({"dir", "corpus"}),
    "lint": None,  # select, ignore, min-severity, per-folder (plume.lint.selection), audience, format
    "output": frozenset({"dir"}),
    "prices": None,
    "sampling": None,  # per-request sampling for llama.cpp / vLLM servers (plume.backends.openai_compat)
}


def find_config(cwd: Path | None = None) -> Path | None:
    """plume.toml in `cwd` (default: the current folder) or its nearest parent folder, else None."""
    start = Path(cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _check_keys(path: Path, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if name not in KEYS:
            raise InputError(f"{path}: unknown table or key {name!r} (known: {', '.join(sorted(KEYS))})")
        if not isinstance(value, dict):
            raise InputError(f"{path}: [{name}] must be a table")
        known = KEYS[name]
        if known is None:
            continue
        for key in value:
            if key not in known:
                raise InputError(f"{path}: unknown key {key!r} in [{name}] (known: {', '.join(sorted(known))})")


@lru_cache(maxsize=8)
def _parse(path: Path, mtime_ns: int) -> dict[str, Any]:
    import tomllib  # on the first parse: where there is no plume.toml, no command loads it

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from exc
    _check_keys(path, data)
    return data


def project_config(cwd: Path | None = None) -> dict[str, Any]:
    """Parsed plume.toml (this folder or the nearest parent), or {} when there is none."""
    path = find_config(cwd)
    if path is None:
        return {}
    return _parse(path, path.stat().st_mtime_ns)


def section(name: str, cwd: Path | None = None) -> dict[str, Any]:
    """One table of plume.toml ([backend], [author], …), {} when absent."""
    if name not in KEYS:
        raise ValueError(f"plume.toml has no [{name}] table in plume.config.KEYS")
    return dict(project_config(cwd).get(name, {}))


def config_path(name: str, key: str, cwd: Path | None = None) -> Path | None:
    """A path setting ([house] dir, …) resolved against the folder of plume.toml; None when unset."""
    value = section(name, cwd).get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{find_config(cwd)}: [{name}] {key} must be a folder path (a string)")
    return (find_config(cwd).parent / Path(value).expanduser()).resolve()
