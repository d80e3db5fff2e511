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


def _columns(db: sqlite3.Connection) -> set[str]:
    return {row[1] for row in db.execute("PRAGMA table_info(calls)")}


def _v1(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE IF NOT EXISTS calls (
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
    db.execute("CREATE INDEX IF NOT EXISTS calls_time ON calls(time)")


def _v2(db: sqlite3.Connection) -> None:
    have = _columns(db)  # a database half-migrated by an older Plume may have some of them already
    for column in ("lint", "options", "parsed"):
        if column not in have:
            db.execute(f"ALTER TABLE calls ADD COLUMN {column} TEXT")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2]
COLUMNS = ("id", "time", "command", "audience", "format", "backend", "model", "messages", "response",
           "parsed", "options", "prompt_tokens", "completion_tokens", "cost_usd", "duration_s", "status",
           "error", "lint")
JSON_COLUMNS = ("messages", "parsed", "options", "lint")
MAX_TEXT = 200_000  # characters kept per text column: a runaway answer must not grow the log without bound
BUSY_TIMEOUT_S = 30.0


def db_path() -> Path:
    from plume.paths import user_dir

    return user_dir() / "history.db"


def _unreadable(path: Path, exc: BaseException) -> InputError:
    return InputError(f"{path}: not a readable history database ({exc}); move it aside and Plume starts a new one")


def migrate(db: sqlite3.Connection) -> int:
    """Apply the migrations this database has not seen yet, all in one write transaction with the new
    user_version (BEGIN IMMEDIATE: a concurrent process waits, then sees the version this one wrote; a
    kill mid-way leaves the database as it was). Returns the resulting schema version."""
    if db.execute("PRAGMA user_version").fetchone()[0] >= len(MIGRATIONS):
        return db.execute("PRAGMA user_version").fetchone()[0]
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
        for step in MIGRATIONS[version:]:
            step(db)
        if version < len(MIGRATIONS):
            db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return max(version, len(MIGRATIONS))


def _wal(db: sqlite3.Connection) -> None:
    """WAL, so readers never block the writer; switching needs a moment alone with a fresh file."""
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def connect(path: Path | None = None) -> sqlite3.Connection:
    """A new connection to the history database, migrated to the latest schema. Autocommit mode: each
    insert is its own transaction, migrations open theirs explicitly. An unreadable file is an InputError
    naming it."""
    path = path or db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
    try:
        db.row_factory = sqlite3.Row
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        _wal(db)
        db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across crashes of Plume, no fsync per call
        migrate(db)
        if not {"id", "messages", "status"} <= _columns(db):
            raise sqlite3.DatabaseError("no calls table")
    except sqlite3.DatabaseError as exc:
        db.close()
        raise _unreadable(path, exc) from None
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
        try:
            yield db
        except sqlite3.DatabaseError as exc:  # corrupted after it opened (a truncated page, a full disk)
            raise _unreadable(Path(key), exc) from None


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


def _cap(text: str | None) -> str | None:
    """At most MAX_TEXT characters, and says how much was left out."""
    if text is None or len(text) <= MAX_TEXT:
        return text
    return text[:MAX_TEXT] + f"\n… [history: {len(text) - MAX_TEXT} more characters not kept]"


def _capped_messages(messages: list[dict]) -> list[dict]:
    return [{**m, "content": _cap(m["content"])} if isinstance(m.get("content"), str) else m for m in messages]


def log_call(*, messages: list[dict], backend: str, model: str, status: str, response: str | None = None,
             parsed: Any = None, options: dict | None = None, meta: dict | None = None,
             prompt_tokens: int | None = None, completion_tokens: int | None = None,
             cost_usd: float | None = None, duration_s: float | None = None, error: str | None = None,
             path: Path | None = None) -> int | None:
    """Record one call ("ok", "error" or "cancelled"); returns its id (None: logging is off)."""
    from plume.redact import redact
    from plume.settings import history_enabled

    if not history_enabled():
        return None
    meta = meta or {}
    row = {
        "time": _now(), "command": meta.get("command"), "audience": meta.get("audience"),
        "format": meta.get("format"), "backend": backend, "model": model,
        "messages": _dump(_capped_messages(messages)), "response": _cap(response),
        # the parsed answer is the response read as JSON: kept only while it fits (else the response says it all)
        "parsed": parsed_json if (parsed_json := _dump(parsed)) is None or len(parsed_json) <= MAX_TEXT else None,
        "options": _dump(options),
        "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "cost_usd": cost_usd,
        "duration_s": duration_s, "status": status, "error": _cap(error),
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


def search(query: str, n: int = 20, path: Path | None = None) -> list[dict[str, Any]]:
    """The last `n` calls whose prompt, answer, model, command or error contains `query` (case-insensitive
    for ASCII letters, as SQLite's LIKE), newest first."""
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in ("messages", "response", "model", "command", "error"))
    with _session(path) as db:
        rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM calls WHERE {where} ORDER BY id DESC LIMIT ?",
                          (*[pattern] * 5, n))
        return [_row(r) for r in rows]
