"""A scripted OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks.

The real `openai` client talks to it over HTTP, so retries, timeouts, streaming and error mapping are
exercised for real. Each request to /v1/chat/completions takes the next `Reply` from the script (or asks
`responder(request_body)` for one); every request is recorded in `requests`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer. `content` gives a normal completion; `status` != 200 an error."""

    content: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None  # raw body (malformed JSON, custom error payloads)
    delay: float = 0.0  # seconds before answering
    stream_cut_after: int | None = None  # streaming: close the connection after N chunks
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str = "stop"
    chunk_delay: float = 0.0  # streaming: seconds between chunks
    stream_abort_after: int | None = None  # streaming: promise a longer body, then drop the connection
    echo_auth: bool = False  # a careless server: the error message quotes the Authorization header it got


def error_body(status: int, message: str, code: str | None = None) -> bytes:
    return json.dumps({"error": {"message": message, "type": "invalid_request_error", "code": code}}).encode()


def completion_json(model: str, content: str, prompt_tokens: int, completion_tokens: int, finish: str) -> dict:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _words(text: str) -> int:
    return max(1, len(text.split()))


class ScriptedServer:
    """Start with `with ScriptedServer([Reply(...), …]) as srv:` and use `srv.base_url`."""

    def __init__(
        self,
        script: list[Reply] | None = None,
        responder: Callable[[dict[str, Any]], Reply] | None = None,
        model: str = "scripted-model",
        tokens_per_second: float | None = None,
    ):
        self.script = list(script or [])
        self.responder = responder
        self.model = model
        self.tokens_per_second = tokens_per_second  # simulate a server of bounded throughput
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._busy = threading.Lock()  # one generation at a time, like a single-slot llama.cpp server
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def __enter__(self) -> ScriptedServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms stalls

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, json.dumps({"object": "list", "data": [{"id": server.model, "object": "model"}]}).encode())
                else:
                    self._send(404, error_body(404, "not found"))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                with server._lock:
                    server.requests.append(body)
                    server.headers.append({k.lower(): v for k, v in self.headers.items()})
                    reply = server._next(body)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.echo_auth:
                    sent = self.headers.get("Authorization", "")
                    payload = error_body(reply.status, f"scripted error (you sent: {sent})")
                    self._send(reply.status, payload, reply.headers)
                    return
                if reply.status != 200 or reply.body is not None:
                    self._send(reply.status, reply.body or error_body(reply.status, "scripted error"), reply.headers)
                    return
                content = reply.content or ""
                ptoks = reply.prompt_tokens if reply.prompt_tokens is not None else _words(json.dumps(body.get("messages", "")))
                ctoks = reply.completion_tokens if reply.completion_tokens is not None else _words(content)
                if server.tokens_per_second:
                    with server._busy:
                        time.sleep(ctoks / server.tokens_per_second)
                if body.get("stream"):
                    self._stream(content, reply, ptoks, ctoks)
                else:
                    payload = completion_json(body.get("model") or server.model, content, ptoks, ctoks, reply.finish_reason)
                    self._send(200, json.dumps(payload).encode(), reply.headers)

            def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self, content: str, reply: Reply, ptoks: int, ctoks: int) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                if reply.stream_abort_after is not None:
                    self.send_header("Content-Length", "1000000")  # the body will fall short: a broken stream
                self.end_headers()
                pieces = [content[i : i + 8] for i in range(0, len(content), 8)] or [""]
                for n, piece in enumerate(pieces):
                    if reply.stream_abort_after is not None and n >= reply.stream_abort_after:
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    if reply.stream_cut_after is not None and n >= reply.stream_cut_after:
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    chunk = {
                        "id": "chatcmpl-scripted",
                        "object": "chat.completion.chunk",
                        "created": int(time.time()),
                        "model": server.model,
                        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    if reply.chunk_delay:
                        time.sleep(reply.chunk_delay)
                final = {
                    "id": "chatcmpl-scripted",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": server.model,
                    "choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}],
                    "usage": {"prompt_tokens": ptoks, "completion_tokens": ctoks, "total_tokens": ptoks + ctoks},
                }
                self.wfile.write(f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()
                self.close_connection = True

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    # -- script ---------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._httpd, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def _next(self, body: dict[str, Any]) -> Reply:
        if self.script:
            return self.script.pop(0)
        if self.responder:
            return self.responder(body)
        return Reply(status=500, body=error_body(500, "script exhausted"))
