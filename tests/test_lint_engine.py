"""The engine, fixes, the LinkedIn cut and the formatters, through the library API."""

from __future__ import annotations

import dataclasses
import json

import pytest

from plume.errors import InputError
from plume.house import load_house
from plume.lint.plan import rules_of
from plume.lint import (
    Cut,
    LintResult,
    Violation,
    apply_fixes,
    fix_text,
    lint_text,
    linkedin_cut,
)
from plume.lint.formatters import format_text, to_json, to_sarif
from plume.paths import corpus_dir

HOUSE = load_house()


def note(name: str) -> str:
    return (corpus_dir() / f"{name}.md").read_text(encoding="utf-8")


NOTE_000 = "000-chief-of-staff"
NOTE_001 = "001-chief-of-staff-version-initiale"


# --- the corpus: what must hold --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [None, "landing"])
def test_note_000_for_pme_has_no_error(fmt):
    result = lint_text(note(NOTE_000), HOUSE, audience="pme", format=fmt)
    assert result.errors == 0, [(v.rule, v.text) for v in result.violations if v.severity == "error"]


def test_note_000_mentions_of_the_old_title_are_not_uses():
    text = note(NOTE_000)
    rules = {v.rule for v in lint_text(text, HOUSE, "pme").violations}
    assert "designation-externe" not in rules and "jargon-pme" not in rules
    assert "_Chief of Staff externe_" in text and "“C-level”" in text  # the mentions are there


def test_note_001_for_pme_flags_cos_externe_and_part_time():
    text = note(NOTE_001)
    result = lint_text(text, HOUSE, audience="pme")
    found = [(v.rule, v.text) for v in result.violations]
    assert found.count(("designation-externe", "COS externe")) == 3
    assert found.count(("designation-externe", "Chief of Staff externe")) == 1  # « pas comme … » is a mention
    assert ("en-temps-partage", "en part time") in found
    assert result.errors >= 5


def test_note_001_fix_uses_house_wording_and_is_idempotent():
    text = note(NOTE_001)
    outcome = fix_text(text, HOUSE, audience="pme")
    assert "COS externe" not in outcome.text and "part time" not in outcome.text
    # what the author says he is not stays as written (a mention), and nothing denies the house's title
    assert outcome.text.count("Chief of Staff externe") == 1
    assert "je ne me présente pas comme Chief of Staff externe" in outcome.text
    assert not [v for v in outcome.result.violations if v.rule in ("designation-externe", "designation-niee")]
    assert outcome.text.count("Associé Opérationnel & Stratégique") == 4
    assert "là à temps partagé, de façon très flexible" in outcome.text
    assert outcome.text.startswith(text[: text.index("Pourquoi")])  # frontmatter untouched
    again = fix_text(outcome.text, HOUSE, audience="pme")
    assert again.text == outcome.text and not again.applied
    assert not [v for v in outcome.result.violations if v.safe]


