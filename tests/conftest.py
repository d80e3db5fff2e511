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


# -- the embedded model (owned by the backends issue; names are stable, other tests use them) ----------
@pytest.fixture(scope="session")
def embedded_base_url():
    """Start the embedded llama.cpp server once per test session (assembling the model into the user
    cache the first time) and yield its OpenAI-compatible base URL (http://127.0.0.1:PORT/v1).
    Tests using it should be marked `@pytest.mark.embedded`."""
    pytest.importorskip("xllamacpp")
    from plume.backends.embedded import shared_server

    yield shared_server(progress=False).base_url


@pytest.fixture(scope="session")
def embedded_backend(embedded_base_url):
    """An EmbeddedBackend on the session's shared server (history goes to each test's own PLUME_HOME)."""
    from plume.backends.embedded import EmbeddedBackend

    backend = EmbeddedBackend(progress=False)
    yield backend
    backend.close()
