"""plume eval end to end on the scripted server: metrics equal the numbers computed by hand."""

from __future__ import annotations

import json

import pytest
from eval_fixtures import BRIEFS_YAML, request_kind, responder
from scripted_server import ScriptedServer
from typer.testing import CliRunner

from plume.backends import get_backend
from plume.cli import app
from plume.errors import InputError
from plume.evaluate.briefs import load_briefs
from plume.evaluate.records import count_words
from plume.evaluate.run import run_eval
from plume.evaluate.voice import house_voice_model

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def voice():
    return house_voice_model()


@pytest.fixture
def briefs(tmp_path):
    path = tmp_path / "briefs.yaml"
    path.write_text(BRIEFS_YAML, encoding="utf-8")
    return load_briefs(path)


def run(srv, briefs, out, voice, **kwargs):
    backend = get_backend(model="scripted-model", base_url=srv.base_url)
    try:
        kwargs.setdefault("strategy", "free")  # the free path: the scripted answers are whole pieces
        return run_eval(briefs, out=out, backend=backend, audiences=["pme", "coo"], voice=voice,
                        concurrency=2, **kwargs)
    finally:
        backend.close()


def test_metrics_match_hand_computation(tmp_path, briefs, voice):
    out = tmp_path / "run"
    with ScriptedServer(responder=responder()) as srv:
        report = run(srv, briefs, out, voice)
        assert len(srv.requests) == 7  # pme/linkedin 2, pme/landing 1, coo/linkedin 1, coo/landing 3

    s = report["summary"]
    o = s["overall"]
    assert (o["n"], o["failed"]) == (4, 0)
    assert o["first_pass_compliance"] == 0.5  # pme/landing and coo/linkedin clean at once
    assert o["compliance"] == 0.75  # coo/landing keeps "Operating Partner"
    assert o["mean_attempts"] == 1.75  # (2 + 1 + 1 + 3) / 4
    assert o["banned_per_output"] == 0.75  # raw first answers: 2 + 0 + 0 + 1
    assert o["banned_final_per_output"] == 0.25
    assert o["dimension_coverage"] == 1.0
    assert (o["prompt_tokens"], o["completion_tokens"], o["cost_usd"]) == (700, 350, 0.0)
    assert s["by_audience"]["pme"]["compliance"] == 1.0 and s["by_audience"]["pme"]["mean_attempts"] == 1.5
    assert s["by_audience"]["coo"]["compliance"] == 0.5 and s["by_audience"]["coo"]["mean_attempts"] == 2.0
    # LinkedIn lengths: 27 and 28 words for 30 requested
    assert s["by_format"]["linkedin"]["length_error"] == pytest.approx((3 / 30 + 2 / 30) / 2)
    # landing words include the rendered headings: 74 (pme) and 75 (coo, longer subtitle) for 90 requested
    # (inside the critic's ±25 % band: the writer's loop judges the requested length too)
    assert s["by_format"]["landing"]["length_error"] == pytest.approx((16 / 90 + 15 / 90) / 2)
    assert o["length_error"] == pytest.approx((3 / 30 + 2 / 30 + 16 / 90 + 15 / 90) / 4)
    cells = {(c["audience"], c["format"]): c for c in s["by_variant"]}
    assert cells["pme", "linkedin"]["first_pass_compliance"] == 0.0
    assert cells["pme", "linkedin"]["compliance"] == 1.0
    assert cells["coo", "landing"]["mean_attempts"] == 3.0
    assert report["rules_first_pass"] == {"jargon-pme": 1, "operating-partner": 1}
    assert report["rules_final"] == {"operating-partner": 1}

    # voice: each output scored against the corpus, baseline from the reference set
    records = {r["id"]: r for r in report["records"]}
    text = (out / "outputs" / "alpha-coo-linkedin.json").read_text(encoding="utf-8")
    saved = json.loads(text)
    assert saved["words"] == 28 == count_words(saved["text"])
    assert records["alpha-coo-linkedin"]["voice"] == pytest.approx(voice.score([saved["text"]]).centroid[0], abs=1e-4)
    assert report["baseline"]["reference_voice"] < report["baseline"]["corpus_voice_loo"]
    assert o["voice"] == pytest.approx(sum(r["voice"] for r in report["records"]) / 4)

    # files a person can read
    assert (out / "chart.png").read_bytes()[:8] == PNG
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["summary"]["overall"]["n"] == 4
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| pme | linkedin | 1 | 0 % | 100 % |" in md
    for id_ in ("alpha-pme-linkedin", "alpha-pme-landing", "alpha-coo-linkedin", "alpha-coo-landing"):
        assert (out / "outputs" / f"{id_}.md").read_text(encoding="utf-8").startswith("---\nbrief: alpha\n")
    coo_landing = (out / "outputs" / "alpha-coo-landing.md").read_text(encoding="utf-8")
    assert "operating-partner" in coo_landing and "Operating Partner" in coo_landing


