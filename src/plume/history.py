"""SQLite log of every model call ($PLUME_HOME/history.db), like `llm logs`.

Rows hold the request (messages, options), the answer, usage, cost, duration, status and the lint summary
when known. Never an API key or a request header. The schema evolves through MIGRATIONS, an ordered list
of functions applied according to PRAGMA user_version.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from plume.errors import InputError


def _v1(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE calls (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            command TEXT, audience TEXT, format TEXT,
            backend TEXT, model TEXT,
            messages TEXT NOT NULL,
            response TEXT,
            prompt_tokens INTEGER, completion_tokens INTEGER,
            cost_usd REAL, duration_s REAL,
            status TEXT NOT NULL,
            error TEXT
        )"""
    )
    db.execute("CREATE INDEX calls_time ON calls(time)")


def _v2(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE calls ADD COLUMN lint TEXT")
    db.execute("ALTER TABLE calls ADD COLUMN options TEXT")
    db.execute("ALTER TABLE calls ADD COLUMN parsed TEXT")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2]
COLUMNS = ("id", "time", "command", "audience", "format", "backend", "model", "messages", "response",
           "parsed", "options", "prompt_tokens", "completion_tokens", "cost_usd", "duration_s", "status",
           "error", "lint")
JSON_COLUMNS = ("messages", "parsed", "options", "lint")


def db_path() -> Path:
    from plume.paths import user_dir

    return user_dir() / "history.db"


def migrate(db: sqlite3.Connection) -> int:
    """Apply the migrations this database has not seen yet; returns the resulting schema version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        with db:
            step(db)
            db.execute(f"PRAGMA user_version = {number}")
    return max(version, len(MIGRATIONS))


def connect(path: Path | None = None) -> sqlite3.Connection:
    """A new connection to the history database, migrated to the latest schema."""
    path = path or db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across crashes of Plume, no fsync per call
    migrate(db)
    return db


_lock = threading.RLock()
_open: dict[str, sqlite3.Connection] = {}


@contextlib.contextmanager
def _session(path: Path | None) -> Iterator[sqlite3.Connection]:
    """One transaction on the process's connection to this database (opening and closing per call costs
    more than the insert)."""
    key = str(path or db_path())
    with _lock:
        db = _open.get(key)
        if db is None:
            db = _open[key] = connect(Path(key))
        with db:
            yield db


@atexit.register
def close_all() -> None:
    with _lock:
        for db in _open.values():
            db.close()
        _open.clear()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    return json.dumps(value, ensure_ascii=False, default=str)


def log_call(*, messages: list[dict], backend: str, model: str, status: str, response: str | None = None,
             parsed: Any = None, options: dict | None = None, meta: dict | None = None,
             prompt_tokens: int | None = None, completion_tokens: int | None = None,
             cost_usd: float | None = None, duration_s: float | None = None, error: str | None = None,
             path: Path | None = None) -> int:
    """Record one call ("ok", "error" or "cancelled"); returns its id."""
    from plume.redact import redact

    meta = meta or {}
    row = {
        "time": _now(), "command": meta.get("command"), "audience": meta.get("audience"),
        "format": meta.get("format"), "backend": backend, "model": model, "messages": _dump(messages),
        "response": response, "parsed": _dump(parsed), "options": _dump(options),
        "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "cost_usd": cost_usd,
        "duration_s": duration_s, "status": status, "error": error,
    }
    row = {k: redact(v) if isinstance(v, str) else v for k, v in row.items()}
    with _session(path) as db:
        cur = db.execute(f"INSERT INTO calls ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                         list(row.values()))
        return int(cur.lastrowid)


def set_lint(history_id: int | None, summary: Any, path: Path | None = None) -> None:
    """Attach the lint result (a dict such as {"errors": 0, "warnings": 2, "rules": [...]}) to a call."""
    if history_id is None:
        return
    with _session(path) as db:
        db.execute("UPDATE calls SET lint = ? WHERE id = ?", (_dump(summary), history_id))


def _row(row: sqlite3.Row) -> dict[str, Any]:
    data = {key: row[key] for key in COLUMNS}
    for key in JSON_COLUMNS:
        if data[key] is not None:
            data[key] = json.loads(data[key])
    return data


def recent(n: int = 20, path: Path | None = None) -> list[dict[str, Any]]:
    """The last `n` calls, newest first."""
    with _session(path) as db:
        rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM calls ORDER BY id DESC LIMIT ?", (n,))
        return [_row(r) for r in rows]


def get(history_id: int, path: Path | None = None) -> dict[str, Any]:
    with _session(path) as db:
        row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM calls WHERE id = ?", (history_id,)).fetchone()
    if row is None:
        raise InputError(f"{path or db_path()}: no call with id {history_id} in the history")
    return _row(row)
