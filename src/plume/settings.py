"""The user's own settings, kept in $PLUME_HOME/settings.json (not in a project's plume.toml).

One setting today: whether model calls are logged in the history (`plume history --off/--on`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from plume.errors import InputError

SETTINGS_NAME = "settings.json"


def settings_path() -> Path:
    from plume.paths import user_dir

    return user_dir() / SETTINGS_NAME


def load() -> dict[str, Any]:
    path = settings_path()
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not readable settings ({exc}); fix or delete it") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: settings must be a JSON object")
    return data


def save(**changes: Any) -> Path:
    from plume import files

    data = {**load(), **changes}
    return files.write_atomic(settings_path(), json.dumps(data, indent=2, sort_keys=True) + "\n")


def history_enabled() -> bool:
    """False after `plume history --off`: no prompt, answer or usage is written to the history."""
    return load().get("history", True) is not False