def test_publishable_is_the_whole_critics_verdict(tmp_path, briefs, voice):
    """Eval judges each output itself, first answer and final text, with the brief's target."""
    from plume.house import load_house
    from plume.lint import lint_text
    from plume.lint.target import Target

    out = tmp_path / "run"
    with ScriptedServer(responder=responder()) as srv:
        report = run(srv, briefs, out, voice)
    house = load_house()
    verdicts = {}
    for row in report["records"]:
        saved = json.loads((out / "outputs" / f"{row['id']}.json").read_text(encoding="utf-8"))
        material = "Sujet Alpha : prendre du recul\nQuand tout est urgent.\nUn test à temps partagé."
        assert saved["asked"] == {"cta": None, "words": saved["requested_words"], "material": material}
        target = Target(row["audience"], row["format"], cta=None, words=saved["requested_words"], material=material)
        final = lint_text(saved["text"], house, target=target)
        first = lint_text(saved["first_text"], house, target=target)
        assert row["publishable"] is final.clean and row["publishable_first"] is first.clean
        assert [v["rule"] for v in saved["critic_final"]] == [v.rule for v in final.violations]
        verdicts[row["id"]] = (first.clean, final.clean)
    # pme/linkedin was repaired: its first answer (after the safe fixes) still says "C-level"
    pme = json.loads((out / "outputs" / "alpha-pme-linkedin.json").read_text(encoding="utf-8"))
    assert "C-level" in pme["first_text"] and "C-level" not in pme["text"]
    assert verdicts["alpha-pme-linkedin"][0] is False
    o = report["summary"]["overall"]
    assert o["publishable"] == sum(v[1] for v in verdicts.values()) / 4
    assert o["publishable_first"] == sum(v[0] for v in verdicts.values()) / 4
    assert report["critic"]["judged"] == 4 and "house" in report["critic"]["checkers"]
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.splitlines()[2].startswith(f"**Publishable by the critic: {round(100 * o['publishable'])} % after repair")
    assert (out / "review.html").read_text(encoding="utf-8").count('<article class="card"') == 4


def test_rerun_resumes_without_model_calls_and_refuses_other_settings(tmp_path, briefs, voice):
    out = tmp_path / "run"
    with ScriptedServer(responder=responder()) as srv:
        first = run(srv, briefs, out, voice)
        calls = len(srv.requests)
        again = run(srv, briefs, out, voice)
        assert len(srv.requests) == calls
        assert again["summary"]["overall"] == first["summary"]["overall"]
        assert again["settings"]["resumed"] == 4
        with pytest.raises(InputError, match="other settings"):
            run(srv, briefs, out, voice, repair=False)


def test_no_repair_and_one_failed_output(tmp_path, briefs, voice):
    with ScriptedServer(responder=responder(fail=("coo", "linkedin"))) as srv:
        report = run(srv, briefs, tmp_path / "run", voice, repair=False)
    o = report["summary"]["overall"]
    assert (o["n"], o["failed"]) == (4, 1)
    assert o["mean_attempts"] == 1.0  # no repair prompt
    assert o["first_pass_compliance"] == pytest.approx(1 / 3)  # only pme/landing, of the 3 produced
    assert o["compliance"] == pytest.approx(1 / 3)
    failed = next(r for r in report["records"] if r["status"] == "failed")
    assert failed["id"] == "alpha-coo-linkedin" and "scripted failure" in failed["error"]


def test_non_eval_folder_is_refused(tmp_path, briefs, voice):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.md").write_text("à moi", encoding="utf-8")
    with ScriptedServer(responder=responder()) as srv, pytest.raises(InputError, match="holds no eval run"):
        run(srv, briefs, out, voice)
    assert (out / "notes.md").read_text(encoding="utf-8") == "à moi"


