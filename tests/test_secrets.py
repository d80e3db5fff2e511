"""No secret leaves the process: a server that echoes the key in its error body, a key in the base URL's
user-info — neither reaches stderr, stdout, history.db, the output file, the variants manifest or index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from plume_process import run
from scripted_server import Reply, ScriptedServer

KEY = "sk-test-SECRET-4f9a"
URL_KEY = "sk-urlinfo-SECRET-77c1"
POST = {"hook": "Tout semble urgent ?", "paragraphs": ["Un soutien à temps partagé.", "Pour prioriser."],
        "bullets": [], "closing": "Et vous ?", "hashtags": ["PME"]}


def everything(home: Path, *more: Path) -> str:
    """Every byte Plume left behind: the history database (and its WAL) plus the given files/folders."""
    paths = [p for p in home.glob("history.db*")]
    for p in more:
        paths += [q for q in p.rglob("*") if q.is_file()] if p.is_dir() else [p]
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in paths if p.exists())


@pytest.fixture
def project(tmp_path):
    (tmp_path / "plume.toml").write_text("[backend]\nmax_retries = 0\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("status", [400, 403, 429, 500, 503])
def test_a_key_echoed_in_an_error_body_never_reaches_stderr_or_history(status, project, plume_home):
    with ScriptedServer([Reply(status=status, echo_auth=True)] * 2) as srv:
        gen = run("generate", "Garder le cap", "-a", "pme", "--base-url", srv.base_url, "--model", "m",
                  "--strategy", "free", cwd=project, OPENAI_API_KEY=KEY)
        assert srv.headers and srv.headers[0]["authorization"] == f"Bearer {KEY}"  # the key was sent
    assert gen.returncode == 3 and "you sent: Bearer ***" in gen.stderr and "Traceback" not in gen.stderr
    assert "scripted error" in everything(plume_home)
    assert KEY not in gen.stdout + gen.stderr + everything(plume_home)


def test_a_key_echoed_in_an_error_body_never_reaches_the_manifest_index_or_check(project, plume_home):
    with ScriptedServer([Reply(status=500, echo_auth=True)] * 4) as srv:
        check = run("backend", "--check", "--json", "--base-url", srv.base_url, "--model", "m",
                    cwd=project, OPENAI_API_KEY=KEY)
        out = project / "variants"
        var = run("variants", "Garder le cap", "--out", str(out), "--audiences", "pme", "--formats", "linkedin",
                  "--base-url", srv.base_url, "--model", "m", cwd=project, OPENAI_API_KEY=KEY)
    assert "Traceback" not in check.stderr + var.stderr
    assert check.returncode == 3 and "scripted error" in json.loads(check.stdout)["check"]["detail"]
    assert "scripted error" in (out / "manifest.jsonl").read_text(encoding="utf-8")
    leaked = check.stdout + check.stderr + var.stdout + var.stderr + everything(plume_home, out)
    assert KEY not in leaked


def test_a_key_in_the_base_url_user_info_is_masked_everywhere(project, plume_home):
    with ScriptedServer([Reply(json.dumps(POST, ensure_ascii=False)), Reply(status=500, echo_auth=True)]) as srv:
        url = srv.base_url.replace("http://", f"http://plume:{URL_KEY}@")
        target = project / "post.md"
        ok = run("generate", "Garder le cap", "-a", "pme", "--base-url", url, "--model", "m", "--attempts", "1",
                 "--strategy", "free",
                 "--out", str(target), cwd=project)
        describe = run("backend", "--json", "--base-url", url, "--model", "m", cwd=project)
        failed = run("generate", "Garder le cap", "-a", "pme", "--base-url", url, "--model", "m", "--json",
                     "--strategy", "free",
                     cwd=project)
    assert ok.returncode in (0, 1), ok.stderr
    assert target.is_file() and "backend: 127.0.0.1:" in target.read_text(encoding="utf-8")
    assert failed.returncode == 3
    assert json.loads(describe.stdout)["active"]["base_url"].startswith("http://***@127.0.0.1")
    leaked = "".join(p.stdout + p.stderr for p in (ok, describe, failed)) + everything(plume_home, target)
    assert URL_KEY not in leaked


def test_redact_masks_registered_secrets_urls_and_bearer_tokens():
    from plume.redact import add_secret, redact

    add_secret("sk-unit-abcdef")
    add_secret("local")  # too short to be a key (the embedded backend's placeholder): ignored
    text = "key sk-unit-abcdef, url https://u:p4ss@h/v1, header Bearer xyz.123 — local reste"
    assert redact(text) == "key ***, url https://***@h/v1, header Bearer *** — local reste"
