"""The OpenAI-compatible backend against the scripted server, and the resolution flags > env > toml."""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel
from scripted_server import Reply, ScriptedServer
from typer.testing import CliRunner

from plume import history
from plume.backends import Backend, Completion, Usage, get_backend
from plume.backends.embedded import EmbeddedBackend
from plume.backends.openai_compat import CompatibleBackend, OpenAIBackend
from plume.errors import BackendError, InputError

MESSAGES = [{"role": "system", "content": "Tu écris en français."},
            {"role": "user", "content": "Une accroche sur la délégation."}]


class Hook(BaseModel):
    hook: str
    question: str


def test_complete_returns_a_full_completion_and_logs_it():
    with ScriptedServer([Reply(content="Déléguer, c'est choisir.", prompt_tokens=1000, completion_tokens=500)]) as srv:
        b = get_backend(model="gpt-4o-mini", base_url=srv.base_url)
        c = b.complete(MESSAGES, max_tokens=80, temperature=0.2,
                       meta={"command": "generate", "audience": "pme", "format": "linkedin"})
        body, host = srv.requests[0], srv.base_url.split("/")[2]
    assert isinstance(b, Backend) and isinstance(c, Completion)
    assert c.text == "Déléguer, c'est choisir."
    assert c.usage == Usage(1000, 500)
    assert c.model == "gpt-4o-mini" and c.backend == host
    assert c.cost_usd == pytest.approx((1000 * 0.15 + 500 * 0.60) / 1e6)
    assert c.duration_s > 0
    assert body["max_tokens"] == 80 and body["temperature"] == 0.2 and body["messages"] == MESSAGES
    row = history.get(c.history_id)
    assert (row["status"], row["command"], row["audience"], row["format"]) == ("ok", "generate", "pme", "linkedin")
    assert row["messages"] == MESSAGES and row["response"] == c.text
    assert (row["prompt_tokens"], row["completion_tokens"]) == (1000, 500)


def test_structured_answer_is_a_pydantic_instance():
    answer = json.dumps({"hook": "Et si déléguer était un choix ?", "question": "Que gardez-vous ?"})
    with ScriptedServer([Reply(content=answer)]) as srv:
        c = OpenAIBackend("m", base_url=srv.base_url).complete(MESSAGES, max_tokens=80, schema=Hook)
        body = srv.requests[0]
    assert isinstance(c.parsed, Hook) and c.parsed.question == "Que gardez-vous ?"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "Hook"
    assert history.get(c.history_id)["parsed"] == c.parsed.model_dump()


def test_stream_yields_deltas_and_a_final_completion():
    text = "Une phrase qui arrive en plusieurs morceaux, comme un vrai flux."
    with ScriptedServer([Reply(content=text, prompt_tokens=12, completion_tokens=14)]) as srv:
        s = OpenAIBackend("m", base_url=srv.base_url).stream(MESSAGES, max_tokens=80)
        pieces = list(s)
        body = srv.requests[0]
    assert len(pieces) > 3 and "".join(pieces) == text
    assert s.last.text == text and s.last.usage == Usage(12, 14)
    assert body["stream"] is True
    assert history.get(s.last.history_id)["status"] == "ok"


def test_structured_stream():
    answer = json.dumps({"hook": "Accroche", "question": "Question ?"})
    with ScriptedServer([Reply(content=answer)]) as srv:
        s = OpenAIBackend("m", base_url=srv.base_url).stream(MESSAGES, max_tokens=80, schema=Hook)
        assert s.text() == answer
    assert s.last.parsed == Hook(hook="Accroche", question="Question ?")


def test_concurrent_async_calls():
    with ScriptedServer(responder=lambda body: Reply(content=body["messages"][-1]["content"].upper())) as srv:
        b = OpenAIBackend("m", base_url=srv.base_url)

        async def run():
            return await asyncio.gather(*[b.acomplete([{"role": "user", "content": f"n{i}"}], max_tokens=5)
                                          for i in range(5)])

        results = asyncio.run(run())
    assert [c.text for c in results] == [f"N{i}" for i in range(5)]
    assert len({c.history_id for c in results}) == 5


def test_async_calls_from_successive_event_loops():
    with ScriptedServer([Reply(content="un"), Reply(content="deux")]) as srv:
        b = OpenAIBackend("m", base_url=srv.base_url)
        first = asyncio.run(b.acomplete(MESSAGES, max_tokens=5))
        second = asyncio.run(b.acomplete(MESSAGES, max_tokens=5))  # a new loop: a new client, no stale pool
    assert (first.text, second.text) == ("un", "deux")


