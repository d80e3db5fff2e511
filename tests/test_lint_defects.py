"""The defects of machine-written copy (issue 10 §2): table-driven, with examples taken verbatim from the
committed eval outputs (docs/quality/*/outputs/*.md), and what must hold on those outputs, on the
author's note 000 and on a clean hand-written post."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from plume.cli import app
from plume.house import load_house
from plume.lint.plan import rules_of
from plume.lint import fix_text, lint_text
from plume.lint.target import Target
from plume.paths import corpus_dir

ROOT = Path(__file__).resolve().parents[1]
HOUSE = load_house()
RULES = {r.id: r for r in rules_of(HOUSE)}
DEFECT_RULES = {
    "langue-etrangere", "refus", "meta-texte", "offre-temps-plein", "offre-interne-temps-partage",
    "offre-coo-interne", "offre-cos-remplacement", "expression-deformee", "repetition-phrases", "repetition-mots", "phrase-coupee",
    "appel-en-double", "longueur-demandee", "fuite-consigne", "etiquette-consigne",
}
CTA_ESSAI = "Échangeons 30 minutes pour cadrer un premier test à temps partagé."
CTA_DIMENSIONS = "Laquelle de ces trois dimensions vous manque le plus aujourd'hui ?"
CTA_RECUL = "Quelle est la dernière décision importante que vous avez repoussée faute de temps ?"

LEAKED = "Répondre uniquement par le texte corrigé, sans rien ajouter d’autre que les corrections demandées."

# (rule id, audience, format, target, text, expected number of violations of that rule)
TABLE = [
    # langue-etrangere: essai-avant-embauche-cos-linkedin (embedded)
    ("langue-etrangere", "cos", "linkedin", Target(), "Échangeons 30 minutes pour cadrer un premier test à temps部分.", 1),
    ("langue-etrangere", "cos", "linkedin", Target(), "Un regard extérieur, objectif : efficacité, clarté, sérénité… Ça marche ? Œuvre, naïve, Éclaireur.", 0),
    ("langue-etrangere", "cos", "linkedin", Target(), "Le code `部分` et https://例え.jp/部分 ne comptent pas.", 0),
    # offre-coo-externe: embedded-default at 5f07429, coo-tete-dans-le-guidon-cos-linkedin (a brief's fact)
    ("offre-coo-externe", "cos", "linkedin", Target(), "Je vous propose un appui à temps partagé. Un COO externe à temps partagé complète et soutient le COO interne.", 1),
    ("offre-coo-externe", "pme", "landing", Target(), "Un COO externe peut tenir le rôle pendant une période donnée.", 1),
    ("offre-coo-externe", "coo", "linkedin", Target(), "Un COO externe peut tenir le rôle pendant une période donnée.", 0),
    # refus: essai-avant-embauche-cos-linkedin (no repair)
    ("refus", "cos", "linkedin", Target(), "Je suis désolé, mais je ne peux pas vous aider avec ce sujet.", 1),
    ("refus", "cos", "linkedin", Target(), "Désolé, mais je ne peux pas vous aider avec ce sujet.", 1),
    ("refus", "cos", "linkedin", Target(), "Je peux vous aider à prendre du recul quand tout semble urgent.", 0),
    # meta-texte: cos-landing, recul-cos-linkedin, pme-landing, recul-cos-landing (no repair), coo-linkedin
    ("meta-texte", "cos", "landing", Target(), "L’appel à l’action est un simple appel à l’action : Échangeons 30 minutes pour cadrer un premier test à temps partagé.", 2),
    ("meta-texte", "cos", "linkedin", Target(), "Ce lecteur est confronté à une forte charge transversale, sans temps suffisant pour les faire avancer.", 1),
    ("meta-texte", "pme", "landing", Target(), "Une échange avec le consultant pour cadrer le test", 1),
    # meta-texte: a rewrite on the embedded model that copied the spelling rule's advice from its repair prompt
    ("meta-texte", "pme", None, Target(), "**Remarque :** Ajoutez le mot « Clives » à prompts/words.txt pour éviter de le répéter.", 1),
    ("meta-texte", "cos", "landing", Target(), "Test à temps partagé : Un consultant (je) prend le recul, priorise, structur, piloter, débloque tout en se retrouvent débordé.", 1),
    ("meta-texte", "coo", "linkedin", Target(), "Dans cette offre, le COO externe est un excellent choix pour vous aider à maintenir le cap et à faire avancer les sujets qui comptent.", 1),
    ("meta-texte", "pme", "linkedin", Target(), "Le lecteur est anxieux à l’idée d’une embauche à temps plein", 1),
    # meta-texte: an embedded rewrite of 004's opening ended with a note on itself (2026-12-06)
    ("meta-texte", "coo", "linkedin", Target(), "Il l’aide à sortir la tête de l’eau.\nNote : Le texte est déjà corrigé pour respecter les règles de la maison.", 2),
    # etiquette-consigne: an embedded rewrite of note 001 (2026-12-06) began with the repair prompt's labels
    # and wrapper, and closed it twice: « Lecteur : Dirigeante, dirigeant de PME/PMI. / Texte : / « / … / » / »
    ("etiquette-consigne", "pme", None, Target(), "Lecteur\u00a0: Dirigeante, dirigeant de PME/PMI.\n\nTexte :\n«\nPourquoi travailler avec un soutien externe à temps partagé ?\n\nJe viens en renfort, sans bouleverser l’organisation, pour faire avancer les sujets clés et soulager les équipes dirigeantes là où elles en ont vraiment besoin, au bon moment.\n»\n»", 5),
    ("etiquette-consigne", "pme", "linkedin", Target(), "---\ntitle: x\n---\nBrouillon :\nUn post.\n\nCorriger en priorité :\n- rien", 2),
    # a word of the labels inside a sentence, a quotation on one line, a colon after a label word mid-line
    ("etiquette-consigne", "pme", "linkedin", Target(), "Un texte : voilà ce que je retiens.\n\nIl m’a dit « oui » et le brouillon : prêt.\n\n**Texte :** en gras, c’est un intertitre.", 0),
    ("meta-texte", "cos", "linkedin", Target(), "Je vous aide à piloter les chantiers transverses. Qu’en pensez-vous ?", 0),
    # voix-du-client: embedded-compose-v1 hooks written as if the client spoke
    ("voix-du-client", "coo", "linkedin", Target(), "J’ai une grande responsabilité comme COO interne, et je ne sais pas comment la faire gagner.", 1),
    ("voix-du-client", "cos", "linkedin", Target(), "J’ai besoin de vous pour prendre du recul. Aidez-moi à prioriser.", 2),
    ("voix-du-client", "pme", "linkedin", Target(), "Je vous aide à prendre du recul quand tout semble urgent, sans recruter à temps plein.", 0),
    # offre-temps-plein: trois-dimensions-pme-landing (no repair)
    ("offre-temps-plein", "pme", "landing", Target(), "Un appel à l’action : Si vous n’avez pas le Sparring Partner, pensez à recruter un autre associé.", 1),
    ("offre-temps-plein", "pme", "linkedin", Target(), "Un Associé Opérationnel & Stratégique à temps plein pour votre PME.", 1),
    ("offre-temps-plein", "pme", "linkedin", Target(), "Un Associé Opérationnel & Stratégique à temps partagé aide à prendre du recul, prioriser, structurer, piloter et débloquer, sans recruter à temps plein.", 0),
    # offre-interne-temps-partage: essai-avant-embauche-coo-landing (embedded)
    ("offre-interne-temps-partage", "coo", "landing", Target(), "Le COO externe à temps partagé échange les résultats avec le COO interne à temps partagé.", 1),
    ("offre-interne-temps-partage", "coo", "landing", Target(), "Un COO externe à temps partagé complète et soutient le COO interne.", 0),
    # offre-coo-interne: trois-dimensions-coo-landing (both runs)
    ("offre-coo-interne", "coo", "landing", Target(), "Un test à temps partagé avec le COO interne, pour voir si il peut être suffisamment compétent et dynamique pour le faire sortir.", 1),
    ("offre-coo-interne", "coo", "landing", Target(), "Un test à temps partagé est réalisé pour vérifier si le COO interne peut répondre aux besoins de la direction", 1),
    ("offre-coo-interne", "coo", "landing", Target(), "Si le COO interne est suffisamment compétent et dynamique, il est possible de le tenir pendant une période donnée.", 1),
    ("offre-coo-interne", "coo", "landing", Target(), "Un COO externe à temps partagé est choisi pour soutenir et compléter le COO interne pour sortir la tête de l’eau", 0),
    ("offre-coo-interne", "pme", "landing", Target(), "Un test à temps partagé est réalisé pour vérifier si le COO interne peut répondre aux besoins de la direction", 0),
    # offre-cos-remplacement
    ("offre-cos-remplacement", "cos", "linkedin", Target(), "Je peux remplacer votre Chief of Staff interne pendant ses congés.", 1),
    ("offre-cos-remplacement", "cos", "linkedin", Target(), "Un appui, pas un remplacement, pour votre Chief of Staff interne débordé.", 0),
    # expression-deformee: embedded-default at 2f936b8 (ceo-casquette-coo-cos, duo-coo-cos-coo, bon-soutien-coo)
    ("expression-deformee", "cos", "linkedin", Target(), "Le fonctionnement critique du sein de la direction vous pèse ?", 1),
    ("expression-deformee", "coo", "linkedin", Target(), "Dans une entreprise où le COO est en tête du guidon, qui décide ?", 1),
    ("expression-deformee", "coo", "linkedin", Target(), "Votre COO interne est souvent la tête dans le guidon du quotidien ?", 1),
    ("expression-deformee", "coo", "linkedin", Target(), "La tête dans le guidon : difficile de prendre du recul. Vous avez la tête dans le guidon ?", 0),
    ("expression-deformee", "cos", "linkedin", Target(), "Au sein de la direction, issu du sein de l’équipe.", 0),
    # repetition-phrases: essai-avant-embauche-cos-linkedin (embedded), recul-cos-linkedin (no repair)
    ("repetition-phrases", "cos", "linkedin", Target(),
     "• Un test à temps partagé peut aider à cadrer un premier test à temps partagé et de citer les résultats directement à leurs employés.\n"
     "• Un test à temps partagé peut aider à cadrer un premier test à temps partagé et de citer les résultats directement à leurs employés.", 1),
    ("repetition-phrases", "cos", "linkedin", Target(),
     "• Un soutien à temps partagé pour piloter ces chantiers transverses\n"
     "• Un soutien à temps partagé pour piloter ces chantiers transverses, sans rajouter une couche supplémentaire", 1),
    ("repetition-phrases", "cos", "linkedin", Target(),
     "Désolé, mais je ne peux pas vous aider avec ce sujet.\n\nJe suis désolé, mais je ne peux pas vous aider avec ce sujet.\n\n"
     "Je suis désolé, mais je ne peux pas vous aider avec ce sujet.", 2),
    ("repetition-phrases", "pme", "linkedin", Target(),
     "Ce test pourrait être effectué à temps partagé, sans engagement long terme.\n\n• Prévenir une embauche à temps plein\n"
     "• Le profil idéal d’une future embauche à temps plein se dessine pendant le test.", 0),
    ("repetition-phrases", "pme", "landing", Target(),
     "- Prendre du recul quand tout va trop vite, prioriser quand tout semble urgent.\n"
     "- Structurer pour que la stratégie devienne exécutable, piloter les chantiers transverses.", 0),
    # repetition-mots: essai-avant-embauche-cos-landing (no repair)
    ("repetition-mots", "cos", "landing", Target(), "Au cours de ce test, le soutien de direction sera évalué en termes de compétences, de motivation, et de motivation.", 1),
    ("repetition-mots", "cos", "landing", Target(), "Je structure l’organisation pour rendre l’exécution plus simple, plus robuste, plus prévisible.", 0),
    ("repetition-mots", "cos", "landing", Target(), "### Vous vous reconnaissez ?\n\nLes participants discutent de leurs experiences, de leurs ressources.", 0),
    # phrase-coupee: essai-avant-embauche-coo-linkedin (no repair), trois-dimensions-coo-linkedin, recul-coo-landing
    ("phrase-coupee", "coo", "linkedin", Target(), "Le COO interne de notre entreprise ne semble pas avoir la tête dans le guidon. Comment tester un soutien de direction à temps partagé pour…\n\ntester les bénéfices sans engagement long terme avant de recruter à temps plein ?", 1),
    ("phrase-coupee", "coo", "linkedin", Target(), "Une COO interne dans l’entreprise est déjà très occupée, et le CEO porte encore la casquette de COO, faute de moyens. Comment vous…", 1),
    ("phrase-coupee", "coo", "landing", Target(), "1. Un test à temps partagé :\n2. Le COO externe débute sa phase de travail.\n3. Elle prend le temps de surveiller et de discuter avec le COO interne.", 1),
    ("phrase-coupee", "coo", "linkedin", Target(), "Un COO externe vous aide à sortir la tête de l’eau avec une", 1),
    ("phrase-coupee", "coo", "linkedin", Target(), "Concrètement, j’interviens pour :\n\n- **prendre du recul** quand tout va trop vite,\n- **prioriser** quand tout semble urgent.", 0),
    ("phrase-coupee", "coo", "landing", Target(), "### Vous vous reconnaissez ?\n\n- La tête dans le guidon : difficile de prendre du recul et de débloquer les situations\n- Le CEO porte encore la casquette de COO, faute de moyens", 0),
    # appel-en-double: essai-avant-embauche-pme-landing (embedded), trois-dimensions-coo-linkedin (fuzzy)
    ("appel-en-double", "pme", "landing", Target(cta=CTA_ESSAI),
     "# Échangeons 30 minutes pour cadrer un premier test à temps partagé\n\n### Comment ça se passe\n\n"
     "1. Un test à temps partagé, sans engagement long terme\n\n**Échangeons 30 minutes pour cadrer un premier test à temps partagé.**", 1),
    ("appel-en-double", "coo", "linkedin", Target(cta=CTA_DIMENSIONS),
     "Quelle de ces trois dimensions vous manque le plus aujourd’hui ?\n\nLaquelle de ces trois dimensions vous manque le plus aujourd'hui ?", 1),
    ("appel-en-double", "pme", "landing", Target(cta=CTA_RECUL),
     "3. Un seul appel à l’action, clair : Quelle est la dernière décision importante que vous avez repoussée faute de temps ?\n\n"
     "**Quelle est la dernière décision importante que vous avez repoussée faute de temps ?**", 1),
    ("appel-en-double", "pme", "landing", Target(cta=CTA_ESSAI), "Un test à temps partagé aide à définir le profil idéal d’une future embauche à temps plein.\n\n**Échangeons 30 minutes pour cadrer un premier test à temps partagé.**", 0),
    ("appel-en-double", "pme", "landing", Target(), "Échangeons 30 minutes.\n\nÉchangeons 30 minutes.", 0),
    # longueur-demandee: ±25 % of the requested words
    ("longueur-demandee", "pme", "linkedin", Target(words=20), "Un mot " * 7, 1),  # 14 words < 15
    ("longueur-demandee", "pme", "linkedin", Target(words=20), "Un mot " * 13, 1),  # 26 words > 25
    ("longueur-demandee", "pme", "linkedin", Target(words=20), "### Titre\n\n- " + "Un mot " * 9, 0),  # 19 words: ### and - are not words
    ("longueur-demandee", "pme", "linkedin", Target(), "Un mot " * 7, 0),
    # fuite-consigne: recul-quand-tout-est-urgent-cos-linkedin (no repair): the house's portrait of the reader
    ("fuite-consigne", "cos", "linkedin", Target(), "Vous avez un Chief of Staff en poste, bras droit du CEO, qui absorbe la coordination et les sujets transverses et se retrouve débordé.", 1),
    ("fuite-consigne", "cos", "linkedin", Target(instructions=LEAKED), f"Bonjour. {LEAKED}", 1),
    ("fuite-consigne", "cos", "linkedin", Target(instructions=LEAKED, material=LEAKED), f"Bonjour. {LEAKED}", 0),
    # trois-dimensions-pme-linkedin (no repair): the house's offer is the author's wording
    ("fuite-consigne", "pme", "linkedin", Target(), "Un Associé Opérationnel & Stratégique à temps partagé aide à prendre du recul, prioriser, structurer, piloter et débloquer, sans recruter à temps plein.", 0),
    ("fuite-consigne", "pme", "linkedin", Target(instructions=LEAKED), "Répondre uniquement par le texte\n\ncorrigé, sans rien ajouter d’autre que", 0),  # a run stays inside a paragraph
]


def _ids(case):
    rule, audience, fmt, target, text, n = case
    return f"{rule}-{audience}-{fmt}-{n}-{text[:20]}"


@pytest.mark.parametrize("case", TABLE, ids=[_ids(c) for c in TABLE])
def test_defect_table(case):
    rule, audience, fmt, target, text, expected = case
    found = [v for v in lint_text(text, HOUSE, audience, fmt, target=target, checkers=[]).violations if v.rule == rule]
    assert len(found) == expected, [(v.text, v.message) for v in found]
    for v in found:
        assert text[v.start : v.end] == v.text
        assert v.severity == RULES[rule].severity
        assert "{" not in v.message, f"unfilled placeholder in {v.message!r}"


def test_every_defect_rule_has_failing_and_passing_examples():
    in_house = DEFECT_RULES & set(RULES)
    assert in_house - {c[0] for c in TABLE if c[5] > 0} == set()
    assert in_house - {c[0] for c in TABLE if c[5] == 0} == set()


def test_severities_the_issue_asks_for():
    for rule in ("langue-etrangere", "refus", "phrase-coupee", "repetition-phrases", "repetition-mots", "appel-en-double"):
        assert RULES[rule].severity == "error", rule
    assert RULES["longueur-demandee"].band == 0.25


def test_repetition_message_names_the_earlier_sentence_and_its_line():
    text = "Un test à temps partagé, sans engagement long terme.\n\nUn test à temps partagé, sans engagement long terme, vraiment."
    (v,) = [v for v in lint_text(text, HOUSE, "pme", "linkedin", checkers=[]).violations if v.rule == "repetition-phrases"]
    assert v.line == 3 and "(ligne 1," in v.message


# --- what must hold -------------------------------------------------------------------------------

# The 36 outputs a French reader rated (issue 10): the two measurements of the first landing. Later
# measurements (docs/quality/embedded-default, ...) are not part of that rated set.
RATED = ("embedded", "embedded-no-repair")
OUTPUTS = sorted(p for d in RATED for p in ROOT.glob(f"docs/quality/{d}/outputs/*.md"))


def test_the_committed_outputs_are_36():
    assert len(OUTPUTS) == 36


def _blocking(path: Path, *extra: str) -> list[dict]:
    r = CliRunner().invoke(app, ["lint", str(path), "--output-format", "json", *extra])
    assert r.exit_code in (0, 1), r.output
    data = json.loads(r.stdout)
    violations = data if isinstance(data, list) else data.get("violations", data)
    return [v for v in violations if v["severity"] in ("error", "warning")]


def test_the_critic_finds_a_problem_in_at_least_34_of_the_36_committed_outputs(monkeypatch, tmp_path):
    """With their frontmatter (audience, format, brief id → call to action, requested_words)."""
    monkeypatch.setenv("PLUME_CACHE_DIR", str(tmp_path))
    flagged = [p for p in OUTPUTS if _blocking(p)]
    assert len(flagged) >= 34, [p.name for p in OUTPUTS if p not in flagged]


def test_without_length_the_defect_rules_still_find_most_outputs():
    """Length alone is not what flags them: the other rules find a problem in most outputs too."""
    from plume.lint.files import frontmatter_target
    from plume.cli.lint_run import _target

    flagged = 0
    for path in OUTPUTS:
        text = path.read_text(encoding="utf-8")
        target = _target(frontmatter_target(text, str(path)), None, None, None, None)
        assert target.cta and target.words, path
        result = lint_text(text, HOUSE, target=target, checkers=[])
        flagged += any(v.severity in ("error", "warning") and v.rule != "longueur-demandee" for v in result.violations)
    assert flagged >= 27


NOTE_000 = (corpus_dir() / "000-chief-of-staff.md").read_text(encoding="utf-8")

CLEAN_POST = """---
audience: pme
format: linkedin
---
Vos journées semblent trop courtes ?

