"""The pure parts of plume eval: record scoring, aggregates, voice similarity, briefs."""

from __future__ import annotations

import pytest

from plume.errors import InputError
from plume.evaluate.briefs import load_briefs
from plume.evaluate.metrics import group_summaries, sameness, summarize
from plume.evaluate.records import EvalRecord, banned_hits, count_words, dimensions_named, plain_text, sentences_of
from plume.evaluate.voice import VoiceModel, house_voice_model

E = {"rule": "jargon-pme", "severity": "error"}
W = {"rule": "typo-guillemets", "severity": "warning"}
S = {"rule": "typo-apostrophe", "severity": "suggestion"}


def rec(audience="pme", format="linkedin", **kw) -> EvalRecord:
    base = dict(brief="b", audience=audience, format=format, status="clean", attempts=1)
    return EvalRecord(**{**base, **kw})


RECORDS = [
    rec(first_pass=[E], violations=[], attempts=2, words=90, requested_words=100, voice=0.40,
        banned_first_pass=2, prompt_tokens=10, completion_tokens=5, cost_usd=0.01, duration_s=2.0),
    rec(format="landing", first_pass=[S], words=330, requested_words=300, voice=0.30,
        dimensions=["Sparring Partner", "Architecte", "Éclaireur"], duration_s=3.0),
    rec(audience="coo", format="landing", first_pass=[W], violations=[W], attempts=3, status="violations",
        words=150, requested_words=300, voice=0.20, dimensions=["Architecte"], banned_first_pass=1,
        banned_final=1, duration_s=4.0),
    rec(audience="coo", status="failed", error="boom", requested_words=100, attempts=0),
]


def test_summary_by_hand():
    o = summarize(RECORDS)
    assert (o["n"], o["failed"]) == (4, 1)
    assert o["first_pass_compliance"] == pytest.approx(1 / 3)  # only the suggestion-only output
    assert o["compliance"] == pytest.approx(2 / 3)
    assert o["mean_attempts"] == pytest.approx(2.0)  # (2 + 1 + 3) / 3, the failed one left out
    assert o["voice"] == pytest.approx(0.30)
    assert o["length_error"] == pytest.approx((0.1 + 0.1 + 0.5) / 3)
    assert o["length_ratio"] == pytest.approx((0.9 + 1.1 + 0.5) / 3)
    assert o["dimension_coverage"] == 0.5  # one of the two landing outputs names all three
    assert o["banned_per_output"] == pytest.approx(1.0)
    assert o["banned_final_per_output"] == pytest.approx(1 / 3)
    assert (o["prompt_tokens"], o["completion_tokens"]) == (10, 5)
    assert o["cost_usd"] == pytest.approx(0.01) and o["duration_s"] == pytest.approx(9.0)


def test_groups():
    g = group_summaries(RECORDS)
    assert [(c["audience"], c["format"], c["n"]) for c in g["by_variant"]] == [
        ("pme", "linkedin", 1), ("pme", "landing", 1), ("coo", "landing", 1), ("coo", "linkedin", 1)]
    assert g["by_audience"]["pme"]["first_pass_compliance"] == 0.5
    assert g["by_audience"]["coo"]["compliance"] == 0.0
    assert g["by_format"]["linkedin"]["dimension_coverage"] is None
    coo_linkedin = g["by_variant"][3]
    assert coo_linkedin["failed"] == 1 and coo_linkedin["compliance"] is None


S1 = "Les journées semblent trop courtes, les responsabilités vous submergent."
S2 = "Je vous propose un appui à temps partagé pour absorber une forte charge."
S3 = "Recruter à temps plein vous semble prématuré, mais la charge monte ?"
S4 = "Un regard extérieur aide à trancher les arbitrages qui traînent depuis des mois."


def test_sentences_of_reads_the_copy_as_the_linter_does():
    text = f"---\nbrief: x\n---\n# Un titre assez long pour compter ici\n\n**{S1}** Court.\n\n- {S2}\n\n#PME #Dirigeants #TempsPartagé #Organisation #Stratégie #Direction\n"
    assert sentences_of(text) == {
        "un titre assez long pour compter ici",
        " ".join(plain_text(S1).lower().split()),
        " ".join(plain_text(S2).lower().split()),
    }  # « Court. » is too short, the frontmatter and the hashtag line are not copy


