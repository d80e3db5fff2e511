"""Secrets never leave the process: the one filter every message, history row and written file goes through.

A backend registers its API key (and the user-info of its base URL) with `add_secret`; `redact(text)` then
replaces each registered secret, any `user:password@` in a URL and any `Bearer …` token with `***`. It is
applied by the sinks, not by their callers: `plume.cli._app.err` / `print_json` (stderr, stdout JSON),
`plume.history.log_call` (the database), `plume.files.write_atomic` (every file Plume writes) and the
variants manifest.
"""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import urlsplit

MASK = "***"
MIN_SECRET = 8  # shorter values ("local", "dummy") are placeholders or ordinary words, not keys
_PLACEHOLDERS = {"not-needed", "local", "none", "null", "dummy", "empty", "sk-no-key-required"}

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")


def add_secret(value: str | None) -> None:
    """Mask `value` in everything written from now on (no-op for empty, short or placeholder values)."""
    global _pattern
    if not value or len(value) < MIN_SECRET or value.lower() in _PLACEHOLDERS:
        return
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        # longest first, so a key containing another registered secret is masked whole
        _pattern = re.compile("|".join(re.escape(s) for s in sorted(_secrets, key=len, reverse=True)))


def add_url(url: str | None) -> None:
    """Register the user-info (user, password) of a base URL as secrets."""
    if not url:
        return
    try:
        parts = urlsplit(url)
    except ValueError:
        return
    add_secret(parts.password)
    if parts.username and parts.password is None:
        add_secret(parts.username)  # http://TOKEN@host: the token is the user name


def redact(text: str) -> str:
    """`text` with every registered secret, URL user-info and bearer token replaced by ***."""
    if not text:
        return text
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    if "@" in text:
        text = _USERINFO.sub(rf"\g<1>{MASK}@", text)
    if "earer" in text or "EARER" in text:
        text = _BEARER.sub(rf"\g<1>{MASK}", text)
    return text


def redact_url(url: str | None) -> str | None:
    """A URL fit to show: its user-info masked."""
    return redact(url) if url else url


def redact_data(value: Any) -> Any:
    """`redact` over every string inside JSON-like data (dicts, lists, tuples); other values unchanged."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_data(k): redact_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_data(v) for v in value]
    return value