Quand tout semble urgent, plus rien n’est prioritaire. Je vous aide à prendre du recul, à trier et à décider de ce qui compte vraiment cette semaine.

Je travaille à temps partagé, au plus près de la direction : quelques jours par mois, sans recruter à temps plein. Vous gardez la main, je structure et je fais avancer les sujets qui stagnent.

• Un regard extérieur sur vos priorités
• Des rituels simples pour garder le cap
• Des décisions prises, pas reportées

Échangeons 30 minutes sur ce qui vous occupe en ce moment.

#PME #Direction #TempsPartagé
"""


@pytest.mark.parametrize("audience", ["pme", "cos", "coo"])
@pytest.mark.parametrize("fmt", [None, "linkedin", "landing"])
def test_note_000_has_no_error_from_the_defect_rules(audience, fmt):
    result = lint_text(NOTE_000, HOUSE, audience, fmt, checkers=[])
    assert [(v.rule, v.text) for v in result.violations if v.rule in DEFECT_RULES and v.severity == "error"] == []


def _real_prompt(audience: str, fmt: str) -> Target:
    """The Target a writing job would pass: the whole generate prompt as instructions, the brief as material."""
    from plume.evaluate.briefs import load_briefs
    from plume.prompts import generate_prompt
    from plume.write.schemas import Brief

    eval_brief = load_briefs()[0]
    brief = Brief(topic=eval_brief.topic, angle=eval_brief.angle, facts=eval_brief.facts, cta=eval_brief.cta,
                  words=eval_brief.words_for(fmt))
    prompt = generate_prompt(brief, audience, fmt, house=HOUSE)
    material = "\n".join([brief.topic, brief.angle or "", *brief.facts])
    return Target(audience, fmt, brief.cta, None, "\n".join(m["content"] for m in prompt.messages), material)


@pytest.mark.parametrize("audience", ["pme", "cos", "coo"])
def test_note_000_reuses_the_authors_sentences_of_a_real_prompt_without_a_leak(audience):
    target = _real_prompt(audience, "linkedin")
    assert "bras droit" in target.instructions or "Lecteur" in target.instructions
    result = lint_text(NOTE_000, HOUSE, target=target.with_(cta=None), checkers=[])
    assert [v.text for v in result.violations if v.rule == "fuite-consigne"] == []
    reader = HOUSE.audiences[audience].reader
    leaked = lint_text(f"{NOTE_000}\n\n{reader}\n", HOUSE, target=target.with_(cta=None), checkers=[])
    runs = [v.text for v in leaked.violations if v.rule == "fuite-consigne"]
    assert runs and all(r in reader for r in runs)


def test_a_clean_hand_written_post_has_no_error_or_warning_from_the_defect_rules():
    target = Target(cta="Échangeons 30 minutes sur ce qui vous occupe en ce moment.", words=95)
    result = lint_text(CLEAN_POST, HOUSE, target=target, checkers=[])
    assert [(v.rule, v.text) for v in result.violations if v.rule in DEFECT_RULES] == []
    assert result.clean, [(v.rule, v.text) for v in result.violations]


def test_fix_is_idempotent_and_applies_no_fix_of_the_defect_rules():
    text = OUTPUTS[0].read_text(encoding="utf-8")
    target = Target(cta=CTA_ESSAI, words=320)
    once = fix_text(text, HOUSE, "coo", "landing", target=target, checkers=[])
    twice = fix_text(once.text, HOUSE, "coo", "landing", target=target, checkers=[])
    assert twice.text == once.text and not twice.applied
    assert not any(v.rule in DEFECT_RULES for v in once.applied)
    assert once.result.violations == lint_text(once.text, HOUSE, "coo", "landing", target=target, checkers=[]).violations


# --- the target from the command line and the frontmatter ------------------------------------------


def _lint(text: str, *args: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "post.md"
    path.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(app, ["lint", str(path), "-o", "json", *args])
    assert r.exit_code in (0, 1), r.output
    data = json.loads(r.stdout)
    return [v["rule"] for v in (data if isinstance(data, list) else data["violations"])]


def test_cta_and_words_from_the_command_line(tmp_path):
    body = "---\naudience: pme\nformat: linkedin\n---\nParlons-en. Parlons-en.\n"
    assert "appel-en-double" not in _lint(body, tmp_path=tmp_path)
    rules = _lint(body, "--cta", "Parlons-en.", "--words", "100", tmp_path=tmp_path)
    assert "appel-en-double" in rules and "longueur-demandee" in rules


@pytest.mark.parametrize(
    "frontmatter",
    [
        "brief:\n  cta: Parlons-en.\n  words: 100\n",  # nested, as jobs wrote it
        "cta: Parlons-en.\nwords: 100\n",  # flat Obsidian properties
        "cta: Parlons-en.\nrequested_words: 100\nwords: 4\n",  # eval outputs: words = written
    ],
)
def test_target_from_the_frontmatter_plume_writes(frontmatter, tmp_path):
    body = f"---\naudience: pme\nformat: linkedin\n{frontmatter}---\nParlons-en. Parlons-en.\n"
    rules = _lint(body, tmp_path=tmp_path)
    assert "appel-en-double" in rules and "longueur-demandee" in rules


def test_an_eval_output_takes_its_cta_from_the_brief_it_names(tmp_path):
    body = f"---\nbrief: essai-avant-embauche\naudience: pme\nformat: linkedin\nrequested_words: 160\n---\n{CTA_ESSAI}\n\n{CTA_ESSAI}\n"
    assert "appel-en-double" in _lint(body, tmp_path=tmp_path)
    unknown = body.replace("essai-avant-embauche", "brief-inconnu")
    assert "appel-en-double" not in _lint(unknown, tmp_path=tmp_path)


def test_bad_words_in_the_frontmatter_is_one_clear_input_error(tmp_path):
    path = tmp_path / "post.md"
    path.write_text("---\nwords: beaucoup\n---\nBonjour.\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["lint", str(path)])
    assert r.exit_code == 2 and "post.md" in r.output and "words" in r.output


def test_a_corpus_note_added_or_edited_during_a_run_is_the_authors_wording_at_once(tmp_path, monkeypatch):
    """The leak rule excuses the author's own notes; a note written while a process lints (an editor
    saving, `plume eval` running) is read at the next lint, the corpus folder not being re-resolved."""
    import shutil

    from plume.paths import house_root

    shutil.copytree(house_root() / "prompts", tmp_path / "prompts")
    (tmp_path / "corpus").mkdir()
    monkeypatch.setenv("PLUME_HOUSE_DIR", str(tmp_path))
    house = load_house()
    text = "Vous avez un Chief of Staff en poste, bras droit du CEO, qui absorbe la coordination et les sujets transverses et se retrouve débordé."

    def leaks() -> int:
        result = lint_text(text, house, "cos", "linkedin", select={"fuite-consigne"}, checkers=[])
        return len(result.violations)

    assert leaks() == 1
    note = tmp_path / "corpus" / "note.md"
    note.write_text(f"# Portrait\n\n{text}\n", encoding="utf-8")
    assert leaks() == 0
    note.write_text("# Portrait\n\nUne autre phrase.\n", encoding="utf-8")
    import os

    os.utime(note, ns=(note.stat().st_mtime_ns + 10**9,) * 2)  # a later save, whatever the clock's grain
    assert leaks() == 1


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    [chr(c) for c in (0x41, 0xE9, 0x153, 0x24F, 0x250, 0x3B1, 0x1DFF, 0x1E00, 0x1EFF, 0x1F00, 0x1FFF, 0x2000, 0x2019,
                      0x2BFF, 0x2C00, 0x4E00, 0xD7FF, 0xD800, 0xE000, 0xFE00, 0xFE0F, 0xFE10, 0x1F600)]), max_size=8))
def test_script_precheck_never_hides_a_foreign_character(text):
    from plume.lint.defects import _OUTSIDE, _all_inside

    if _all_inside(text):
        assert _OUTSIDE.search(text) is None
