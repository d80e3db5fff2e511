"""Where Plume finds the house (corpus, prompts, eval) and keeps its state."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def house_root() -> Path:
    """Folder holding corpus/, prompts/ and eval/: $PLUME_HOUSE_DIR, else the copy shipped in the wheel,
    else the repository checkout this package runs from."""
    env = os.environ.get("PLUME_HOUSE_DIR")
    if env:
        return Path(env).expanduser()
    shipped = _PACKAGE / "_data"
    if (shipped / "prompts").is_dir():
        return shipped
    return _PACKAGE.parent.parent


def corpus_dir() -> Path:
    return house_root() / "corpus"


def prompts_dir() -> Path:
    return house_root() / "prompts"


def house_file() -> Path:
    return prompts_dir() / "house.yaml"


def eval_dir() -> Path:
    return house_root() / "eval"


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
