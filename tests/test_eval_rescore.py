"""plume eval --rescore: the committed outputs judged again by today's critic, outputs left byte-exact."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from eval_fixtures import BRIEFS_YAML, responder
from scripted_server import ScriptedServer
from typer.testing import CliRunner

from plume.backends import get_backend
from plume.cli import app
from plume.errors import InputError
from plume.evaluate.briefs import load_briefs
from plume.evaluate.records import blocking
from plume.evaluate.rescore import rescore_run
from plume.evaluate.run import run_eval
from plume.evaluate.voice import house_voice_model
from plume.house import load_house
from plume.lint import lint_text
from plume.lint.target import Target
from plume.paths import house_file

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "docs" / "quality" / "embedded"
PHRASE = "temps partagé"
EXTRA_RULE = f"""
  - id: test-temps-partage
    kind: banned
    severity: error
    terms: [{PHRASE}]
    message: "« {{text}} » : règle de test."
"""


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((folder / "outputs").iterdir())}


@pytest.fixture
def committed(tmp_path):
    copy = tmp_path / "embedded"
    shutil.copytree(COMMITTED, copy)
    return copy


@pytest.fixture
def strict_house(tmp_path):
    """Today's house plus one rule that the committed outputs break (rules are the last key of the file)."""
    text = house_file().read_text(encoding="utf-8")
    assert text.rstrip().splitlines()[-1].startswith(" ")  # the rules list ends the file
    path = tmp_path / "house.yaml"
    path.write_text(text.rstrip() + "\n" + EXTRA_RULE, encoding="utf-8")
    return load_house(path)


def test_rescore_judges_again_and_keeps_outputs_byte_exact(committed, strict_house):
    before = digests(committed)
    old = json.loads((committed / "report.json").read_text(encoding="utf-8"))
    report = rescore_run(committed, house=strict_house, checkers=[])
    assert digests(committed) == before  # only the reports change
    assert (committed / "review.html").is_file()

    briefs = {b.id: b for b in load_briefs(ROOT / "eval" / "briefs.yaml")}
    records = {r["id"]: r for r in report["records"]}
    assert list(records) == [r["id"] for r in old["records"]]
    hits = 0
    for id_, row in records.items():
        saved = json.loads((committed / "outputs" / f"{id_}.json").read_text(encoding="utf-8"))
        brief = briefs[saved["brief"]]
        # the critic was given what the brief asked: cta from the briefs file, words from the record
        expected = lint_text(saved["text"], strict_house, checkers=[],
                             target=Target(saved["audience"], saved["format"], cta=brief.cta,
                                           words=saved["requested_words"],
                                           material="\n".join([brief.topic, brief.angle, *brief.facts])))
        assert [v["rule"] for v in row["critic_final"]] == [v.rule for v in expected.violations]
        has_phrase = PHRASE in saved["text"].lower()
        assert ("test-temps-partage" in {v["rule"] for v in row["critic_final"]}) == has_phrase
        assert row["publishable"] is expected.clean
        hits += has_phrase
        if saved["attempts"] > 1:  # repaired, first answer not kept: not judged
            assert row["publishable_first"] is None
        else:
            assert row["publishable_first"] is row["publishable"]
    assert hits >= 10
    o = report["summary"]["overall"]
    assert o["publishable"] == pytest.approx(sum(r["publishable"] for r in records.values()) / len(records))
    assert o["compliance"] == 1.0  # the old house-rule compliance stays what the run reported
    assert o["publishable"] < 0.5
    assert report["critic_rules_final"]["test-temps-partage"] == hits
    assert report["settings"]["rescored"] and report["generated"] == (old.get("generated") or old["created"])
    md = (committed / "report.md").read_text(encoding="utf-8")
    assert f"Publishable by the critic: {round(100 * o['publishable'])} % after repair" in md
    assert "re-scored" in md and "house rules, after repair (old)" in md