def test_cli_eval_json(tmp_path):
    briefs = tmp_path / "briefs.yaml"
    briefs.write_text(BRIEFS_YAML, encoding="utf-8")
    out = tmp_path / "run"
    with ScriptedServer(responder=responder()) as srv:
        result = CliRunner().invoke(app, ["eval", "--briefs", str(briefs), "--audiences", "coo", "--formats",
                                          "linkedin", "--out", str(out), "--base-url", srv.base_url,
                                          "--model", "scripted-model", "--strategy", "free", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["overall"]["n"] == 1
    assert data["summary"]["overall"]["first_pass_compliance"] == 1.0
    assert data["settings"]["audiences"] == ["coo"]
    assert (out / "outputs" / "alpha-coo-linkedin.md").is_file()


def test_cli_unknown_audience_is_one_line(tmp_path):
    briefs = tmp_path / "briefs.yaml"
    briefs.write_text(BRIEFS_YAML, encoding="utf-8")
    with ScriptedServer(responder=responder()) as srv:
        result = CliRunner().invoke(app, ["eval", "--briefs", str(briefs), "--audiences", "ceo", "--out",
                                          str(tmp_path / "run"), "--base-url", srv.base_url])
    assert result.exit_code == 2
    assert "unknown audience 'ceo'" in result.output


def test_killed_run_resumes_where_it_stopped(tmp_path):
    """A run killed mid-way (SIGKILL: no clean-up at all) keeps every finished output; the same command
    again asks the model only for the rest, and the report covers all of them."""
    import dataclasses
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    briefs = tmp_path / "briefs.yaml"
    briefs.write_text(BRIEFS_YAML, encoding="utf-8")
    out = tmp_path / "run"
    base = responder()

    def slow(body):
        return dataclasses.replace(base(body), delay=0.4)

    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": src}
    with ScriptedServer(responder=slow) as srv:
        argv = [sys.executable, "-m", "plume", "eval", "--briefs", str(briefs), "--audiences", "pme,coo",
                "--out", str(out), "--base-url", srv.base_url, "--model", "scripted-model", "--concurrency", "1",
                "--json"]
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(list((out / "outputs").glob("*.json"))) < 2:
                time.sleep(0.05)
            os.killpg(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=10)
        kept = sorted(p.stem for p in (out / "outputs").glob("*.json"))
        assert 2 <= len(kept) < 4 and not (out / "report.json").exists()
        for id_ in kept:  # atomic writes: a kill leaves temp files at worst, never a half-written output
            assert json.loads((out / "outputs" / f"{id_}.json").read_text(encoding="utf-8"))["text"]
        before = len(srv.requests)
        result = CliRunner().invoke(app, argv[3:])  # the same command again
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        asked = [request_kind(body) for body in srv.requests[before:]]
    assert report["settings"]["resumed"] == len(kept)
    assert report["summary"]["overall"]["n"] == 4 and report["summary"]["overall"]["failed"] == 0
    redone = {f"alpha-{a}-{f}" for a, f, _ in asked}
    assert all((out / "outputs" / f"{i}.md").is_file() for i in redone | set(kept))
    assert redone.isdisjoint(kept) and redone | set(kept) == {
        "alpha-pme-linkedin", "alpha-pme-landing", "alpha-coo-linkedin", "alpha-coo-landing"}


def test_writer_strategy_candidates_and_calls_are_recorded(tmp_path, briefs, voice):
    """The writer's default (compose, N candidates): each record says how it was written, and the model
    calls it reports are the requests the server saw."""
    from plume.write.generate import DEFAULT_CANDIDATES, strategy_for

    out = tmp_path / "run"
    with ScriptedServer(responder=responder()) as srv:
        report = run(srv, briefs, out, voice, strategy=None)
        requests = len(srv.requests)
    rows = report["records"]
    for row in rows:
        strategy = strategy_for(row["format"], None)
        assert row["strategy"] == strategy and row["candidates"] == DEFAULT_CANDIDATES[strategy]
        assert row["model_calls"] >= 1 and row["field_repairs"] is not None
    assert sum(r["model_calls"] for r in rows) == requests == report["summary"]["overall"]["model_calls"]
    assert report["settings"]["strategy"] == "auto"
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "- writer: strategy" in md and "candidates N =" in md
    # the first pass is the best of the first answers, as the writer chose it: judged by the critic
    for row in rows:
        saved = json.loads((out / "outputs" / f"{row['id']}.json").read_text(encoding="utf-8"))
        assert saved["first_text"] and saved["critic_first"] is not None
