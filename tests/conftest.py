"""Shared fixtures: every test gets its own PLUME_HOME, so history and settings never leak."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def plume_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("plume-home")
    monkeypatch.setenv("PLUME_HOME", str(home))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PLUME_MODEL", "PLUME_LOCAL_MODEL", "PLUME_HOUSE_DIR"):
        monkeypatch.delenv(var, raising=False)
    return home
