"""Fault server: each failure gives the documented behaviour (an SDK retry where it retries, one clear
BackendError line otherwise) and is never logged as a success."""

from __future__ import annotations

import time

import pytest
from scripted_server import Reply, ScriptedServer, error_body

from plume import history
from plume.backends.openai_compat import OpenAIBackend
from plume.errors import BackendError

MESSAGES = [{"role": "user", "content": "Écris une accroche."}]


def backend(srv: ScriptedServer, **kw) -> OpenAIBackend:
    kw.setdefault("timeout", 5.0)
    kw.setdefault("max_retries", 2)
    return OpenAIBackend("gpt-4o-mini", base_url=srv.base_url, api_key="sk-test", **kw)


def statuses() -> list[str]:
    return [row["status"] for row in history.recent(50)]


def fails(srv: ScriptedServer, **kw) -> BackendError:
    with pytest.raises(BackendError) as info:
        backend(srv, **kw).complete(MESSAGES, max_tokens=50, meta={"command": "generate"})
    message = str(info.value)
    assert "\n" not in message
    return info.value


def test_401_is_not_retried_and_names_the_key():
    with ScriptedServer([Reply(status=401, body=error_body(401, "Incorrect API key"))] * 3) as srv:
        error = fails(srv)
        assert len(srv.requests) == 1
    assert "authentication refused (401)" in str(error) and "OPENAI_API_KEY" in str(error)
    assert statuses() == ["error"]
    assert error.exit_code == 3


def test_404_model_names_the_model():
    with ScriptedServer([Reply(status=404, body=error_body(404, "The model does not exist", "model_not_found"))]) as srv:
        error = fails(srv)
        assert len(srv.requests) == 1
    assert "'gpt-4o-mini' not found (404)" in str(error)
    assert statuses() == ["error"]


def test_429_with_retry_after_is_retried_after_the_asked_delay():
    script = [Reply(status=429, headers={"Retry-After": "0.4"}, body=error_body(429, "Rate limit reached")),
              Reply(content="Réponse après attente.")]
    with ScriptedServer(script) as srv:
        started = time.perf_counter()
        completion = backend(srv).complete(MESSAGES, max_tokens=50)
        elapsed = time.perf_counter() - started
        assert len(srv.requests) == 2
    assert completion.text == "Réponse après attente."
    assert elapsed >= 0.4  # the SDK waited as the server asked
    assert statuses() == ["ok"]


def test_429_that_persists_is_one_clear_line_after_the_retries():
    with ScriptedServer([Reply(status=429, headers={"Retry-After": "0.05"}, body=error_body(429, "Rate limit"))] * 3) as srv:
        error = fails(srv, max_retries=2)
        assert len(srv.requests) == 3
    assert "rate limited (429) after 2 retries" in str(error) and "0.05 s" in str(error)
    assert statuses() == ["error"]


def test_500_then_success_is_retried_and_logged_once_as_ok():
    with ScriptedServer([Reply(status=500, body=error_body(500, "boom")), Reply(content="Deuxième essai.")]) as srv:
        completion = backend(srv).complete(MESSAGES, max_tokens=50)
        assert len(srv.requests) == 2
    assert completion.text == "Deuxième essai."
    rows = history.recent(10)
    assert [r["status"] for r in rows] == ["ok"] and rows[0]["id"] == completion.history_id


def test_500_every_time_gives_up_with_the_server_message():
    with ScriptedServer([Reply(status=503, body=error_body(503, "overloaded"))] * 2) as srv:
        error = fails(srv, max_retries=1)
    assert "server error (503) after 1 retries: overloaded" in str(error)
    assert statuses() == ["error"]


def test_malformed_json_body():
    with ScriptedServer([Reply(status=200, body=b'{"choices": [ {"message": ')]) as srv:
        error = fails(srv)
    assert "malformed answer" in str(error)
    assert statuses() == ["error"]


def test_answer_that_breaks_the_schema_is_malformed():
    from pydantic import BaseModel

    class Hook(BaseModel):
        hook: str
        question: str

    with ScriptedServer([Reply(content='{"hook": "Seulement une moitié"}')]) as srv:
        with pytest.raises(BackendError, match="malformed"):
            backend(srv).complete(MESSAGES, max_tokens=50, schema=Hook)
    rows = history.recent(5)
    assert [r["status"] for r in rows] == ["error"]
    assert "malformed" in rows[0]["error"]


def test_stream_cut_midway_keeps_the_pieces_and_logs_an_error():
    text = "Une réponse assez longue pour être coupée en plusieurs morceaux."
    with ScriptedServer([Reply(content=text, stream_cut_after=3)]) as srv:
        stream = backend(srv).stream(MESSAGES, max_tokens=50)
        received = []
        with pytest.raises(BackendError, match="stream was cut"):
            for piece in stream:
                received.append(piece)
    assert "".join(received) == text[:24]
    assert stream.last is None
    rows = history.recent(5)
    assert [r["status"] for r in rows] == ["error"]
    assert rows[0]["response"] == text[:24]


def test_slow_answer_past_the_timeout_is_retried_then_reported():
    with ScriptedServer([Reply(content="trop tard", delay=1.5)] * 2) as srv:
        started = time.perf_counter()
        error = fails(srv, timeout=0.3, max_retries=1)
        assert time.perf_counter() - started < 1.5 + 1.0
        assert len(srv.requests) == 2  # the SDK retried the timed-out request once
    assert "no answer within the timeout after 1 retries" in str(error)
    assert statuses() == ["error"]


def test_unreachable_server():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    b = OpenAIBackend("m", base_url=f"http://127.0.0.1:{port}/v1", timeout=2, max_retries=0)
    with pytest.raises(BackendError, match="server unreachable"):
        b.complete(MESSAGES, max_tokens=10)
    assert statuses() == ["error"]


def test_context_too_long():
    body = error_body(400, "This model's maximum context length is 8192 tokens. However, you requested 9000",
                      "context_length_exceeded")
    with ScriptedServer([Reply(status=400, body=body)]) as srv:
        error = fails(srv)
    assert "prompt too long for the context" in str(error)
    assert statuses() == ["error"]


async def _acomplete(b):
    return await b.acomplete(MESSAGES, max_tokens=50)


def test_async_errors_are_translated_too():
    import asyncio

    with ScriptedServer([Reply(status=401, body=error_body(401, "bad key"))]) as srv:
        with pytest.raises(BackendError, match="authentication refused"):
            asyncio.run(_acomplete(backend(srv)))
    assert statuses() == ["error"]
