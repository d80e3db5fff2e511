"""Table-driven tests: for every rule of the house file, texts that must fail and texts that must pass."""

from __future__ import annotations

import pytest

from plume.house import load_house
from plume.lint.plan import rules_of
from plume.lint import lint_text
from plume.lint.rules import KINDS

HOUSE = load_house()
RULES = {r.id: r for r in rules_of(HOUSE)}

# (rule id, audience, format, text, expected number of violations of that rule)
TABLE = [
    # designation-externe: every audience, every variant
    ("designation-externe", "pme", None, "Je suis Chief of Staff externe.", 1),
    ("designation-externe", "cos", None, "Je suis Chief of Staff externe.", 1),
    ("designation-externe", None, None, "Je suis chief-of-staff externe.", 1),
    ("designation-externe", "coo", None, "An External Chief of Staff helps.", 1),
    ("designation-externe", "pme", None, "Un COS externe, un CoS externe, un cos-externe.", 3),
    ("designation-externe", "pme", None, "Des Chiefs of Staff externes.", 1),
    ("designation-externe", "pme", None, "Un Chief of Staff externalisé.", 1),
    ("designation-externe", "pme", None, "Pendant un temps, je me présentais comme _Chief of Staff externe_.", 0),
    ("designation-externe", "pme", None, "Le titre « Chief of Staff externe » n’est pas stabilisé.", 0),
    ("designation-externe", "pme", None, "Le titre “COS externe”, puis \"CoS externe\", puis `COS externe`.", 0),
    ("designation-externe", "pme", None, "Voir [[Chief of Staff externe]] et https://x.fr/chief-of-staff-externe", 0),
    ("designation-externe", "pme", None, "---\ntitle: Chief of Staff externe\n---\nBonjour.", 0),
    ("designation-externe", "pme", None, "Un Chief of Staff interne débordé.", 0),
    # what the author says he is not is a mention (001), and its contrary is designation-niee's
    ("designation-externe", "pme", None, "Aujourd’hui, je ne me présente pas comme Chief of Staff externe.", 0),
    ("designation-externe", "cos", None, "Je ne suis plus un COS externe, mais un Chief of Staff externe.", 1),
    # designation-niee: a rewrite of 001 on the embedded model
    ("designation-niee", "pme", None, "Aujourd’hui, je ne me présente pas comme Associé Opérationnel & Stratégique à proprement parler.", 1),
    ("designation-niee", "cos", None, "Je ne suis plus un Associé Opérationnel & Stratégique.", 1),
    ("designation-niee", "pme", None, "Je me présente comme Associé Opérationnel & Stratégique, pas comme un COS externe.", 0),
    # jargon-pme: error for pme only
    ("jargon-pme", "pme", None, "Le vocabulaire C-level est flou.", 1),
    ("jargon-pme", "pme", None, "Les c level, les C-Suite et les Operating Partners.", 3),
    ("jargon-pme", "pme", None, "Le vocabulaire “C-level” n’est pas familier.", 0),
    ("jargon-pme", "pme", None, "Ce que certains appellent des _operating partners_.", 0),
    ("jargon-pme", "cos", None, "Le vocabulaire C-level est flou.", 0),
    ("jargon-pme", None, None, "Le vocabulaire C-level est flou.", 0),
    # acronyme-cos-pme: case-sensitive acronym, "COS externe" left to designation-externe
    ("acronyme-cos-pme", "pme", None, "Le COS aide le CEO, le CoS aussi.", 2),
    ("acronyme-cos-pme", "pme", None, "Un COS externe.", 0),
    ("acronyme-cos-pme", "pme", None, "Le cosinus et les cos ne comptent pas.", 0),
    ("acronyme-cos-pme", "cos", None, "Le COS aide le CEO.", 0),
    # chief-of-staff-pme: the reader's own title for cos
    ("chief-of-staff-pme", "pme", None, "Un Chief of Staff peut vous aider.", 1),
    ("chief-of-staff-pme", "coo", None, "Des Chiefs of Staff.", 1),
    ("chief-of-staff-pme", "cos", None, "Un Chief of Staff peut vous aider.", 0),
    ("chief-of-staff-pme", "pme", None, "En appui d’un Chief of Staff interne débordé.", 0),
    ("chief-of-staff-pme", "pme", None, "Un soutien externe “type [[chief of staff]]”.", 0),
    # comex-pme
    ("comex-pme", "pme", None, "Au plus près du COMEX et du Codir.", 2),
    ("comex-pme", "coo", None, "Au plus près du COMEX.", 0),
    # operating-partner
    ("operating-partner", "cos", None, "Un Operating Partner.", 1),
    ("operating-partner", "pme", None, "Un Operating Partner.", 0),
    # anglicisms from 003/004
    ("anglicisme-chef-of", None, None, "Un chef of staff (COS).", 1),
    ("anglicisme-chef-of", None, None, "Un Chief of Staff.", 0),
    ("anglicisme-chef-operating", None, None, "COO : chef operating officer.", 1),
    ("anglicisme-chef-operating", None, None, "COO : directeur des opérations.", 0),
    # part-time wording
    ("temps-partage", "pme", None, "Du part time, un part-time, le parttime, PART TIME.", 4),
    ("temps-partage", "pme", None, "Être là en part time.", 0),  # reported once, by en-temps-partage
    ("en-temps-partage", "pme", None, "Être là en part time, en part-time, en temps partagé.", 3),
    ("en-temps-partage", "pme", None, "Être là à temps partagé.", 0),
    ("temps-partage", "pme", None, "Être là à temps partagé.", 0),
    ("temps-partage", "pme", None, "Une partie du temps.", 0),
    ("temps-plein", None, None, "Un recrutement full time, full-time.", 2),
    ("temps-plein", None, None, "Un recrutement à temps plein.", 0),
    ("temps-partiel", "pme", None, "Un soutien à temps partiel.", 1),
    ("temps-partiel", "pme", None, "Un soutien à temps partagé.", 0),
    # vouvoiement
    ("vouvoiement", None, None, "Tu veux avancer ? Ton équipe compte sur toi, t’as vu.", 4),
    ("vouvoiement", None, None, "Je te le dis.", 1),
    ("vouvoiement", None, None, "Vous voulez avancer ? Le ton du post, un bon ton, votre équipe.", 0),
    ("vouvoiement", None, None, "La maison dit « vous », jamais « tu ».", 0),
    ("vouvoiement", None, None, "Les statuts, la tutelle, un tuteur, la tête.", 0),
    # occurrence
    ("repetition-designation", None, "linkedin", "Associé Opérationnel & Stratégique. " * 3, 1),
    ("repetition-designation", None, "linkedin", "Associé Opérationnel & Stratégique. " * 2, 0),
    ("repetition-designation", None, "linkedin", "ASSOCIE OPERATIONNEL & STRATEGIQUE. " * 3, 1),  # accents optional
    ("repetition-designation", None, "landing", "Associé Opérationnel & Stratégique. " * 3, 0),
    ("repetition-temps-partage", None, None, "temps partagé, " * 5, 2),
    ("repetition-temps-partage", None, None, "temps partagé, " * 3, 0),
    # required mentions in landing copy
    ("landing-dimensions", None, "landing", "# Titre\nSparring Partner et Architecte.", 1),
    ("landing-dimensions", None, "landing", "# Titre\nRien.", 3),
    ("landing-dimensions", None, "landing", "Sparring Partner, Architecte, Eclaireur.", 0),
    ("landing-dimensions", None, "landing", "Sparring Partner, Architecte, `Éclaireur`.", 1),
    ("landing-dimensions", None, "landing", "[[Sparring Partner]], [[archi|Architecte]], **Éclaireur**.", 0),
    ("landing-dimensions", None, "linkedin", "Rien.", 0),
    ("landing-temps-partage", None, "landing", "Commencez par un test.", 1),
    ("landing-temps-partage", None, "landing", "Commencez par un test à temps partagé.", 0),
    # LinkedIn metrics
    ("linkedin-longueur", None, "linkedin", "mot " * 800, 1),
    ("linkedin-longueur", None, "linkedin", "é" * 3000, 0),
    ("linkedin-longueur", None, "linkedin", "😀" * 1501, 1),  # 3,002 UTF-16 code units
    ("linkedin-longueur", None, "linkedin", "😀" * 1500, 0),
    ("linkedin-longueur", None, None, "mot " * 800, 0),
    ("linkedin-mots", None, "linkedin", "mot " * 451, 1),
    ("linkedin-mots", None, "linkedin", "mot " * 450, 0),
    ("linkedin-accroche", None, "linkedin", "Une accroche " + "très " * 40 + "longue. Suite.\n\nFin.", 1),
    ("linkedin-accroche", None, "linkedin", "Tout semble urgent ?\n\n" + "Suite du post. " * 30, 0),
    ("linkedin-accroche", None, "linkedin", "Une phrase sans fin " * 4, 0),  # the whole post fits
    ("linkedin-hashtags", None, "linkedin", "Fin.\n#a #b #c #d #e #f #g", 2),
    ("linkedin-hashtags", None, "linkedin", "Fin.\n#a #b #c #d #e", 0),
    ("linkedin-hashtags", None, "linkedin", "Voir https://x.fr/#a #b", 0),
    ("linkedin-markdown", None, "linkedin", "**Gras**, _italique_, `code`\n# Titre\n- item\n> cite\n---\n[lien](https://x.fr)", 8),
    ("linkedin-markdown", None, "linkedin", "Texte brut.\n• item\n→ suite\n#hashtag", 0),
    ("linkedin-markdown", None, "landing", "**Gras**", 0),
    ("linkedin-fin", None, "linkedin", "Accroche.\n\nUn constat sans suite.\n\n#PME #Direction", 1),
    ("linkedin-fin", None, "linkedin", "Accroche.\n\nEt vous, comment faites-vous ?\n\n#PME #Direction", 0),
    ("linkedin-fin", None, "linkedin", "Accroche.\n\nParlons-en : écrivez-moi en message privé.", 0),
    ("linkedin-fin", None, "linkedin", "Accroche.\n\nVous hésitez ? 🙂", 0),
    ("linkedin-fin", None, "landing", "Un constat sans suite.", 0),
    # typography
    ("typo-espace-manquante", None, None, "Résultat: clair; net! Vraiment?", 4),
    ("typo-espace-manquante", None, None, "Résultat\u00a0: clair\u202f; net\u202f! À 10:30 :) https://x.fr/?a=1;b &amp; `a:b`", 0),
    ("typo-espace-insecable", None, None, "Résultat : « clair » ?", 4),
    ("typo-espace-insecable", None, None, "Résultat\u00a0: «\u00a0clair\u00a0»\u202f?", 0),
    ("typo-guillemets", None, None, "Un «titre» figé.", 2),
    ("typo-guillemets", None, None, "Un «\u00a0titre\u202f» figé.", 0),
    ("typo-points-suspension", None, None, "Et puis... rien.", 1),
    ("typo-points-suspension", None, None, "Et puis… rien. Version 1.2.", 0),
    ("typo-apostrophe", None, None, "L'idée d'un test.", 2),
    ("typo-apostrophe", None, None, "L’idée d’un test. Un 'mot' cité.", 0),
]


