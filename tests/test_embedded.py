"""The embedded model end to end: assembled, started in-process, French completion, stream, structure.

Slow (a 1.5B model on 2 cores): marked `embedded`; `pytest -m "not embedded"` skips them, CI runs them.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from plume import history
from plume.backends import get_backend
from plume.backends.embedded import EmbeddedBackend, default_model_state
from plume.errors import BackendError

pytestmark = pytest.mark.embedded

SYSTEM = {"role": "system", "content": "Tu es un assistant qui répond toujours en français, brièvement."}


class Accroche(BaseModel):
    accroche: str
    question: str


def test_the_default_model_is_assembled_and_verified(embedded_base_url):
    assert embedded_base_url.startswith("http://127.0.0.1:") and embedded_base_url.endswith("/v1")
    state = default_model_state()
    assert state["assembled"] and state["hash_ok"] is True
    assert state["size"] == 1_117_320_768 and state["parts_installed"] == 22


def test_short_french_completion(embedded_backend):
    c = embedded_backend.complete([SYSTEM, {"role": "user", "content": "Dis bonjour à une dirigeante de PME."}],
                                  max_tokens=40, temperature=0.0, meta={"command": "test"})
    assert c.text.strip() and c.backend == "embedded" and c.model == "qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert 0 < c.usage.completion_tokens <= 40 and c.usage.prompt_tokens > 10
    assert c.cost_usd == 0.0 and c.duration_s > 0
    row = history.get(c.history_id)
    assert row["status"] == "ok" and row["response"] == c.text and row["command"] == "test"


def test_streaming(embedded_backend):
    s = embedded_backend.stream([SYSTEM, {"role": "user", "content": "Cite trois jours de la semaine."}],
                                max_tokens=30, temperature=0.0)
    pieces = list(s)
    assert len(pieces) > 2 and "".join(pieces) == s.last.text
    assert s.last.usage.completion_tokens > 0 and history.get(s.last.history_id)["status"] == "ok"


def test_structured_answer(embedded_backend):
    c = embedded_backend.complete(
        [SYSTEM, {"role": "user", "content": "Une accroche LinkedIn sur la délégation et une question finale."}],
        max_tokens=150, temperature=0.2, schema=Accroche)
    assert isinstance(c.parsed, Accroche) and c.parsed.accroche.strip() and c.parsed.question.strip()
    assert json.loads(c.text) == c.parsed.model_dump()


def test_concurrent_async_calls_all_complete_in_parallel_slots(embedded_backend):
    assert embedded_backend.server.parallel == embedded_backend.parallel >= 3
    slots = embedded_backend.server.get("/slots")
    assert len(slots) == embedded_backend.parallel

    async def run():
        return await asyncio.gather(*[
            embedded_backend.acomplete([{"role": "user", "content": f"Réponds seulement par le nombre {n}."}],
                                       max_tokens=8, temperature=0.0) for n in (3, 7, 9, 4)])  # 4 > 3 slots

    results = asyncio.run(run())
    assert all(r.text.strip() for r in results)
    assert len({r.history_id for r in results}) == 4


def test_n_answers_to_one_prompt_in_one_request(embedded_backend):
    messages = [SYSTEM, {"role": "user", "content": "Donne un prénom français, un seul mot."}]
    answers = embedded_backend.complete_n(messages, 3, max_tokens=6, temperature=1.0, meta={"command": "test"})
    assert len(answers) == 3 and all(a.text.strip() for a in answers)
    assert len({a.history_id for a in answers}) == 3
    assert answers[0].usage.prompt_tokens > 10 and answers[1].usage.prompt_tokens == 0  # prompt processed once
    assert all(0 < a.usage.completion_tokens <= 6 for a in answers)
    assert [history.get(a.history_id)["status"] for a in answers] == ["ok"] * 3


def test_n_structured_answers_more_than_the_slots(embedded_backend):
    async def run():
        return await embedded_backend.acomplete_n(
            [SYSTEM, {"role": "user", "content": "Une accroche LinkedIn sur la délégation et une question."}],
            embedded_backend.parallel + 1, max_tokens=120, temperature=0.8, schema=Accroche)

    answers = asyncio.run(run())
    assert len(answers) == embedded_backend.parallel + 1
    assert sum(isinstance(a.parsed, Accroche) for a in answers) >= 2  # a cut answer comes back unparsed


def test_max_tokens_is_capped(embedded_base_url):
    capped = EmbeddedBackend(max_tokens_cap=8, progress=False)
    c = capped.complete([{"role": "user", "content": "Écris un long poème sur la mer."}], max_tokens=400)
    assert c.usage.completion_tokens <= 8 and c.finish_reason == "length"
    assert capped.server is EmbeddedBackend(progress=False).server  # one server per model in the process


def test_count_tokens_uses_the_model_tokenizer(embedded_backend):
    assert embedded_backend.count_tokens("Bonjour à tous, voici un texte.") == 9  # Qwen's BPE, not tiktoken's


def test_context_too_long_is_one_clear_line(embedded_backend):
    with pytest.raises(BackendError, match="prompt too long for the context"):
        pool = embedded_backend.server.n_ctx * embedded_backend.server.parallel  # slots share one KV pool
        embedded_backend.complete([{"role": "user", "content": "mot " * (pool + 1000)}], max_tokens=5)
    assert history.recent(1)[0]["status"] == "error"


def test_local_gguf_runs_on_the_same_runtime(embedded_base_url):
    from plume.backends.assemble import default_path

    b = get_backend(model=f"local:{default_path()}")
    assert isinstance(b, EmbeddedBackend) and b.server.base_url == embedded_base_url
    assert b.complete([{"role": "user", "content": "Dis oui."}], max_tokens=5).text


def test_cli_backend_check_on_the_embedded_default(embedded_base_url):
    from plume.cli import app

    result = CliRunner().invoke(app, ["backend", "--check", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["active"]["kind"] == "embedded" and data["active"]["source"].startswith("default")
    assert data["check"]["ok"] and data["active"]["base_url"] == embedded_base_url
    assert data["embedded_default"]["hash_ok"] is True


def test_a_broken_gguf_is_one_clear_line(tmp_path):
    pytest.importorskip("xllamacpp")
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 60)
    b = get_backend(model=f"local:{bad}")
    with pytest.raises(BackendError, match=r"llama.cpp could not load .*broken\.gguf"):
        b.complete([{"role": "user", "content": "Bonjour"}], max_tokens=5)
    assert history.recent(1)[0]["status"] == "error"