def test_every_note_lints_for_every_audience_and_format():
    for path in sorted(corpus_dir().glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for audience in HOUSE.audiences:
            for fmt in [None, *HOUSE.formats]:
                result = lint_text(text, HOUSE, audience, fmt)
                assert all(text[v.start : v.end] == v.text for v in result.violations)
                assert result.violations == sorted(result.violations, key=lambda v: (v.start, v.end))


# --- the engine ------------------------------------------------------------------------------------


def test_offsets_line_and_column_are_into_the_full_text():
    text = "---\ntitle: COS externe\naudience: pme\n---\nBonjour.\nUn COS externe ici."
    (v,) = [v for v in lint_text(text, HOUSE, "pme").violations if v.rule == "designation-externe"]
    assert text[v.start : v.end] == "COS externe" == v.text
    assert (v.line, v.column) == (6, 4)


def test_scoped_rules_are_skipped_without_audience_or_format_general_rules_still_apply():
    text = "Le vocabulaire C-level. Un COS externe. **Gras**"
    rules = {v.rule for v in lint_text(text, HOUSE).violations}
    assert "designation-externe" in rules
    assert "jargon-pme" not in rules and "linkedin-markdown" not in rules


def test_unknown_audience_or_format_is_an_input_error():
    with pytest.raises(InputError, match="unknown audience 'ceo'"):
        lint_text("x", HOUSE, audience="ceo")
    with pytest.raises(InputError, match="unknown format 'tweet'"):
        lint_text("x", HOUSE, format="tweet")


def test_default_house_is_loaded_when_none_given():
    assert lint_text("Un COS externe.").errors == 1


def test_masks_code_urls_link_targets_and_wikilink_targets():
    text = (
        "```\nCOS externe\n```\n"
        "Voir `COS externe`, <!-- COS externe --> https://ex.fr/COS-externe "
        "[le site](https://ex.fr/cos-externe) [[COS externe]] [[COS externe|notre offre]] moi@cos-externe.fr"
    )
    assert lint_text(text, HOUSE, "pme").violations == [] or all(
        v.rule.startswith("typo") for v in lint_text(text, HOUSE, "pme").violations
    )
    alias = "[[Note|un COS externe]]"
    (v,) = [v for v in lint_text(alias, HOUSE).violations if v.rule == "designation-externe"]
    assert v.text == "COS externe"


def test_long_italic_run_is_emphasis_not_a_mention():
    short = "_un COS externe_"
    long = "*En résumé, travailler avec un COS externe offre aux dirigeants la possibilité de bénéficier de tout.*"
    assert not [v for v in lint_text(short, HOUSE).violations if v.rule == "designation-externe"]
    assert [v for v in lint_text(long, HOUSE).violations if v.rule == "designation-externe"]


def test_compiled_rules_are_cached_on_the_house():
    from plume.lint.engine import compiled_rules

    assert compiled_rules(HOUSE) is compiled_rules(HOUSE)


def test_violation_is_a_frozen_slotted_dataclass_with_the_json_shape():
    v = Violation("r", "error", 1, 3, 1, 2, "ab", "msg", "cd", True)
    assert not hasattr(v, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.start = 0  # type: ignore[misc]
    assert list(v.to_dict(file="f.md")) == [
        "file", "rule", "severity", "line", "column", "start", "end", "text", "message", "fix"
    ]


def test_lint_result_counts():
    text = "Un COS externe. Tu veux ? Et... voilà."
    r = lint_text(text, HOUSE, "pme")
    assert isinstance(r, LintResult)
    assert r.errors == 2 and r.warnings == 0 and r.suggestions >= 2 and not r.clean
    assert lint_text("Bonjour.", HOUSE, "pme", "landing").clean is False
    assert lint_text("Bonjour.", HOUSE, "pme", "linkedin").clean is True
    assert r.summary()["rules"] == sorted(set(v.rule for v in r.violations))


# --- fixes -----------------------------------------------------------------------------------------


def test_apply_fixes_right_to_left_skips_overlaps_and_stale_spans():
    text = "abcdef"
    a = Violation("a", "error", 1, 3, 1, 2, "bc", "m", "X", True)
    b = Violation("b", "error", 2, 4, 1, 3, "cd", "m", "Y", True)  # overlaps a
    c = Violation("c", "error", 4, 6, 1, 5, "ef", "m", "Z", True)
    stale = Violation("d", "error", 0, 1, 1, 1, "q", "m", "W", True)
    unsafe = Violation("e", "error", 0, 1, 1, 1, "a", "m", "V", False)
    new, applied = apply_fixes(text, [a, b, c, stale, unsafe])
    assert new == "aXdZ" or new == "abYZ"
    assert len(applied) == 2 and stale not in applied and unsafe not in applied


def test_fix_text_is_bounded_and_reports_remaining_violations():
    outcome = fix_text("**Un COS externe**\n# Titre\nEt... voilà.", HOUSE, "pme", "linkedin")
    assert outcome.text == "Un Associé Opérationnel & Stratégique\nTitre\nEt… voilà."
    assert 1 <= outcome.passes <= 10 and outcome.changed
    assert outcome.result.errors == 0


# (text, audience, the fixed text): a safe fix that would bring an error no fix takes is left out in
# that place only (the space before the colon is still fixed); one that shows an error a later pass
# fixes is applied
FIX_IN_CONTEXT = [
    # 004's « COO : chef operating officer ou directeur des opérations » (rewrite's safe fixes, 2026-12-06)
    ("COO : chef operating officer ou directeur des opérations.\n\nJe travaille en part time.", "coo",
     "COO\u00a0: chef operating officer ou directeur des opérations.\n\nJe travaille à temps partagé."),
    ("COO : chef operating officer.\n\nJe travaille en part time.", "coo",
     "COO\u00a0: directeur des opérations.\n\nJe travaille à temps partagé."),
    ("**Un COS externe**\n# Titre\nEt... voilà.", "pme", "Un Associé Opérationnel & Stratégique\nTitre\nEt… voilà."),
]


@pytest.mark.parametrize("text, audience, fixed", FIX_IN_CONTEXT)
def test_a_fix_that_brings_an_error_is_left_out(text, audience, fixed):
    outcome = fix_text(text, HOUSE, audience, "linkedin")
    assert outcome.text == fixed
    assert fix_text(outcome.text, HOUSE, audience, "linkedin").text == outcome.text  # idempotent
    # the writer's critic fixes the same way
    from plume.lint.target import Target
    from plume.write.critic import Critic

    assert Critic(HOUSE, Target(audience=audience, format="linkedin")).fix(text)[0] == fixed


# --- LinkedIn cut ----------------------------------------------------------------------------------


def test_linkedin_cut_by_characters_backs_off_to_a_word():
    text = "mot " * 60
    cut = linkedin_cut(text, "mobile")
    assert isinstance(cut, Cut) and cut.truncated and cut.lines == 1
    assert cut.offset <= 140 and text[:cut.offset].endswith("mot")
    assert linkedin_cut(text, "desktop").offset > cut.offset


def test_linkedin_cut_by_lines_blank_lines_count():
    text = "Une.\n\nDeux.\nTrois.\nQuatre.\nCinq.\nSix."
    mobile = linkedin_cut(text, "mobile")
    assert text[: mobile.offset] == "Une.\n\nDeux." and mobile.lines == 3 and mobile.truncated
    desktop = linkedin_cut(text, "desktop")
    assert text[: desktop.offset] == "Une.\n\nDeux.\nTrois.\nQuatre." and desktop.lines == 5


def test_linkedin_cut_whole_post_fits_and_frontmatter_offsets():
    text = "---\nformat: linkedin\n---\n\nCourt.\n"
    cut = linkedin_cut(text)
    assert not cut.truncated and text[: cut.offset].endswith("Court.")
    with pytest.raises(ValueError):
        linkedin_cut(text, "tablet")


def test_hook_rule_uses_the_same_cut():
    hook = "Pourquoi " + "vraiment " * 20 + "?"
    text = hook + "\n\n" + "Suite. " * 40
    (v,) = [v for v in lint_text(text, HOUSE, None, "linkedin").violations if v.rule == "linkedin-accroche"]
    assert v.text == hook and v.end > linkedin_cut(text).offset


# --- formatters ------------------------------------------------------------------------------------


def _report():
    text = "Un COS externe.\nEt... voilà."
    return [("post.md", lint_text(text, HOUSE, "pme"))]


def test_text_format():
    out = format_text(_report()).splitlines()
    assert out[0].startswith("post.md:1:4: error designation-externe «")
    assert out[-1].startswith("1 fichier : 1 erreur")


def test_json_format_has_exactly_the_keys():
    data = json.loads(json.dumps(to_json(_report())))["violations"]
    assert data and all(
        list(d) == ["file", "rule", "severity", "line", "column", "start", "end", "text", "message", "fix", "safe"]
        for d in data
    )
    assert data[0]["file"] == "post.md" and data[0]["fix"] == "Associé Opérationnel & Stratégique"


def test_sarif_format():
    log = to_sarif(_report(), rules_of(HOUSE))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {r.id for r in rules_of(HOUSE)}
    first = run["results"][0]
    assert first["ruleId"] == "designation-externe" and first["level"] == "error"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (1, 4, 15)
    assert first["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"].startswith("Associé")
    levels = {r["level"] for r in run["results"]}
    assert levels <= {"error", "warning", "note"}