def _ids(case):
    rule, audience, fmt, text, n = case
    return f"{rule}-{audience}-{fmt}-{n}-{text[:20]}"


@pytest.mark.parametrize("case", TABLE, ids=[_ids(c) for c in TABLE])
def test_rule_table(case):
    rule, audience, fmt, text, expected = case
    found = [v for v in lint_text(text, HOUSE, audience, fmt).violations if v.rule == rule]
    assert len(found) == expected, [(v.text, v.message) for v in found]
    for v in found:
        assert text[v.start : v.end] == v.text
        assert v.severity == RULES[rule].severity
        assert "{" not in v.message, f"unfilled placeholder in {v.message!r}"


def test_every_rule_has_failing_and_passing_examples():
    from test_lint_defects import TABLE as DEFECTS

    failing = {c[0] for c in TABLE if c[4] > 0} | {c[0] for c in DEFECTS if c[5] > 0}
    passing = {c[0] for c in TABLE if c[4] == 0} | {c[0] for c in DEFECTS if c[5] == 0}
    assert set(RULES) - failing == set(), "rules without a failing example"
    assert set(RULES) - passing == set(), "rules without a passing example"


def test_every_kind_has_a_table_example():
    from test_lint_defects import TABLE as DEFECTS

    kinds_in_table = {RULES[c[0]].kind for c in TABLE} | {RULES[c[0]].kind for c in DEFECTS}
    assert kinds_in_table == set(KINDS)


