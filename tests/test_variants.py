"""variants: 3 audiences × 2 formats concurrently, manifest, resume without model calls, one failure isolated,
OpenAI Batch requests and import."""

from __future__ import annotations

import json

from scripted_server import Reply, ScriptedServer, error_body
from typer.testing import CliRunner

from plume.backends import get_backend
from plume.cli import app
from plume.house import load_house
from plume.write import Brief, import_batch, run_variants, write_batch
from plume.write.variants import DEFAULT_CTA, MANIFEST

HOUSE = load_house()
POST = {"hook": "Tout semble urgent ?", "paragraphs": ["Un soutien à temps partagé.", "Pour prioriser."],
        "bullets": [], "closing": "Et vous ?", "hashtags": ["PME"]}
LANDING = {"title": "Garder le cap", "subtitle": "Un soutien à temps partagé.", "pains": ["Tout est urgent.", "Trop de sujets."],
           "dimensions": [{"name": "Sparring Partner", "role": "Je challenge."}, {"name": "Architecte", "role": "Je structure."},
                          {"name": "Éclaireur", "role": "Je débloque."}],
           "benefits": ["Du temps.", "De la clarté.", "De la sérénité."], "how_it_works": ["Un test à temps partagé.", "Un bilan."],
           "call_to_action": "Parlons-en."}
BRIEF = Brief(topic="Garder le cap", facts=["Un test de trois mois"], cta="Réservez 30 minutes.")


def audience_of(body: dict) -> str:
    user = body["messages"][-1]["content"]
    found = [a for a, spec in HOUSE.audiences.items() if spec.reader in user]  # generate prompts
    return (found or [a for a, spec in HOUSE.audiences.items() if f"Lecteur : {spec.label}." in user])[0]


def responder(fail: str | None = None):
    def answer(body: dict) -> Reply:
        if fail and audience_of(body) == fail:
            return Reply(status=500, body=error_body(500, "boom"))
        name = body["response_format"]["json_schema"]["name"]
        return Reply(json.dumps(LANDING if name == "LandingCopy" else POST, ensure_ascii=False))

    return answer


def run(srv, out, **kw):
    backend = get_backend(model="m", base_url=srv.base_url, max_retries=0)
    kw.setdefault("strategy", "free")  # these tests are about the batch mechanics, not the writing strategy
    return run_variants(BRIEF, ["pme", "cos", "coo"], ["linkedin", "landing"], out, backend, concurrency=3, **kw)


def manifest(out) -> list[dict]:
    return [json.loads(line) for line in (out / MANIFEST).read_text(encoding="utf-8").splitlines()]


def test_six_variants_then_a_rerun_makes_no_call(tmp_path):
    with ScriptedServer(responder=responder()) as srv:
        report = run(srv, tmp_path)
        assert len(srv.requests) == 6
        for body in srv.requests:  # the same facts and call to action in every prompt
            assert "Un test de trois mois" in body["messages"][1]["content"]
            assert "Réservez 30 minutes." in body["messages"][1]["content"]
        again = run(srv, tmp_path)
        assert len(srv.requests) == 6  # nothing asked again
    files = sorted(p.name for p in tmp_path.glob("*.md"))
    assert files == sorted(f"{a}-{f}.md" for a in ("pme", "cos", "coo") for f in ("linkedin", "landing"))
    lines = manifest(tmp_path)
    assert len(lines) == 6 and {l["status"] for l in lines} == {"clean"}
    assert set(lines[0]) == {"id", "audience", "format", "file", "status", "attempts", "errors", "warnings",
                             "prompt_tokens", "completion_tokens", "cost_usd", "duration_s", "error"}
    assert report.ok and again.skipped == [r["id"] for r in report.records]
    for f in ("linkedin", "landing"):  # the CTA is held word for word in every file
        assert all("Réservez 30 minutes." in (tmp_path / f"{a}-{f}.md").read_text(encoding="utf-8") for a in ("pme", "cos", "coo"))
    assert "audience: coo" in (tmp_path / "coo-landing.md").read_text(encoding="utf-8")
    assert report.index_error is None and (tmp_path / "index.html").is_file()


def test_resume_after_a_killed_batch_makes_exactly_the_missing_calls(tmp_path):
    with ScriptedServer(responder=responder()) as srv:
        run(srv, tmp_path)
    kept = manifest(tmp_path)[:2]
    (tmp_path / MANIFEST).write_text("".join(json.dumps(l) + "\n" for l in kept) + '{"id": "coo-lan', encoding="utf-8")
    (tmp_path / kept[1]["file"]).unlink()  # listed as finished but its file is gone: redo it
    with ScriptedServer(responder=responder()) as srv:
        report = run(srv, tmp_path)
        assert len(srv.requests) == 5
    assert report.skipped == [kept[0]["id"]]
    assert len(list(tmp_path.glob("*.md"))) == 6 and report.ok


