"""Model answers that go wrong: an empty answer is asked again like any unusable one; a stream broken after
some pieces says so on its own line (not glued to the partial text) and never claims retries the SDK did
not make. Real HTTP to the scripted server; the CLI as a child process."""

from __future__ import annotations

import json

from plume_process import run
from scripted_server import Reply, ScriptedServer

from plume.backends import get_backend
from plume.write import generate

POST = {"hook": "Tout semble urgent ?", "paragraphs": ["Un soutien à temps partagé.", "Pour prioriser."],
        "bullets": [], "closing": "Et vous ?", "hashtags": ["PME"]}


def test_an_empty_answer_is_asked_again():
    with ScriptedServer([Reply(""), Reply(json.dumps(POST, ensure_ascii=False))]) as srv:
        backend = get_backend(model="m", base_url=srv.base_url, max_retries=0)
        result = generate("Garder le cap", "pme", "linkedin", backend, attempts=2, strategy="free")
        assert len(srv.requests) == 2
    assert result.attempts == 2 and "Tout semble urgent" in result.text


def stream_failure(tmp_path, reply: Reply):
    (tmp_path / "plume.toml").write_text("[backend]\nmax_retries = 1\n", encoding="utf-8")
    with ScriptedServer([reply] * 4) as srv:
        proc = run("generate", "Garder le cap", "-a", "pme", "--stream", "--attempts", "1", "--strategy", "free",
                   "--base-url", srv.base_url, "--model", "m", cwd=tmp_path)
        asked = len(srv.requests)
    return proc, asked


def test_a_cut_stream_error_has_its_own_line(tmp_path):
    proc, asked = stream_failure(tmp_path, Reply(json.dumps(POST), stream_cut_after=3))
    assert proc.returncode == 3 and asked == 1
    error = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(error) == 1 and error[0].startswith("plume: error:") and "stream was cut" in error[0]
    assert proc.stderr.startswith('{"hook"')  # the partial text, then a line break


def test_a_broken_stream_does_not_claim_retries(tmp_path):
    proc, asked = stream_failure(tmp_path, Reply(json.dumps(POST), stream_abort_after=3))
    assert proc.returncode == 3 and asked == 1 and "Traceback" not in proc.stderr
    error = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(error) == 1 and error[0].startswith("plume: error:"), proc.stderr
    assert "retries" not in error[0] and "unreachable" not in error[0] and "connection lost during the answer" in error[0]