def test_the_api_key_never_reaches_the_history(monkeypatch):
    secret = "sk-proj-SECRET-never-log-me"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    with ScriptedServer([Reply(content="ok"), Reply(status=401)]) as srv:
        b = get_backend(model="m", base_url=srv.base_url)
        b.complete(MESSAGES, max_tokens=5)
        with pytest.raises(BackendError):
            b.complete(MESSAGES, max_tokens=5)
        assert srv.headers[0]["authorization"] == f"Bearer {secret}"
    raw = b"".join(p.read_bytes() for p in history.db_path().parent.glob("history.db*"))
    assert secret.encode() not in raw and b"Bearer" not in raw


def test_without_a_model_name_the_server_first_model_is_used():
    with ScriptedServer([Reply(content="ok")], model="llama3.1:8b") as srv:
        b = get_backend(base_url=srv.base_url)
        assert "model: the server's first" in b.source
        c = b.complete(MESSAGES, max_tokens=5)
        assert srv.requests[0]["model"] == "llama3.1:8b"
    assert c.model == "llama3.1:8b"


def test_count_tokens_uses_tiktoken_for_openai_models():
    b = OpenAIBackend("gpt-4o", base_url="http://127.0.0.1:9/v1")
    assert b.count_tokens("hello world") == 2
    assert b.count_tokens("Bonjour à tous, voici la note.") > 5


# -- resolution: flags > environment > plume.toml > embedded default ----------------------------------

def test_default_is_the_embedded_model_and_says_why():
    b = get_backend()
    assert isinstance(b, EmbeddedBackend) and b.is_local and b.max_tokens_cap
    assert b.source.startswith("default")
    assert b.describe()["base_url"] is None  # nothing started yet