def test_sameness_counts_sentences_another_brief_says_in_the_same_audience_and_format():
    records = [
        rec(brief="a", text=f"{S1}\n\n{S2}"),
        rec(brief="b", text=f"{S1}\n\n{S3}"),
        rec(brief="c", text=S4),
        rec(brief="d", format="landing", text=f"{S3}\n\n{S4}"),  # another format: not compared
        rec(brief="e", status="failed", text=S4),  # a failed output has no copy to compare
    ]
    assert sameness(records) == pytest.approx((1 / 2 + 1 / 2 + 0) / 3)  # the landing cell has one brief
    assert sameness(records[:1] + records[3:4]) is None  # no cell with two briefs
    assert summarize(records)["sameness"] == pytest.approx(1 / 3)
    same = [rec(brief="a", text=f"{S1}\n\n{S2}"), rec(brief="b", text=f"{S2} {S1}")]
    assert sameness(same) == 1.0


def test_empty_group_is_none_not_zero():
    o = summarize([])
    assert o["n"] == 0 and o["compliance"] is None and o["voice"] is None


@pytest.mark.parametrize("text, words", [
    ("Vous jonglez entre la stratégie et les urgences ?", 8),
    ("**Associé Opérationnel & Stratégique** : le bon niveau de soutien.", 8),
    ("### Titre\n\n- Qu’en pensez-vous ?\n- 30 minutes", 5),
    ("---\ntitle: x\n---\nUn mot [[lien|alias]] #Hashtag", 4),
])
def test_count_words(text, words):
    assert count_words(text) == words


def test_plain_text_drops_markup_and_typographic_marks():
    assert plain_text("## Titre\n**gras** « mot » l’idée\u00a0?") == 'Titre\ngras " mot " l\'idée ?'


def test_dimensions_named_ignores_case_and_accents_but_not_substrings():
    names = ["Sparring Partner", "Architecte", "Éclaireur"]
    assert dimensions_named("Un **eclaireur** et un sparring partner.", names) == ["Sparring Partner", "Éclaireur"]
    assert dimensions_named("Des architectes, des éclaireurs.", names) == []


def test_banned_hits_counts_only_the_given_rules():
    violations = [E, W, {"rule": "designation-externe", "severity": "error"}]
    assert banned_hits(violations, {"jargon-pme", "designation-externe"}) == 2


def test_voice_model_scores_own_note_highest():
    corpus = ["Prendre du recul, prioriser, structurer, piloter, débloquer les sujets qui comptent.",
              "Un soutien à temps partagé au plus près de la direction, sans recruter à temps plein."]
    reference = ["Notre logiciel de paie simplifie vos notes de frais et vos congés."]
    model = VoiceModel(corpus, reference)
    scores = model.score([corpus[0], reference[0]])
    assert scores.closest[0] == pytest.approx(1.0)
    assert scores.centroid[0] > scores.centroid[1]
    assert model.baseline()["reference_voice"] == pytest.approx(scores.centroid[1])
    assert len(model.corpus_leave_one_out()) == 2


def test_house_reference_set_is_further_from_the_voice_than_the_notes():
    b = house_voice_model().baseline()
    assert b["reference_texts"] >= 6 and b["corpus_notes"] >= 5
    assert b["reference_voice"] < b["corpus_voice_loo"]


def test_shipped_briefs():
    briefs = load_briefs()
    assert len(briefs) >= 12
    assert all(b.facts and b.cta and b.words_for("linkedin") and b.words_for("landing") for b in briefs)
    assert len({b.id for b in briefs}) == len(briefs)


def test_bad_briefs_name_the_file_and_field(tmp_path):
    path = tmp_path / "briefs.yaml"
    path.write_text("briefs:\n  - id: Mauvais Id\n    topic: x\n  - id: b\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_briefs(path)
    assert str(path) in str(exc.value) and "briefs.0.id" in str(exc.value) and "briefs.1.topic" in str(exc.value)
    path.write_text("briefs:\n  - {id: a, topic: x}\n  - {id: a, topic: y}\n", encoding="utf-8")
    with pytest.raises(InputError, match="duplicate brief ids: a"):
        load_briefs(path)
