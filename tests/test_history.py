"""History: migrations by PRAGMA user_version, logging, lint summary, and the CLI."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from plume import history
from plume.errors import InputError

MESSAGES = [{"role": "user", "content": "Écris une accroche."}]


def log(**kw) -> int:
    base = dict(messages=MESSAGES, backend="embedded", model="qwen", status="ok", response="Réponse",
                meta={"command": "generate", "audience": "pme", "format": "linkedin"}, prompt_tokens=10,
                completion_tokens=20, cost_usd=0.0, duration_s=1.5)
    return history.log_call(**{**base, **kw})


def test_fresh_database_is_at_the_latest_version():
    log()
    db = sqlite3.connect(history.db_path())
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(history.MIGRATIONS)
    columns = {row[1] for row in db.execute("PRAGMA table_info(calls)")}
    assert set(history.COLUMNS) == columns


def test_an_old_database_is_migrated_keeping_its_rows(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    history.MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO calls (time, messages, status, response) VALUES ('2025-01-01T00:00:00', '[]', 'ok', 'ancien')")
    db.commit()
    db.close()
    rows = history.recent(5, path=path)
    assert [r["response"] for r in rows] == ["ancien"] and rows[0]["lint"] is None
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(history.MIGRATIONS)
    history.set_lint(rows[0]["id"], {"errors": 1}, path=path)
    assert history.get(rows[0]["id"], path=path)["lint"] == {"errors": 1}


def test_migrating_twice_changes_nothing(tmp_path):
    db = sqlite3.connect(tmp_path / "h.db")
    assert history.migrate(db) == len(history.MIGRATIONS)
    assert history.migrate(db) == len(history.MIGRATIONS)


def test_recent_is_newest_first_and_set_lint_attaches_the_summary():
    first, second = log(response="un"), log(response="deux", status="error", error="boom")
    history.set_lint(first, {"errors": 0, "warnings": 2, "rules": ["anglicisme"]})
    rows = history.recent(10)
    assert [r["id"] for r in rows] == [second, first]
    assert rows[1]["lint"] == {"errors": 0, "warnings": 2, "rules": ["anglicisme"]}
    assert rows[0]["status"] == "error" and rows[0]["error"] == "boom"
    assert history.recent(1)[0]["id"] == second
    history.set_lint(None, {"errors": 0})  # a call that was not logged: nothing to do


def test_unknown_id_is_an_input_error():
    with pytest.raises(InputError, match="no call with id 99"):
        history.get(99)


def test_cli_history_list_json_and_show():
    from plume.cli import app

    ids = [log(response=f"réponse {i}") for i in range(3)]
    history.set_lint(ids[-1], {"errors": 1, "warnings": 0})
    runner = CliRunner()
    result = runner.invoke(app, ["history", "-n", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [row["id"] for row in data] == ids[:0:-1]
    assert data[0]["messages"] == MESSAGES and data[0]["lint"] == {"errors": 1, "warnings": 0}
    result = runner.invoke(app, ["history"])
    assert result.exit_code == 0 and "generate" in result.output
    result = runner.invoke(app, ["history", "show", str(ids[0])])
    assert result.exit_code == 0 and "réponse 0" in result.output and "Écris une accroche." in result.output
    result = runner.invoke(app, ["history", "show", "12345"])
    assert result.exit_code == 2 and "no call with id 12345" in result.output