def test_api_key_selects_openai(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    b = get_backend()
    assert b.name == "openai" and b.model == "gpt-4o-mini" and "OPENAI_API_KEY" in b.source
    assert b.needs_key and not b.is_local


def test_flag_beats_env_beats_toml(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plume.toml").write_text('[backend]\nmodel = "toml-model"\nbase_url = "http://127.0.0.1:1/v1"\n'
                                         'timeout = 7\n', encoding="utf-8")
    b = get_backend()
    assert (b.model, b.base_url, b.timeout) == ("toml-model", "http://127.0.0.1:1/v1", 7.0)
    assert b.source.startswith("plume.toml [backend] base_url")
    monkeypatch.setenv("PLUME_MODEL", "env-model")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:2/v1")
    b = get_backend()
    assert (b.model, b.base_url) == ("env-model", "http://127.0.0.1:2/v1")
    assert "OPENAI_BASE_URL environment variable" in b.source and "PLUME_MODEL" in b.source
    b = get_backend(model="flag-model", base_url="http://127.0.0.1:3/v1")
    assert (b.model, b.base_url) == ("flag-model", "http://127.0.0.1:3/v1")
    assert b.source.startswith("--base-url flag")


def test_local_gguf_by_flag_and_env(monkeypatch, tmp_path):
    gguf = tmp_path / "french-7b.gguf"
    gguf.write_bytes(b"GGUF")
    b = get_backend(model=f"local:{gguf}")
    assert isinstance(b, EmbeddedBackend) and b.model == "french-7b" and b.model_path == gguf
    assert b.source == "--model flag"
    monkeypatch.setenv("PLUME_LOCAL_MODEL", str(gguf))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    b = get_backend()
    assert isinstance(b, EmbeddedBackend) and b.source == "PLUME_LOCAL_MODEL environment variable"
    assert get_backend(model="gpt-4o").name == "openai"  # an explicit model name beats the local file


def test_missing_local_file_and_model_without_server_are_clear_errors(tmp_path):
    with pytest.raises(BackendError, match="no GGUF file at"):
        get_backend(model=f"local:{tmp_path / 'absent.gguf'}")
    with pytest.raises(BackendError, match="needs OPENAI_API_KEY"):
        get_backend(model="gpt-4o")


def test_cli_backend_json_and_check_against_a_server(tmp_path):
    from plume.cli import app

    with ScriptedServer([Reply(content="ok")]) as srv:
        result = CliRunner().invoke(app, ["backend", "--json", "--check", "--model", "m", "--base-url", srv.base_url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["active"]["source"].startswith("--base-url flag")
    assert data["check"]["ok"] is True
    assert "1.5B" in data["note"] and "OPENAI_API_KEY" in data["note"] and "local:" in data["note"]
    assert {"assembled", "size", "hash_ok", "path"} <= set(data["embedded_default"])


def test_cli_backend_check_failure_exits_3():
    from plume.cli import app

    with ScriptedServer([Reply(status=401)]) as srv:
        result = CliRunner().invoke(app, ["backend", "--check", "--model", "m", "--base-url", srv.base_url])
    assert result.exit_code == 3
    assert "authentication refused" in result.output


def test_a_project_base_url_beats_an_ambient_api_key(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    (tmp_path / "plume.toml").write_text('[backend]\nbase_url = "http://127.0.0.1:11434/v1"\nmodel = "mistral"\n',
                                         encoding="utf-8")
    b = get_backend()
    assert b.name == "compatible" and b.base_url == "http://127.0.0.1:11434/v1" and b.model == "mistral"
    assert b.label == "127.0.0.1:11434"


def test_cli_backend_text_says_plainly_what_the_default_is():
    from plume.cli import app

    result = CliRunner().invoke(app, ["backend"])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "default: no --model, no API key, no base URL" in flat
    assert "small 1.5B coder model: its French is weak" in flat
    assert "OPENAI_API_KEY" in flat and "--base-url" in flat and "--model local:/path/model.gguf" in flat


def test_openai_gets_max_completion_tokens_and_compatible_servers_max_tokens():
    with ScriptedServer([Reply(content="a"), Reply(content="b")]) as srv:
        OpenAIBackend("gpt-5-mini", base_url=srv.base_url).complete(MESSAGES, max_tokens=33)
        get_backend(model="m", base_url=srv.base_url).complete(MESSAGES, max_tokens=44)
        first, second = srv.requests
    assert first["max_completion_tokens"] == 33 and "max_tokens" not in first
    assert second["max_tokens"] == 44 and "max_completion_tokens" not in second


# -- n answers to one prompt (best-of-N) ------------------------------------------------------------

def test_n_answers_from_a_server_that_ignores_n_are_topped_up():
    with ScriptedServer(responder=lambda body: Reply(content=f"n={body.get('n')}")) as srv:
        backend = OpenAIBackend("m", base_url=srv.base_url, max_retries=0)
        answers = backend.complete_n([{"role": "user", "content": "Bonjour"}], 3, max_tokens=8)
        assert len(answers) == 3 and answers[0].text == "n=3"  # asked once with n, then two single calls
        assert sorted(str(r.get("n")) for r in srv.requests) == ["3", "None", "None"]
        assert [a.text for a in answers[1:]] == ["n=None", "n=None"]
        backend.close()


def test_compatible_servers_get_concurrent_calls_not_n():
    import asyncio

    with ScriptedServer(responder=lambda body: Reply(content="ok" if "n" not in body else "n")) as srv:
        backend = CompatibleBackend("m", base_url=srv.base_url, max_retries=0)
        answers = asyncio.run(backend.acomplete_n([{"role": "user", "content": "Bonjour"}], 3, max_tokens=8))
        assert [a.text for a in answers] == ["ok"] * 3 and len(srv.requests) == 3
        backend.close()


def test_parallel_setting_from_plume_toml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plume.toml").write_text("[backend]\nparallel = 2\n", encoding="utf-8")
    assert get_backend().parallel == 2
    (tmp_path / "plume.toml").write_text("[backend]\nparallel = 0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"plume.toml: \[backend\] parallel must be a whole number"):
        get_backend()
    assert EmbeddedBackend(parallel=4).describe()["parallel"] == 4


def test_best_of_three_is_one_request_with_n_where_the_backend_supports_it():
    from plume.write.generate import generate

    post = {"hook": "Vous êtes débordé ? Tout semble urgent ?",
            "paragraphs": ["Un Associé Opérationnel & Stratégique à temps partagé vous aide à prendre du recul.",
                           "Je viens pour prioriser et débloquer ce qui stagne."],
            "bullets": ["prendre du recul", "structurer"], "closing": "Et vous, comment gardez-vous le cap ?",
            "hashtags": ["PME", "direction"]}
    with ScriptedServer(responder=lambda body: Reply(json.dumps(post, ensure_ascii=False))) as srv:
        backend = OpenAIBackend("m", base_url=srv.base_url, api_key="sk-test", max_retries=0)
        r = generate("Prendre du recul", "pme", "linkedin", backend, strategy="free", candidates=3, attempts=1)
        assert r.text.strip() and srv.requests[0].get("n") == 3  # one request for the three candidates
        assert len(srv.requests) == 3  # this server answered one choice: the other two as single calls
        backend.close()