def test_cli_rescore_on_a_copy(committed):
    before = digests(committed)
    result = CliRunner().invoke(app, ["eval", "--rescore", str(committed), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["overall"]["n"] == 18
    assert "house" in data["critic"]["checkers"] and data["critic"]["judged"] == 18
    assert digests(committed) == before
    on_disk = json.loads((committed / "report.json").read_text(encoding="utf-8"))
    assert on_disk["summary"] == data["summary"]


def test_rescore_of_a_folder_that_is_not_a_run(tmp_path):
    result = CliRunner().invoke(app, ["eval", "--rescore", str(tmp_path)])
    assert result.exit_code == 2
    assert "no report.json and no run.json" in result.output


def test_unfinished_run_is_reported_as_far_as_it_went(tmp_path):
    """A run stopped after some outputs (no report.json yet): rescore reports those, names the rest."""
    path = tmp_path / "briefs.yaml"
    path.write_text(BRIEFS_YAML, encoding="utf-8")
    briefs = load_briefs(path)
    out = tmp_path / "run"
    voice = house_voice_model()
    with ScriptedServer(responder=responder()) as srv:
        backend = get_backend(model="scripted-model", base_url=srv.base_url)
        try:
            run_eval(briefs, out=out, backend=backend, audiences=["pme", "coo"], voice=voice, chart=False)
        finally:
            backend.close()
    for name in ("report.json", "report.md", "review.html"):
        (out / name).unlink()
    for suffix in (".json", ".md"):  # as if stopped before the last two outputs
        (out / "outputs" / f"alpha-coo-linkedin{suffix}").unlink()
        (out / "outputs" / f"alpha-coo-landing{suffix}").unlink()
    for p in (out / "outputs").glob("*.json"):  # and before the voice was scored at the end
        data = json.loads(p.read_text(encoding="utf-8"))
        data["voice"] = None
        p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    report = rescore_run(out, checkers=[], voice=voice)
    assert report["summary"]["overall"]["n"] == 2
    assert report["settings"]["not_run"] == ["alpha-coo-linkedin", "alpha-coo-landing"]
    assert report["settings"]["partial"] is True
    assert all(r["voice"] is not None for r in report["records"])
    assert "2 planned outputs not run" in (out / "report.md").read_text(encoding="utf-8")
    # a second rescore while still unfinished still knows the whole plan
    again = rescore_run(out, checkers=[], voice=voice)
    assert again["settings"]["not_run"] == ["alpha-coo-linkedin", "alpha-coo-landing"]
    # publishable is the critic's verdict on each text
    house = load_house()
    for row in report["records"]:
        saved = json.loads((out / "outputs" / f"{row['id']}.json").read_text(encoding="utf-8"))
        result = lint_text(saved["text"], house, checkers=[],
                           target=Target(saved["audience"], saved["format"], **saved["asked"]))
        assert row["publishable"] is result.clean
        assert blocking(row["critic_final"]) == result.errors + result.warnings


def test_rescore_names_a_brief_missing_from_the_briefs_file(committed, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(BRIEFS_YAML, encoding="utf-8")
    with pytest.raises(InputError, match="brief 'essai-avant-embauche' of the run is not in the briefs file"):
        rescore_run(committed, briefs=other, checkers=[])


def test_a_widened_run_still_going_is_reported_as_unfinished(tmp_path):
    """--limit 1 finished (report.json), then the same folder resumed with more briefs: until that ends,
    a rescore reports what exists and names what is planned but not done."""
    path = tmp_path / "briefs.yaml"
    path.write_text(BRIEFS_YAML + BRIEFS_YAML.replace("alpha", "beta").replace("briefs:\n", ""), encoding="utf-8")
    briefs = load_briefs(path)
    out = tmp_path / "run"
    voice = house_voice_model()
    with ScriptedServer(responder=responder()) as srv:
        backend = get_backend(model="scripted-model", base_url=srv.base_url)
        try:
            run_eval(briefs[:1], out=out, backend=backend, audiences=["coo"], formats=["linkedin"], voice=voice,
                     chart=False)
            run_eval(briefs, out=out, backend=backend, audiences=["coo"], formats=["linkedin"], voice=voice,
                     chart=False)
        finally:
            backend.close()
    (out / "outputs" / "beta-coo-linkedin.json").unlink()  # as if the second invocation were still going
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    data["records"] = data["records"][:1]
    (out / "report.json").write_text(json.dumps(data), encoding="utf-8")
    report = rescore_run(out, checkers=[], voice=voice)
    assert [r["id"] for r in report["records"]] == ["alpha-coo-linkedin"]
    assert report["settings"]["not_run"] == ["beta-coo-linkedin"]


def test_committed_outputs_rescored_by_the_whole_critic(tmp_path):
    """The 36 committed outputs a French reader rated 0 publishable: with the real Grammalecte among the
    default checkers, the headline no longer calls them publishable."""
    from plume.lint.grammar import grammalecte_checker

    assert grammalecte_checker().status() is None, "grammalecte-server must be installed (.ci/run installs it)"
    publishable = total = 0
    for name in ("embedded", "embedded-no-repair"):
        copy = tmp_path / name
        shutil.copytree(COMMITTED.parent / name, copy)
        before = digests(copy)
        report = rescore_run(copy)
        assert digests(copy) == before
        assert "grammalecte" in report["critic"]["checkers"] and not report["critic"]["skipped"]
        o = report["summary"]["overall"]
        publishable += round(o["publishable"] * o["n"])
        total += o["n"]
        grammar = {r["id"] for r in report["records"]
                   if any(v["rule"] in ("grammaire", "orthographe") for v in r["critic_final"])}
        assert grammar  # Grammalecte's findings are part of the verdict
    assert total == 36 and publishable <= 2
