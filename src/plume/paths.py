"""Where Plume finds the house (corpus, prompts, eval) and keeps its state."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped_root() -> Path:
    """The house shipped with Plume: the copy in the wheel, else the repository checkout this runs from."""
    shipped = _PACKAGE / "_data"
    if (shipped / "prompts").is_dir():
        return shipped
    return _PACKAGE.parent.parent


def house_root() -> Path:
    """Folder holding prompts/house.yaml (and optionally corpus/, eval/, templates): $PLUME_HOUSE_DIR, else
    plume.toml [house] dir, else the shipped house."""
    env = os.environ.get("PLUME_HOUSE_DIR")
    if env:
        return Path(env).expanduser()
    from plume.config import config_path

    return config_path("house", "dir") or shipped_root()


def corpus_dir() -> Path:
    """The style corpus: plume.toml [house] corpus (e.g. the vault), else corpus/ of the house folder."""
    if not os.environ.get("PLUME_HOUSE_DIR"):
        from plume.config import config_path

        configured = config_path("house", "corpus")
        if configured is not None:
            return configured
    return house_root() / "corpus"


def prompts_dir() -> Path:
    return house_root() / "prompts"


def template_dirs() -> list[Path]:
    """Where templates are looked up: the house's prompts/ first, then the shipped ones (the fallback)."""
    dirs = [prompts_dir()]
    shipped = shipped_root() / "prompts"
    if shipped.resolve() != dirs[0].resolve():
        dirs.append(shipped)
    return dirs


def house_file() -> Path:
    return prompts_dir() / "house.yaml"


def eval_dir() -> Path:
    """eval/ of the house folder when it has one, else the shipped briefs and reference copy."""
    own = house_root() / "eval"
    return own if own.is_dir() else shipped_root() / "eval"


def output_dir() -> Path | None:
    """Plume's own output folder in the vault (plume.toml [output] dir), never read as the author's notes."""
    from plume.config import config_path

    return config_path("output", "dir")


def user_dir() -> Path:
    """State (history database, settings): $PLUME_HOME, else the platform's user data directory."""
    env = os.environ.get("PLUME_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("plume", appauthor=False))


def cache_dir() -> Path:
    """Large rebuildable files (the assembled embedded model): $PLUME_CACHE_DIR, else the user cache."""
    env = os.environ.get("PLUME_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("plume", appauthor=False))


def vocab_dir() -> Path:
    """tiktoken vocabulary files shipped inside the package (named as tiktoken's cache names them)."""
    return _PACKAGE / "_vocab"
