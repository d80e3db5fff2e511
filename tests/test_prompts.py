"""Prompts: templates over the house folder, missing variables, exemplars within budget, `plume prompt`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from plume import prompts
from plume.cli import app
from plume.corpus import load_corpus
from plume.errors import InputError
from plume.house import load_house
from plume.write import Brief

BRIEF = Brief(topic="Prendre du recul quand tout semble urgent", facts=["Un test de trois mois"], cta="Écrivez-moi.")


@pytest.fixture(scope="module")
def house():
    return load_house()


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_missing_variables_are_all_named_in_one_error(tmp_path):
    (tmp_path / "inner.j2").write_text("{{ gamma }} {{ delta.x }}", encoding="utf-8")
    (tmp_path / "outer.j2").write_text("{{ alpha }} {{ beta }} {% include 'inner.j2' %}", encoding="utf-8")
    env = prompts.environment(tmp_path)
    with pytest.raises(InputError) as exc:
        prompts.render("outer.j2", {"beta": 1}, env)
    message = str(exc.value)
    assert "outer.j2" in message
    assert "missing variables: alpha, delta, gamma" in message


def test_undefined_attribute_is_an_input_error(tmp_path):
    (tmp_path / "t.j2").write_text("{{ a.nope }}", encoding="utf-8")
    with pytest.raises(InputError, match="nope"):
        prompts.render("t.j2", {"a": {}}, prompts.environment(tmp_path))


def test_system_prompt_is_the_same_for_every_audience_format_and_task(house, corpus):
    systems = {
        prompts.generate_prompt(BRIEF, a, f, house=house, corpus=corpus).messages[0]["content"]
        for a in house.audiences for f in house.formats
    }
    systems.add(prompts.rewrite_prompt("Un brouillon.", "pme", "linkedin", house=house, corpus=corpus).messages[0]["content"])
    systems.add(prompts.repair_prompt("Texte.", [], "cos", None, house=house).messages[0]["content"])
    assert len(systems) == 1
    system = systems.pop()
    assert "Associé Opérationnel & Stratégique" in system
    assert all(d.name in system for d in house.dimensions)
    assert "(000" not in system  # note references are stripped for the model


def test_generate_prompt_carries_brief_audience_and_fits_the_budget(house, corpus):
    p = prompts.generate_prompt(BRIEF, "coo", "landing", house=house, corpus=corpus, budget=1100)
    user = p.messages[1]["content"]
    assert BRIEF.topic in user and "Un test de trois mois" in user and "Écrivez-moi." in user
    assert house.audiences["coo"].reader in user
    assert "call_to_action" in user  # the fields of the structured answer are described
    assert p.tokens <= 1100


def test_exemplars_follow_the_house_notes_and_exclude_earlier_versions(house, corpus):
    chosen = prompts.choose_exemplars(house, corpus, "pme", budget=5000)
    ids = [e.note for e in chosen]
    assert "001-chief-of-staff-version-initiale" not in ids
    assert ids == ["000-chief-of-staff", "002-chief-of-staff-charge-de-travail", "004-coo-externe-temps-partage"]
    assert all(e.tokens <= 600 for e in chosen)
    assert prompts.choose_exemplars(house, corpus, "pme", budget=10) == []


def test_bigger_budget_gives_more_voice(house, corpus):
    small = prompts.generate_prompt(BRIEF, "pme", "linkedin", house=house, corpus=corpus, budget=1100)
    large = prompts.generate_prompt(BRIEF, "pme", "linkedin", house=house, corpus=corpus, budget=3000)
    assert small.tokens <= 1100 < large.tokens <= 3000
    assert len(large.exemplars) > len(small.exemplars)


def test_rewrite_prompt_uses_the_author_rewrite_as_before_after(house, corpus):
    draft = "Je suis Chief of Staff externe, en part time, pour les C-level."
    p = prompts.rewrite_prompt(draft, "pme", None, house=house, corpus=corpus, budget=3000)
    user = p.messages[1]["content"]
    assert "Avant :" in user and "Après :" in user
    assert p.exemplars[0].note == "001-chief-of-staff-version-initiale → 000-chief-of-staff"
    assert "je ne me présente pas comme Chief of Staff externe" in user  # 001's opening (before)
    assert "Pendant un temps, je me présentais" in user  # 000's opening (after)
    assert draft in user
    assert p.tokens <= 3000


def test_repair_prompt_quotes_the_violations(house):
    v = {"rule": "jargon-pme", "severity": "error", "text": "C-level", "message": "jargon peu familier (000).", "fix": None}
    user = prompts.repair_prompt("Les C-level le savent.", [v], "pme", "linkedin", structured=True, house=house).messages[1]["content"]
    assert "« C-level » : jargon peu familier." in user
    assert "hook" in user  # asks for the same structured answer


def test_count_tokens_prefers_the_backend():
    class Counter:
        def count_tokens(self, text):
            return 7

    assert prompts.count_tokens("bonjour", Counter()) == 7
    assert 0 < prompts.count_tokens("Bonjour à vous, dirigeantes et dirigeants.") < 20


def test_cli_prompt_generate_json_has_tokens_and_cost():
    result = CliRunner().invoke(app, ["prompt", "generate", "Garder le cap", "-a", "pme", "-f", "linkedin",
                                      "--model", "gpt-4o-mini", "--base-url", "http://127.0.0.1:9/v1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["messages"][0]["role"] == "system" and data["tokens"] > 200
    assert data["budget"] == prompts.API_BUDGET
    assert data["estimated_cost_usd"] > 0
    assert data["model"] == "gpt-4o-mini"


def test_cli_prompt_rewrite_shows_the_fixed_draft(tmp_path):
    draft = tmp_path / "draft.md"
    draft.write_text("Je suis Chief of Staff externe en part time.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["prompt", "rewrite", str(draft), "-a", "pme"])
    assert result.exit_code == 0, result.output
    assert "prompt tokens" in result.stdout and "estimated cost $0.0000" in result.stdout
    assert "Associé Opérationnel & Stratégique" in result.stdout.split("Brouillon :")[1]
