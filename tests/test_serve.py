"""The warm server (`plume serve`) and the shared prefix's KV cache file kept across processes.

The model tests are marked `embedded`; the rest check the state file and cache names without a model.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request

import pytest
from typer.testing import CliRunner

from plume.backends import prefix, warm
from plume.cli import app

SYSTEM = {"role": "system", "content": "Vous écrivez en français, à la première personne, sans Markdown."}
ASK = {"role": "user", "content": "Dites en une phrase ce qu'est un Chief of Staff."}


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh Plume cache dir (kv files, serve.json); the model file stays where it was assembled."""
    from plume.backends.assemble import default_path

    model = default_path()
    monkeypatch.setenv("PLUME_CACHE_DIR", str(tmp_path / "cache"))
    return model


def test_cache_names_differ_per_model_and_per_system_text(tmp_path):
    a, b = tmp_path / "a.gguf", tmp_path / "b.gguf"
    a.write_bytes(b"GGUF-a")
    b.write_bytes(b"GGUF-bb")
    assert prefix.cache_name(a, "système") != prefix.cache_name(b, "système")
    assert prefix.cache_name(a, "système") != prefix.cache_name(a, "système 2")
    assert prefix.cache_name(a, "système") == prefix.cache_name(a, "système")
    assert "/" not in prefix.cache_name(a, "x") and prefix.cache_name(a, "x").startswith("a-")


def test_no_server_running(tmp_path, monkeypatch):
    monkeypatch.setenv("PLUME_CACHE_DIR", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(app, ["serve", "--status"]).output.strip() == "not running"
    result = runner.invoke(app, ["serve", "--stop"])
    assert result.exit_code == 0 and "no server was running" in result.output


def test_a_state_file_left_by_a_dead_server_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("PLUME_CACHE_DIR", str(tmp_path))
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    warm.state_file().write_text(json.dumps({"pid": dead, "address": "http://127.0.0.1:9", "model_path": "/x.gguf",
                                             "n_ctx": 4096, "parallel": 1, "idle_timeout": 1.0,
                                             "started": 0.0}), encoding="utf-8")
    assert warm.running() is None and warm.find(None) is None
    assert warm.stop() is None and not warm.state_file().exists()


def test_serve_on_a_backend_that_is_not_embedded(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2 and "plume serve runs the embedded model" in result.output


# -- with the model -----------------------------------------------------------------------------------

@pytest.mark.embedded
def test_restored_prefix_gives_the_same_answer_as_a_cold_one(cache):
    from plume.backends.embedded import EmbeddedBackend

    cold = EmbeddedBackend(cache, n_ctx=1024, parallel=1, use_warm=False)  # a server of its own
    first = cold.complete([SYSTEM, ASK], max_tokens=24, temperature=0.0).text
    assert cold.server.prefix_state == "computed"
    files = list(cold.server.slot_dir.glob("*.bin"))
    assert [f.name for f in files] == [prefix.cache_name(cache, SYSTEM["content"])]
    assert str(files[0]).startswith(os.environ["PLUME_CACHE_DIR"])

    restored = EmbeddedBackend(cache, n_ctx=1024, parallel=2, use_warm=False)  # another server, empty slots
    assert restored.server is not cold.server
    assert restored.complete([SYSTEM, ASK], max_tokens=24, temperature=0.0).text == first
    assert restored.server.prefix_state == "restored"


@pytest.mark.embedded
def test_a_stale_cache_file_is_ignored(cache):
    from plume.backends.embedded import EmbeddedBackend

    backend = EmbeddedBackend(cache, n_ctx=1024, parallel=3, use_warm=False)
    slot_dir = backend.server.slot_dir
    name = prefix.cache_name(cache, SYSTEM["content"])
    (slot_dir / name).write_bytes(b"not a llama.cpp state file" * 10)  # another runtime, or corrupt
    other = slot_dir / ("other-model-" + name.split("-")[-1])
    other.write_bytes(b"state of another model")
    assert backend.complete([SYSTEM, ASK], max_tokens=8, temperature=0.0).text.strip()
    assert backend.server.prefix_state == "computed"
    assert (slot_dir / name).stat().st_size > 100_000  # replaced by a real state
    assert other.read_bytes() == b"state of another model"  # never read, never touched


@pytest.mark.embedded
def test_serve_is_used_then_stop_leaves_no_process(cache):
    from plume.backends.embedded import EmbeddedBackend

    runner = CliRunner()
    result = runner.invoke(app, ["serve", "--model", f"local:{cache}", "--parallel", "2", "--json"])
    assert result.exit_code == 0, result.output
    state = json.loads(result.stdout)["running"]
    pid, address = state["pid"], state["address"]
    assert warm.alive(pid) and address.startswith("http://127.0.0.1:")

    backend = EmbeddedBackend(cache)
    assert backend.serving.startswith(f"warm server (plume serve, pid {pid}")
    assert backend.parallel == 2 and backend.server.base_url == address + "/v1"
    assert backend.complete([SYSTEM, ASK], max_tokens=8, temperature=0.0).text.strip()
    report = json.loads(runner.invoke(app, ["backend", "--model", f"local:{cache}", "--json"]).stdout)
    assert report["embedded_server"].startswith(f"warm server (plume serve, pid {pid}")

    result = runner.invoke(app, ["serve", "--stop"])
    assert result.exit_code == 0 and f"pid {pid}" in result.output
    assert not warm.alive(pid) and not warm.state_file().exists()
    with pytest.raises(OSError):
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(address + "/health", timeout=2)
    assert not EmbeddedBackend(cache).serving.startswith("warm")


@pytest.mark.embedded
def test_serve_stops_by_itself_when_idle(cache):
    state = warm.start(cache, 1024, 1, idle_timeout=3.0)
    deadline = time.monotonic() + 120
    while warm.alive(state.pid) and time.monotonic() < deadline:
        warm._reap(state.pid)
        time.sleep(0.5)
    assert not warm.alive(state.pid) and not warm.state_file().exists()
