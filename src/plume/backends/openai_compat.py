"""The one implementation: any OpenAI-compatible server through the `openai` SDK (OpenAI itself, Ollama,
vLLM, LM Studio, the embedded llama.cpp server). Retries and timeouts are the SDK's own settings; every
call, failed or not, goes to the history log; every failure is one BackendError line."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from plume.backends.base import Backend, Completion, Messages, TextStream, Usage
from plume.backends.errors import translate
from plume.errors import BackendError, PlumeError

DEFAULT_TIMEOUT = 120.0
# What the OpenAI API accepts besides temperature; any other sampling key goes in `extra_body` (llama.cpp,
# vLLM), and only to servers that are not OpenAI proper.
STANDARD_SAMPLING = frozenset({"top_p", "presence_penalty", "frequency_penalty", "seed"})
# Qwen2.5 instruct's recommended sampling, and llama.cpp's DRY sampler against repeated phrases (its
# sequence breakers — newline, « : », « " », « * » — keep JSON keys out of its reach).
QWEN_SAMPLING: dict[str, Any] = {"top_p": 0.8, "top_k": 20, "repeat_penalty": 1.05, "dry_multiplier": 0.8,
                                 "dry_base": 1.75, "dry_allowed_length": 2}
DEFAULT_MAX_RETRIES = 2


def _cause(exc: BaseException) -> BaseException:
    """What a failure is chained to: a BackendError Plume raised on the answer (its shape: pydantic, JSON)
    keeps its own cause, so the lint loop sees an unusable answer (e.g. an empty one) and asks again."""
    if isinstance(exc, BackendError) and exc.__cause__ is not None:
        return exc.__cause__
    return exc


def host_label(base_url: str) -> str:
    """host[:port] of a base URL, never its user-info (a key can hide there)."""
    from plume.redact import redact_url

    try:
        parts = urlsplit(base_url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return redact_url(base_url) or ""
    if not host:
        return redact_url(base_url) or ""
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{port}" if port else host


class OpenAIBackend(Backend):
    """OpenAI or any server speaking its chat-completions API at `base_url`."""

    name = "openai"
    needs_key = True
    supports_n = True  # OpenAI's `n`; other compatible servers may ignore it (CompatibleBackend)

    def __init__(self, model: str | None, *, base_url: str | None = None, api_key: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, max_retries: int = DEFAULT_MAX_RETRIES,
                 source: str = "default", label: str | None = None):
        from plume.redact import add_secret, add_url

        add_secret(api_key)
        add_url(base_url)
        self.model = model or ""
        self.base_url = base_url
        self._api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.source = source
        self.label = label or (host_label(base_url) if base_url else "openai")
        self._sync = None
        self._async = None

    # -- clients ----------------------------------------------------------------------------------
    def _server_url(self) -> str | None:
        return self.base_url

    def _client_kwargs(self) -> dict[str, Any]:
        return {"base_url": self._server_url(), "api_key": self._api_key or "not-needed",
                "timeout": self.timeout, "max_retries": self.max_retries}

    @property
    def client(self):
        if self._sync is None:
            import openai

            self._sync = openai.OpenAI(**self._client_kwargs())
        return self._sync

    @property
    def aclient(self):
        """One async client per event loop: its pooled connections cannot outlive the loop that made them."""
        import asyncio

        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            import openai

            self._async = (loop, openai.AsyncOpenAI(**self._client_kwargs()))
        return self._async[1]

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()
            self._sync = None
        self._async = None  # its connections belong to the event loop that opened them (closed with it)

    async def aclose(self) -> None:
        """Close the async client inside the event loop that opened it (call before that loop ends)."""
        if self._async is not None:
            loop, client = self._async
            self._async = None
            import asyncio

            if loop is asyncio.get_running_loop():
                await client.close()

    @property
    def where(self) -> str:
        from plume.redact import redact_url

        return f"{self.name} backend ({redact_url(self._server_url()) or 'api.openai.com'})"

    def model_name(self) -> str:
        """The model asked for; with none configured, the first one the server lists."""
        if not self.model:
            try:
                listed = [m.id for m in self.client.models.list()]
            except Exception as exc:  # noqa: BLE001 - every failure becomes one line
                raise translate(exc, where=self.where, model="?", retries=self.max_retries) from exc
            if not listed:
                raise BackendError(f"{self.where}: the server lists no model; pass --model")
            self.model = listed[0]
        return self.model

    def display_model(self) -> str:
        return self.model_name()

    # -- request / answer -------------------------------------------------------------------------
    def _token_param(self) -> str:
        # OpenAI's newer models only take max_completion_tokens; other servers know max_tokens.
        return "max_completion_tokens" if self.name == "openai" else "max_tokens"

    #: the backend's own sampling defaults (the embedded model: its family's recommendation)
    default_sampling: dict[str, Any] = {}

    def sampling(self) -> dict[str, Any]:
        """Per-request sampling: the backend's defaults, then plume.toml [sampling]; OpenAI proper gets
        only the keys its API accepts."""
        from plume.config import section

        settings = {**self.default_sampling, **section("sampling")}
        if self.name == "openai":
            settings = {k: v for k, v in settings.items() if k in STANDARD_SAMPLING}
        return settings

    def _request(self, messages: Messages, max_tokens: int, temperature: float) -> dict[str, Any]:
        if self.max_tokens_cap:
            max_tokens = min(max_tokens, self.max_tokens_cap)
        request: dict[str, Any] = {"model": self.model_name(), "messages": messages, "temperature": temperature,
                                   self._token_param(): max_tokens}
        settings = self.sampling()
        request.update({k: v for k, v in settings.items() if k in STANDARD_SAMPLING})
        extra = {k: v for k, v in settings.items() if k not in STANDARD_SAMPLING}
        if extra:
            request["extra_body"] = extra
        return request

    def _finish(self, *, messages: Messages, text: str, parsed: Any, usage: Usage, started: float,
                meta: dict | None, options: dict, finish_reason: str | None) -> Completion:
        from plume.pricing import cost_usd

        duration = time.perf_counter() - started
        model = self.display_model()
        try:
            cost = cost_usd(model, usage.prompt_tokens, usage.completion_tokens, local=self.is_local)
        except PlumeError as exc:  # a price table changed under us: the answer and its log row come first
            import sys

            from plume.redact import redact

            print(f"plume: warning: no cost computed: {redact(str(exc))}", file=sys.stderr)
            cost = 0.0
        completion = Completion(text=text, parsed=parsed, usage=usage, model=model, backend=self.label,
                                duration_s=duration, cost_usd=cost, finish_reason=finish_reason)
        completion.history_id = self._log(messages, meta, options, status="ok", completion=completion)
        return completion

    def _fail(self, exc: BaseException, *, messages: Messages, meta: dict | None, options: dict,
              started: float, status: str = "error", partial: str | None = None,
              retries: int | None = None) -> BackendError:
        """`retries`: how many times the SDK asked again before this failure (default: its setting; 0 once a
        stream has delivered pieces, which the SDK never retries)."""
        retries = self.max_retries if retries is None else retries
        error = translate(exc, where=self.where, model=self.model or "?", retries=retries,
                          started=bool(partial))
        self._log(messages, meta, options, status=status, error=str(error), response=partial,
                  duration=time.perf_counter() - started)
        return error

    def _log(self, messages, meta, options, *, status: str, completion: Completion | None = None,
             error: str | None = None, response: str | None = None, duration: float | None = None) -> int | None:
        from plume import history

        try:
            if completion is not None:
                return history.log_call(
                    messages=messages, backend=self.label, model=completion.model, status=status,
                    response=completion.text, parsed=completion.parsed, options=options, meta=meta,
                    prompt_tokens=completion.usage.prompt_tokens,
                    completion_tokens=completion.usage.completion_tokens,
                    cost_usd=completion.cost_usd, duration_s=completion.duration_s)
            return history.log_call(messages=messages, backend=self.label, model=self.model or "?",
                                    status=status, error=error, response=response, options=options,
                                    meta=meta, duration_s=duration)
        except Exception as exc:  # noqa: BLE001 - a broken log must not lose the answer
            import sys

            print(f"plume: warning: history not written: {exc}", file=sys.stderr)
            return None

    @staticmethod
    def _options(max_tokens: int, temperature: float, schema: type | None, stream: bool = False) -> dict:
        return {"max_tokens": max_tokens, "temperature": temperature,
                "schema": schema.__name__ if schema else None, "stream": stream}

    def _from_response(self, response: Any, schema: type | None) -> tuple[str, Any, Usage, str | None]:
        if not getattr(response, "choices", None):
            raise BackendError(f"{self.where}: malformed answer: no choices in the response")
        choice = response.choices[0]
        message = choice.message
        if getattr(message, "refusal", None):
            raise BackendError(f"{self.where}: the model refused: {message.refusal}")
        parsed = getattr(message, "parsed", None) if schema else None
        text = message.content or ""
        if schema is not None and parsed is None:
            parsed = self._parse(text, schema)
        usage = Usage(getattr(response.usage, "prompt_tokens", 0) or 0,
                      getattr(response.usage, "completion_tokens", 0) or 0) if response.usage else Usage()
        return text, parsed, usage, choice.finish_reason

    def _parse(self, text: str, schema: type) -> Any:
        import pydantic

        try:
            return schema.model_validate_json(text)
        except pydantic.ValidationError as exc:
            raise BackendError(f"{self.where}: malformed structured answer from model {self.model!r} "
                               f"({exc.error_count()} error(s), first: {exc.errors()[0]['msg']})") from exc

    # -- the protocol -----------------------------------------------------------------------------
    def complete(self, messages: Messages, *, max_tokens: int = 400, temperature: float = 0.7,
                 schema: type | None = None, meta: dict | None = None) -> Completion:
        options = self._options(max_tokens, temperature, schema)
        started = time.perf_counter()
        try:
            request = self._request(messages, max_tokens, temperature)
            if schema is not None:
                response = self.client.chat.completions.parse(response_format=schema, **request)
            else:
                response = self.client.chat.completions.create(**request)
            text, parsed, usage, finish = self._from_response(response, schema)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, messages=messages, meta=meta, options=options, started=started) from _cause(exc)
        return self._finish(messages=messages, text=text, parsed=parsed, usage=usage, started=started,
                            meta=meta, options=options, finish_reason=finish)

    async def acomplete(self, messages: Messages, *, max_tokens: int = 400, temperature: float = 0.7,
                        schema: type | None = None, meta: dict | None = None) -> Completion:
        options = self._options(max_tokens, temperature, schema)
        started = time.perf_counter()
        try:
            request = self._request(messages, max_tokens, temperature)
            if schema is not None:
                response = await self.aclient.chat.completions.parse(response_format=schema, **request)
            else:
                response = await self.aclient.chat.completions.create(**request)
            text, parsed, usage, finish = self._from_response(response, schema)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, messages=messages, meta=meta, options=options, started=started) from _cause(exc)
        return self._finish(messages=messages, text=text, parsed=parsed, usage=usage, started=started,
                            meta=meta, options=options, finish_reason=finish)

    def stream(self, messages: Messages, *, max_tokens: int = 400, temperature: float = 0.7,
               schema: type | None = None, meta: dict | None = None) -> TextStream:
        holder: dict[str, Any] = {}
        return TextStream(self._stream(messages, max_tokens, temperature, schema, meta, holder), holder)

    def _stream(self, messages, max_tokens, temperature, schema, meta, holder) -> Iterator[str]:
        options = self._options(max_tokens, temperature, schema, stream=True)
        started = time.perf_counter()
        pieces: list[str] = []
        finish: str | None = None
        usage: Usage | None = None
        try:
            request = self._request(messages, max_tokens, temperature)
            if schema is not None:
                from openai.lib._pydantic import to_strict_json_schema

                request["response_format"] = {"type": "json_schema", "json_schema": {
                    "name": schema.__name__, "schema": to_strict_json_schema(schema), "strict": True}}
            chunks = self.client.chat.completions.create(stream=True, stream_options={"include_usage": True},
                                                         **request)
            with chunks:
                for chunk in chunks:
                    if chunk.usage:
                        usage = Usage(chunk.usage.prompt_tokens or 0, chunk.usage.completion_tokens or 0)
                    for choice in chunk.choices or []:
                        if choice.finish_reason:
                            finish = choice.finish_reason
                        delta = choice.delta.content if choice.delta else None
                        if delta:
                            pieces.append(delta)
                            yield delta
            if finish is None:
                raise BackendError(f"{self.where}: the stream was cut before the end of the answer "
                                   f"({len(pieces)} pieces received)")
            text = "".join(pieces)
            parsed = self._parse(text, schema) if schema is not None else None
        except GeneratorExit:
            self._log(messages, meta, options, status="cancelled", response="".join(pieces),
                      error="stream closed by the caller", duration=time.perf_counter() - started)
            raise
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, messages=messages, meta=meta, options=options, started=started,
                             partial="".join(pieces) or None,
                             retries=0 if pieces else None) from _cause(exc)  # a started stream is never retried
        if usage is None:
            usage = Usage(self._estimate_prompt(messages), self.count_tokens(text))
        holder["completion"] = self._finish(messages=messages, text=text, parsed=parsed, usage=usage,
                                            started=started, meta=meta, options=options, finish_reason=finish)

    # -- n answers to one prompt (best-of-N) ------------------------------------------------------
    def _n_request(self, messages: Messages, n: int, max_tokens: int, temperature: float,
                   schema: type | None) -> dict[str, Any]:
        request = {**self._request(messages, max_tokens, temperature), "n": n}
        if schema is not None:  # parsed per answer below: one cut answer must not sink the others
            from openai.lib._pydantic import to_strict_json_schema

            request["response_format"] = {"type": "json_schema", "json_schema": {
                "name": schema.__name__, "schema": to_strict_json_schema(schema), "strict": True}}
        return request

    def _n_completions(self, response: Any, n: int, schema: type | None, *, messages: Messages,
                       meta: dict | None, options: dict, started: float) -> list[Completion]:
        choices = list(getattr(response, "choices", None) or [])
        if not choices:
            raise BackendError(f"{self.where}: malformed answer: no choices in the response")
        texts = [(c.message.content or "") if c.message else "" for c in choices]
        total = response.usage.completion_tokens if response.usage else 0
        prompt = response.usage.prompt_tokens if response.usage else 0
        chars = sum(len(t) for t in texts) or 1
        out = []
        for i, (choice, text) in enumerate(zip(choices, texts)):
            parsed = None
            if schema is not None:
                try:
                    parsed = self._parse(text, schema)
                except BackendError:
                    parsed = None
            tokens = self.count_tokens(text) if self.is_local else round(total * len(text) / chars)
            usage = Usage(prompt if i == 0 else 0, tokens)  # the prompt is processed (and paid) once
            out.append(self._finish(messages=messages, text=text, parsed=parsed, usage=usage, started=started,
                                    meta={**(meta or {}), "choice": i, "of": n}, options=options,
                                    finish_reason=choice.finish_reason))
        return out

    def complete_n(self, messages: Messages, n: int, *, max_tokens: int = 400, temperature: float = 0.7,
                   schema: type | None = None, meta: dict | None = None) -> list[Completion]:
        if n <= 1 or not self.supports_n:
            return super().complete_n(messages, n, max_tokens=max_tokens, temperature=temperature,
                                      schema=schema, meta=meta)
        options = {**self._options(max_tokens, temperature, schema), "n": n}
        started = time.perf_counter()
        try:
            response = self.client.chat.completions.create(
                **self._n_request(messages, n, max_tokens, temperature, schema))
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, messages=messages, meta=meta, options=options, started=started) from _cause(exc)
        got = self._n_completions(response, n, schema, messages=messages, meta=meta, options=options,
                                  started=started)
        if len(got) < n:  # a server that ignored `n`: the rest as concurrent calls
            got += super().complete_n(messages, n - len(got), max_tokens=max_tokens, temperature=temperature,
                                      schema=schema, meta=meta)
        return got

    async def acomplete_n(self, messages: Messages, n: int, *, max_tokens: int = 400, temperature: float = 0.7,
                          schema: type | None = None, meta: dict | None = None) -> list[Completion]:
        if n <= 1 or not self.supports_n:
            return await super().acomplete_n(messages, n, max_tokens=max_tokens, temperature=temperature,
                                             schema=schema, meta=meta)
        options = {**self._options(max_tokens, temperature, schema), "n": n}
        started = time.perf_counter()
        try:
            response = await self.aclient.chat.completions.create(
                **self._n_request(messages, n, max_tokens, temperature, schema))
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, messages=messages, meta=meta, options=options, started=started) from _cause(exc)
        import asyncio

        got = await asyncio.to_thread(self._n_completions, response, n, schema, messages=messages, meta=meta,
                                      options=options, started=started)
        if len(got) < n:
            got += await super().acomplete_n(messages, n - len(got), max_tokens=max_tokens,
                                             temperature=temperature, schema=schema, meta=meta)
        return got

    # -- tokens -----------------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        from plume.tokens import count_tokens

        return count_tokens(text, self.model or None)

    def _estimate_prompt(self, messages: Messages) -> int:
        return sum(self.count_tokens(m.get("content") or "") + 4 for m in messages
                   if isinstance(m.get("content"), str)) + 3

    def check(self) -> dict[str, Any]:
        """Ask the server for a tiny answer; returns {"ok", "detail", "duration_s"} without logging."""
        started = time.perf_counter()
        try:
            request = self._request([{"role": "user", "content": "Réponds par « ok »."}], 5, 0.0)
            self.client.chat.completions.create(**request)
        except Exception as exc:  # noqa: BLE001
            error = translate(exc, where=self.where, model=self.model or "?", retries=self.max_retries)
            return {"ok": False, "detail": str(error), "duration_s": time.perf_counter() - started}
        return {"ok": True, "detail": "answered", "duration_s": round(time.perf_counter() - started, 3)}

    def describe(self) -> dict[str, Any]:
        from plume.redact import redact_url

        return {"backend": self.label, "kind": self.name, "model": self.model or None,
                "base_url": redact_url(self.base_url),
                "source": self.source, "timeout_s": self.timeout, "max_retries": self.max_retries,
                "local": self.is_local, "max_tokens_cap": self.max_tokens_cap}


class CompatibleBackend(OpenAIBackend):
    """Any other OpenAI-compatible server (Ollama, vLLM, LM Studio, a proxy) at an explicit base URL."""

    name = "compatible"
    needs_key = False
    supports_n = False  # Ollama and others answer `n` with one choice: concurrent requests instead
