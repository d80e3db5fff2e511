"""plume eval --compare on two small report folders, and the chart file."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from plume.cli import app
from plume.errors import InputError
from plume.evaluate.chart import render_chart
from plume.evaluate.compare import compare_reports, winner_lines
from plume.evaluate.records import EvalRecord
from plume.evaluate.report import build_report, load_report, write_report

BASELINE = {"method": "test", "reference_voice": 0.28, "corpus_voice_loo": 0.55, "reference_texts": 8,
            "corpus_notes": 5}


GRAMMAR = [{"rule": "grammaire", "severity": "error"}]


def write_run(folder, *, first_pass_ok: list[bool], voice: float, repair: bool, publishable: list[bool] | None = None,
              strategy: str | None = None, landing_voice: float | None = None):
    """One LinkedIn output per audience (and, with `landing_voice`, one landing page for pme)."""
    publishable = publishable or first_pass_ok
    records = [
        EvalRecord(brief="b", audience=a, format="linkedin", status="clean", attempts=1 if ok else 2,
                   first_pass=[] if ok else [{"rule": "jargon-pme", "severity": "error"}], voice=voice,
                   words=100, requested_words=100, completion_tokens=50, strategy=strategy, candidates=2,
                   critic_first=[] if pub else GRAMMAR, critic_final=[] if pub else GRAMMAR)
        for a, ok, pub in zip(["pme", "cos", "coo"], first_pass_ok, publishable)
    ]
    if landing_voice is not None:
        records.append(EvalRecord(brief="b", audience="pme", format="landing", status="clean", attempts=1,
                                  voice=landing_voice, words=300, requested_words=300, strategy=strategy,
                                  critic_first=[], critic_final=[]))
    report = build_report(records, settings={"model": "m", "repair": repair, "attempts": 3, "briefs": 1,
                                             "audiences": ["pme", "cos", "coo"], "formats": ["linkedin"],
                                             "concurrency": 1}, baseline=BASELINE, wall_time_s=1.0)
    write_report(folder, report)
    return report


@pytest.fixture
def runs(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_run(a, first_pass_ok=[False, False, True], voice=0.30, repair=False)
    write_run(b, first_pass_ok=[True, False, True], voice=0.36, repair=True)
    return a, b


def test_compare_differences(runs):
    data = compare_reports(*runs)
    rows = {(r["scope"], r["metric"]): r for r in data["rows"]}
    fp = rows["overall", "first_pass_compliance"]
    assert (fp["a"], fp["b"]) == pytest.approx((1 / 3, 2 / 3))
    assert fp["delta"] == pytest.approx(1 / 3) and fp["better"] is True
    attempts = rows["overall", "mean_attempts"]
    assert attempts["delta"] == pytest.approx(-1 / 3) and attempts["better"] is True  # fewer calls is better
    assert rows["overall", "voice"]["delta"] == pytest.approx(0.06)
    assert rows["pme/linkedin", "first_pass_compliance"]["delta"] == 1.0
    assert rows["cos", "compliance"]["delta"] == 0 and rows["cos", "compliance"]["better"] is None
    assert (data["a"]["repair"], data["b"]["repair"]) == (False, True)


def test_compare_cli_json_and_table(runs):
    a, b = map(str, runs)
    result = CliRunner().invoke(app, ["eval", "--compare", a, b, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["b"]["repair"] is True
    result = CliRunner().invoke(app, ["eval", "--compare", a, b])
    assert result.exit_code == 0, result.output
    assert "house rules, first pass (old)" in result.stdout and "+33 pts" in result.stdout
    assert "winner, linkedin: B won on publishable after repair" in result.stdout.replace("\n", " ")


def test_winner_per_format(tmp_path):
    """LinkedIn: B publishes more; landing: equally publishable, A closer to the voice."""
    a, b = tmp_path / "free", tmp_path / "compose"
    write_run(a, first_pass_ok=[True, False, False], voice=0.30, repair=True, strategy="free", landing_voice=0.50)
    write_run(b, first_pass_ok=[True, True, False], voice=0.30, repair=True, strategy="compose", landing_voice=0.40)
    data = compare_reports(a, b)
    won = {w["format"]: w for w in data["winners"]}
    assert (won["linkedin"]["winner"], won["linkedin"]["by"]) == ("B", "publishable after repair")
    assert won["linkedin"]["publishable"] == pytest.approx({"a": 1 / 3, "b": 2 / 3})
    assert (won["landing"]["winner"], won["landing"]["by"]) == ("A", "voice similarity")
    assert data["a"]["strategy"] == {"linkedin": "free ×2", "landing": "free"}
    lines = winner_lines(data)
    assert lines[0].startswith("linkedin: B (compose ×2) won on publishable after repair — publishable 33 % (A) vs 67 % (B)")
    assert lines[1].startswith("landing: A (free) won on voice similarity")
    same = compare_reports(a, a)
    assert all(w["winner"] == "tie" for w in same["winners"])


def test_compare_refuses_a_folder_without_report(tmp_path, runs):
    result = CliRunner().invoke(app, ["eval", "--compare", str(runs[0]), str(tmp_path)])
    assert result.exit_code == 2
    assert "no report.json" in result.output
    (tmp_path / "report.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="not a plume eval report"):
        load_report(tmp_path)


def test_chart_is_a_png(runs):
    assert (runs[0] / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = load_report(runs[1])
    png = render_chart(report)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_report_markdown_has_tables_and_baseline(runs):
    md = (runs[1] / "report.md").read_text(encoding="utf-8")
    assert "| pme | linkedin | 1 | 100 % | 100 % | 100 % | 100 % |" in md  # publishable ×2, old ×2
    assert "| cos | linkedin | 1 | 0 % | 0 % | 0 % | 100 % |" in md  # the old loop called it clean
    assert "**Publishable by the critic: 67 % after repair (67 % first pass)** of 3 outputs" in md
    assert "| **all** | **all** |" in md
    assert "reference set of generic French business copy (8 texts): **0.280**" in md
    assert "![publishable and voice](chart.png)" in md


@pytest.mark.parametrize("calls, backend, expected", [
    (0, "", "- model: none called (every piece is the author's material alone; configured: `m`)"),
    (2, "embedded", "- model: `m` via embedded"),
    (2, "", "- model: `m`;"),
])
def test_the_report_says_when_no_model_was_called(calls, backend, expected):
    from plume.evaluate.report import describe_run

    records = [EvalRecord(brief="b", audience="pme", format="linkedin", status="clean", model_calls=calls,
                          backend=backend, critic_first=[], critic_final=[])]
    report = build_report(records, settings={"model": "m", "repair": True, "attempts": 3, "briefs": 1,
                                             "audiences": ["pme"], "formats": ["linkedin"]},
                          baseline=BASELINE, wall_time_s=1.0)
    assert describe_run(report).splitlines()[0].startswith(expected)