def test_one_failed_variant_does_not_stop_the_others(tmp_path):
    with ScriptedServer(responder=responder(fail="cos")) as srv:
        report = run(srv, tmp_path)
    failed = {r["id"] for r in report.failed}
    assert failed == {"cos-linkedin", "cos-landing"}
    assert all(r["error"] and r["file"] is None for r in report.failed)
    assert sorted(p.name for p in tmp_path.glob("*.md")) == sorted(
        ["pme-linkedin.md", "pme-landing.md", "coo-linkedin.md", "coo-landing.md"])
    with ScriptedServer(responder=responder()) as srv:  # a re-run only retries the failed ones
        report = run(srv, tmp_path)
        assert len(srv.requests) == 2
    assert report.ok


def test_cli_variants_table_and_rerun(tmp_path):
    out = tmp_path / "out"
    with ScriptedServer(responder=responder()) as srv:
        args = ["variants", "Garder le cap", "--audiences", "pme,cos", "--formats", "linkedin", "--out", str(out), "--strategy", "free",
                "--base-url", srv.base_url, "--model", "m", "--concurrency", "2"]
        first = CliRunner().invoke(app, args)
        assert first.exit_code == 0, first.output
        assert "pme-linkedin" in first.stderr and "clean" in first.stderr
        second = CliRunner().invoke(app, ["variants", "run", *args[1:], "--json"])
        assert len(srv.requests) == 2
    assert second.exit_code == 0
    assert [r["id"] for r in json.loads(second.stdout)] == ["pme-linkedin", "cos-linkedin"]


def test_default_cta_is_held_when_the_brief_has_none(tmp_path):
    with ScriptedServer(responder=responder()) as srv:
        backend = get_backend(model="m", base_url=srv.base_url)
        run_variants("Garder le cap", ["pme", "coo"], ["linkedin"], tmp_path, backend, strategy="free")
        assert all(DEFAULT_CTA in b["messages"][1]["content"] for b in srv.requests)


def test_openai_batch_requests_then_import(tmp_path):
    out, batch = tmp_path / "out", tmp_path / "batch.jsonl"
    ids = write_batch(BRIEF, ["pme", "cos"], ["linkedin", "landing"], out, batch, model="gpt-4o-mini")
    lines = [json.loads(l) for l in batch.read_text(encoding="utf-8").splitlines()]
    assert [l["custom_id"] for l in lines] == ids == ["pme-linkedin", "pme-landing", "cos-linkedin", "cos-landing"]
    assert lines[0]["url"] == "/v1/chat/completions" and lines[0]["body"]["model"] == "gpt-4o-mini"
    assert lines[1]["body"]["response_format"]["json_schema"]["name"] == "LandingCopy"
    results = []
    for l in lines:
        content = LANDING if l["custom_id"].endswith("landing") else {**POST, "hook": "Un C-level débordé ?"}
        ok = l["custom_id"] != "cos-landing"
        results.append({"custom_id": l["custom_id"],
                        "response": {"status_code": 200 if ok else 500, "body": {
                            "model": "gpt-4o-mini", "usage": {"prompt_tokens": 800, "completion_tokens": 200},
                            "choices": [{"message": {"role": "assistant", "content": json.dumps(content)}}]}},
                        "error": None})
    res = tmp_path / "results.jsonl"
    res.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    result = CliRunner().invoke(app, ["variants", "import", str(res), "--out", str(out), "--json"])
    assert result.exit_code == 1  # one failed line
    records = {r["id"]: r for r in json.loads(result.stdout)}
    assert records["pme-linkedin"]["status"] == "violations"  # C-level for pme, no repair in a batch
    assert records["cos-linkedin"]["status"] == "clean"  # C-level is fine for a Chief of Staff
    assert records["cos-landing"]["status"] == "failed"
    assert records["pme-landing"]["cost_usd"] > 0 and (out / "pme-landing.md").is_file()


def test_rerun_with_nothing_left_never_resolves_a_backend(tmp_path, monkeypatch):
    out = tmp_path / "out"
    with ScriptedServer(responder=responder()) as srv:
        args = ["variants", "Garder le cap", "--audiences", "pme", "--formats", "linkedin,landing", "--out", str(out), "--strategy", "free"]
        assert CliRunner().invoke(app, [*args, "--base-url", srv.base_url, "--model", "m"]).exit_code == 0
    # a backend that cannot even be built: the re-run must not need it
    monkeypatch.setenv("PLUME_LOCAL_MODEL", str(tmp_path / "missing.gguf"))
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "kept" in again.stderr
    assert len(manifest(out)) == 2


def test_embedded_single_slot_runs_one_variant_at_a_time():
    from types import SimpleNamespace

    from plume.write.variants import effective_concurrency

    assert effective_concurrency(SimpleNamespace(name="embedded"), 4) == 1
    assert effective_concurrency(SimpleNamespace(name="compatible"), 4) == 4
    assert effective_concurrency(SimpleNamespace(name="compatible", parallel_slots=2), 4) == 2
    assert effective_concurrency(SimpleNamespace(name="openai"), 0) == 1
