"""generate: --out and the configuration are checked before any model call; when writing still fails, the
copy that was paid for is printed and kept in a recovery file named in the error line; a mistyped brief
file name is an error, not a topic. `plume` runs as a child process against the scripted server."""

from __future__ import annotations

import json
import sqlite3

from plume_process import run
from scripted_server import Reply, ScriptedServer

POST = {"hook": "Tout semble urgent ?", "paragraphs": ["Un soutien à temps partagé.", "Pour prioriser."],
        "bullets": [], "closing": "Et vous ?", "hashtags": ["PME"]}


def answers(n: int = 3) -> list[Reply]:
    return [Reply(json.dumps(POST, ensure_ascii=False)) for _ in range(n)]


def generate(srv, *args, cwd=None, **env):
    return run("generate", "Garder le cap", "-a", "pme", "--attempts", "1", "--strategy", "free", "--base-url", srv.base_url,
               "--model", "m", *args, cwd=cwd, **env)


def test_out_in_a_read_only_folder_is_refused_before_the_call(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with ScriptedServer(answers()) as srv:
            proc = generate(srv, "--out", str(folder / "x.md"))
            calls = len(srv.requests)
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 2 and calls == 0
    assert "read-only" in proc.stderr and "Traceback" not in proc.stderr


def test_out_on_an_existing_folder_with_force_is_refused_before_the_call(tmp_path):
    with ScriptedServer(answers()) as srv:
        proc = generate(srv, "--out", str(tmp_path), "--force")
        calls = len(srv.requests)
    assert proc.returncode == 2 and calls == 0
    assert "is a folder" in proc.stderr and "Traceback" not in proc.stderr


def test_when_writing_fails_after_the_call_the_copy_is_printed_and_kept(tmp_path, plume_home):
    out = tmp_path / "sub" / "x.md"

    def answer(body):
        # the folder turns read-only while the model is answering (after --out was checked)
        out.parent.mkdir()
        out.parent.chmod(0o555)
        return answers(1)[0]

    try:
        with ScriptedServer(responder=answer) as srv:
            proc = generate(srv, "--out", str(out))
    finally:
        if out.parent.exists():
            out.parent.chmod(0o755)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "Tout semble urgent" in proc.stdout
    line = [l for l in proc.stderr.splitlines() if "error:" in l]
    assert len(line) == 1 and str(out) in line[0]
    kept = list((plume_home / "recovered").iterdir())
    assert len(kept) == 1 and str(kept[0]) in line[0]
    assert "Tout semble urgent" in kept[0].read_text(encoding="utf-8")


def test_a_bad_price_entry_is_found_before_any_call(tmp_path, plume_home):
    (tmp_path / "plume.toml").write_text('[prices]\n"any" = 3\n', encoding="utf-8")
    with ScriptedServer(answers()) as srv:
        proc = generate(srv, cwd=tmp_path)
        calls = len(srv.requests)
    assert proc.returncode == 2 and calls == 0
    assert "plume.toml [prices]" in proc.stderr and "'any'" in proc.stderr and "Traceback" not in proc.stderr


def test_every_call_is_logged_when_the_configuration_is_good(tmp_path, plume_home):
    (tmp_path / "plume.toml").write_text('[prices]\nm = {input = 1.0, output = 2.0}\n', encoding="utf-8")
    with ScriptedServer(answers()) as srv:
        proc = generate(srv, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    db = sqlite3.connect(plume_home / "history.db")
    assert db.execute("SELECT count(*), sum(cost_usd > 0) FROM calls").fetchone() == (1, 1)


def test_a_missing_brief_file_is_an_error_not_a_topic(tmp_path):
    with ScriptedServer(answers()) as srv:
        results = [run("generate", name, "-a", "pme", "--strategy", "free", "--base-url", srv.base_url, "--model", "m",
                       cwd=tmp_path)
                   for name in ("missing.yaml", "brief.YML", "notes/draft.md")]
        calls = len(srv.requests)
    assert calls == 0
    for name, proc in zip(("missing.yaml", "brief.YML", "notes/draft.md"), results):
        assert proc.returncode == 2 and f"{name}: brief file not found" in proc.stderr, proc.stderr


def test_rewrite_out_that_fails_after_the_call_keeps_the_copy(tmp_path, plume_home):
    draft = tmp_path / "draft.md"
    draft.write_text("---\naudience: pme\n---\n\nUn Chief of Staff externe pour vous.\n", encoding="utf-8")
    out = tmp_path / "sub" / "x.md"

    def answer(body):
        out.parent.mkdir()
        out.parent.chmod(0o555)  # read-only while the model answers
        return Reply("Un Associé Opérationnel & Stratégique à temps partagé pour vous.")

    try:
        with ScriptedServer(responder=answer) as srv:
            proc = run("rewrite", str(draft), "--attempts", "1", "--out", str(out), "--base-url", srv.base_url,
                       "--model", "m")
    finally:
        if out.parent.exists():
            out.parent.chmod(0o755)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "Associé Opérationnel" in proc.stdout
    kept = list((plume_home / "recovered").iterdir())
    assert len(kept) == 1 and str(kept[0]) in proc.stderr and "Associé" in kept[0].read_text(encoding="utf-8")
