"""Turn whatever the openai SDK (or its HTTP layer) raised into one clear BackendError line."""

from __future__ import annotations

import json

from plume.errors import BackendError


def _server_message(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(getattr(exc, "message", "") or exc)


def _short(text: str, limit: int = 200) -> str:
    """One line of at most `limit` characters, secrets masked before the cut (a cut key would leak)."""
    from plume.redact import redact

    text = redact(" ".join(str(text).split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_context_error(message: str) -> bool:
    lowered = message.lower()
    return "context" in lowered and any(w in lowered for w in ("length", "size", "exceed", "too long", "maximum"))


def translate(exc: BaseException, *, where: str, model: str, retries: int = 0, started: bool = False) -> BackendError:
    """One line naming the server, the model and what to do about it (`started`: the answer had begun
    to arrive, so the server was reached and nothing was retried)."""
    import openai
    import pydantic

    if isinstance(exc, BackendError):
        return exc
    retried = f" after {retries} retries" if retries else ""
    if isinstance(exc, openai.AuthenticationError):
        return BackendError(f"{where}: authentication refused (401): check OPENAI_API_KEY "
                            f"or the key your server expects")
    if isinstance(exc, openai.PermissionDeniedError):
        return BackendError(f"{where}: access denied to model {model!r} (403): {_short(_server_message(exc))}")
    if isinstance(exc, openai.NotFoundError):
        return BackendError(f"{where}: model {model!r} not found (404): check --model / PLUME_MODEL "
                            f"against the models this server offers")
    if isinstance(exc, openai.RateLimitError):
        after = exc.response.headers.get("retry-after")
        hint = f"; the server asks to wait {after} s" if after else ""
        return BackendError(f"{where}: rate limited (429){retried}{hint}: {_short(_server_message(exc))}")
    if isinstance(exc, openai.BadRequestError):
        message = _server_message(exc)
        if is_context_error(message):
            return BackendError(f"{where}: prompt too long for the context of model {model!r}: "
                                f"{_short(message)} (shorten the brief or use fewer exemplars)")
        return BackendError(f"{where}: request rejected (400): {_short(message)}")
    if isinstance(exc, openai.APIStatusError):
        return BackendError(f"{where}: server error ({exc.status_code}){retried}: {_short(_server_message(exc))}")
    if isinstance(exc, openai.APITimeoutError):
        return BackendError(f"{where}: no answer within the timeout{retried} (raise [backend] timeout in "
                            f"plume.toml for a slow server)")
    if isinstance(exc, openai.APIConnectionError) and started:
        return BackendError(f"{where}: connection lost during the answer: {_short(str(exc.__cause__ or exc))}")
    if isinstance(exc, openai.APIConnectionError):
        return BackendError(f"{where}: server unreachable{retried}: is it running? ({_short(str(exc.__cause__ or exc))})")
    if isinstance(exc, openai.LengthFinishReasonError):
        return BackendError(f"{where}: answer cut at the token limit before the structured answer was complete "
                            f"(model {model!r}); raise max_tokens or ask for less")
    if isinstance(exc, openai.ContentFilterFinishReasonError):
        return BackendError(f"{where}: answer blocked by the server's content filter (model {model!r})")
    if isinstance(exc, openai.APIResponseValidationError):
        return BackendError(f"{where}: malformed answer from the server: {_short(str(exc))}")
    if isinstance(exc, json.JSONDecodeError):
        return BackendError(f"{where}: malformed answer from the server (invalid JSON: {exc.msg} at char {exc.pos})")
    if isinstance(exc, (pydantic.ValidationError, ValueError)):
        return BackendError(f"{where}: malformed answer from model {model!r}: {_short(str(exc))}")
    module = type(exc).__module__ or ""
    if module.startswith(("httpx", "httpcore", "h11")) or isinstance(exc, OSError):
        return BackendError(f"{where}: connection lost during the answer: {_short(str(exc) or type(exc).__name__)}")
    if isinstance(exc, openai.OpenAIError):
        return BackendError(f"{where}: {_short(str(exc))}")
    return BackendError(f"{where}: unexpected failure ({type(exc).__name__}): {_short(str(exc))}")