def test_rule_ids_unique_messages_and_known_kinds():
    ids = [r.id for r in rules_of(HOUSE)]
    assert len(ids) == len(set(ids))
    for r in rules_of(HOUSE):
        assert r.kind in KINDS
        assert r.message.strip()
        assert r.severity in ("error", "warning", "suggestion")
        for key in r.scope.audiences:
            assert key in HOUSE.audiences, f"{r.id}: unknown audience {key}"
        for key in r.scope.formats:
            assert key in HOUSE.formats, f"{r.id}: unknown format {key}"


# (rule id, audience, format, text, fixed text after `plume lint --fix`-style fixing of that rule only)
FIXES = [
    ("designation-externe", "pme", None, "Un COS externe.", "Un Associé Opérationnel & Stratégique."),
    ("designation-externe", "pme", None, "Des COS externes.", "Des Associés Opérationnels & Stratégiques."),
    # 001: what the author says he is not keeps its words
    ("designation-externe", "pme", None, "Je ne me présente pas comme Chief of Staff externe ; je suis COS externe.",
     "Je ne me présente pas comme Chief of Staff externe ; je suis Associé Opérationnel & Stratégique."),
    ("designation-externe", "pme", None, "Je ne suis plus un COS externe.", "Je ne suis plus un COS externe."),
    ("temps-partage", "pme", None, "Part time, part-time.", "Temps partagé, temps partagé."),
    ("en-temps-partage", "pme", None, "Être là en part time.", "Être là à temps partagé."),
    ("temps-plein", None, None, "Un FULL TIME.", "Un TEMPS PLEIN."),
    ("anglicisme-chef-of", None, None, "le chef of staff", "le Chief of Staff"),
    ("linkedin-markdown", None, "linkedin", "**Gras** et _it_\n# Titre\n- item", "Gras et it\nTitre\n• item"),
    ("linkedin-markdown", None, "linkedin", "[le site](https://x.fr) et [[Note|alias]]", "le site (https://x.fr) et alias"),
    ("typo-espace-manquante", None, None, "Oui: non; si! Ah?", "Oui\u00a0: non\u202f; si\u202f! Ah\u202f?"),
    ("typo-espace-insecable", None, None, "Oui : « non » ?", "Oui\u00a0: «\u00a0non\u00a0»\u202f?"),
    ("typo-guillemets", None, None, "«non»", "«\u00a0non\u00a0»"),
    ("typo-points-suspension", None, None, "Et...", "Et…"),
]


@pytest.mark.parametrize("case", FIXES, ids=[c[0] + "-" + c[3][:15] for c in FIXES])
def test_rule_fixes(case):
    from plume.lint import apply_fixes

    rule, audience, fmt, text, expected = case
    for _ in range(5):
        found = [v for v in lint_text(text, HOUSE, audience, fmt).violations if v.rule == rule]
        text, applied = apply_fixes(text, found)
        if not applied:
            break
    assert text == expected


def test_unsafe_fixes_are_offered_but_not_applied():
    from plume.lint import apply_fixes

    text = "Un soutien à temps partiel. L'idée."
    result = lint_text(text, HOUSE, "pme", None)
    unsafe = [v for v in result.violations if v.rule in ("temps-partiel", "typo-apostrophe")]
    assert unsafe and all(v.fix and not v.safe for v in unsafe)
    assert apply_fixes(text, unsafe) == (text, [])
