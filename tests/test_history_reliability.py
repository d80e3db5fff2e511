"""The history database under kills, concurrent first use and corruption (real processes on a fresh home)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from plume_process import env, run
from scripted_server import Reply, ScriptedServer

from plume import history

POST = {"hook": "Tout semble urgent ?", "paragraphs": ["Un soutien à temps partagé.", "Pour prioriser."],
        "bullets": [], "closing": "Et vous ?", "hashtags": ["PME"]}

# A child that migrates a fresh database and is killed -9 inside the first migration, after CREATE TABLE.
KILLED_MID_MIGRATION = r"""
import sys, time, pathlib
from plume import history
first = history.MIGRATIONS[0]
def slow_first(db):
    first(db)
    pathlib.Path(sys.argv[2]).write_text("created")
    time.sleep(60)
history.MIGRATIONS[0] = slow_first
history.connect(pathlib.Path(sys.argv[1]))
"""

# A child that waits for the go file, then logs N calls (each its own insert) and prints what failed.
WRITER = r"""
import sys, time, pathlib
from plume import history
go, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
while not go.exists():
    time.sleep(0.005)
errors = []
for i in range(n):
    try:
        history.log_call(messages=[{"role": "user", "content": f"m{i}"}], backend="b", model="m", status="ok",
                         response=f"r{i}")
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
print("\n".join(errors))
"""


def test_a_kill_inside_the_first_migration_leaves_a_database_later_runs_can_use(tmp_path):
    path, ready = tmp_path / "history.db", tmp_path / "ready"
    child = subprocess.Popen([sys.executable, "-c", KILLED_MID_MIGRATION, str(path), str(ready)], env=env())
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert child.poll() is None and time.monotonic() < deadline, "the child never reached the migration"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 0
    db.close()
    history.log_call(messages=[{"role": "user", "content": "x"}], backend="b", model="m", status="ok", path=path)
    assert [r["status"] for r in history.recent(5, path=path)] == ["ok"]


def test_a_database_half_migrated_by_an_older_plume_is_repaired(tmp_path):
    path = tmp_path / "history.db"
    db = sqlite3.connect(path)
    history.MIGRATIONS[0](db)  # the table exists, user_version still 0: what the old non-atomic step left
    db.execute("ALTER TABLE calls ADD COLUMN lint TEXT")
    db.commit()
    db.close()
    history.log_call(messages=[], backend="b", model="m", status="ok", path=path)
    assert len(history.recent(5, path=path)) == 1


def test_four_processes_on_a_fresh_home_lose_no_insert(tmp_path):
    home, go = tmp_path / "home", tmp_path / "go"
    children = [subprocess.Popen([sys.executable, "-c", WRITER, str(go), "20"], env=env(PLUME_HOME=str(home)),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    time.sleep(1.0)  # let them all import and wait at the line
    go.write_text("go")
    outputs = [c.communicate(timeout=120) for c in children]
    assert [c.returncode for c in children] == [0, 0, 0, 0], outputs
    assert all(out.strip() == "" for out, _ in outputs), outputs
    db = sqlite3.connect(home / "history.db")
    assert db.execute("SELECT count(*) FROM calls").fetchone()[0] == 80


def _corrupt(home: Path, how: str) -> Path:
    path = home / "history.db"
    home.mkdir(parents=True, exist_ok=True)
    if how == "garbage":
        path.write_bytes(b"this is not an SQLite database at all\n" * 200)
    else:  # a real database cut in the middle
        history.close_all()
        for i in range(300):
            history.log_call(messages=[{"role": "user", "content": "x" * 500}], backend="b", model="m",
                             status="ok", response="y" * 500, path=path)
        history.close_all()
        db = sqlite3.connect(path)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    return path


def test_a_corrupt_or_truncated_history_is_one_line_exit_2_and_generate_keeps_working(tmp_path):
    for how in ("garbage", "truncated"):
        home = tmp_path / how
        path = _corrupt(home, how)
        for args in (["history"], ["history", "show", "1"], ["history", "--json"]):
            proc = run(*args, PLUME_HOME=str(home))
            assert proc.returncode == 2, (how, args, proc.stderr)
            assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
            assert str(path) in proc.stderr
    with ScriptedServer([Reply(json.dumps(POST, ensure_ascii=False))]) as srv:
        gen = run("generate", "Garder le cap", "-a", "pme", "--attempts", "1", "--base-url", srv.base_url,
                  "--model", "m", "--strategy", "free", PLUME_HOME=str(tmp_path / "garbage"))
    assert gen.returncode in (0, 1) and "Tout semble urgent" in gen.stdout, gen.stderr
    assert "Traceback" not in gen.stderr and "history not written" in gen.stderr and str(tmp_path) in gen.stderr


def test_a_huge_answer_is_kept_once_and_capped(tmp_path):
    path = tmp_path / "history.db"
    answer = json.dumps({**POST, "paragraphs": ["mot " * 250_000]})  # ~1 MB
    history.log_call(messages=[{"role": "user", "content": answer}], backend="b", model="m", status="ok",
                     response=answer, parsed=json.loads(answer), error=answer, path=path)
    history.close_all()
    row = history.get(1, path=path)
    assert len(row["response"]) < history.MAX_TEXT + 100 and "more characters not kept" in row["response"]
    assert row["parsed"] is None
    assert path.stat().st_size + sum(p.stat().st_size for p in tmp_path.glob("history.db-wal")) < 1_500_000
