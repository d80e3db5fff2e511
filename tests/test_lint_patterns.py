"""The literal needles of a rule's raw regex: a text without them is not searched, so they must be in
every match (checked on the house's own regexes and on the rule tables' texts)."""

from __future__ import annotations

import re

import pytest

from plume.house import load_house
from plume.lint import lint_text
from plume.lint.patterns import lower_same_length, regex_needles
from plume.lint.plan import rules_of

HOUSE = load_house()


@pytest.mark.parametrize(
    "source, case_sensitive, expected",
    [
        ("en(?<!\\wen) tête du guidon", False, ("guidon", "tête", "du", "en")),  # the lookbehind adds none
        ("\\b(?:est|sont)\\s+la tête", False, ("tête", "la")),  # an alternation is not always there
        ("foo?", False, ("fo",)),  # an optional character is not
        ("(?:ab)+c", False, ("ab", "c")),  # a group repeated at least once is
        ("(?:ab)*c", False, ("c",)),  # ... not when it may be absent
        ("[ab]x", False, ("x",)),
        ("a|b", False, ()),
        ("Chief (?=of)", True, ("Chief",)),  # a case-sensitive rule keeps the case
        ("Chief", False, ("chief",)),  # others look in the lower-cased text
        ("(?i)Chief", True, ()),  # a flag of its own: no needle
        ("(", False, ()),  # unreadable: no needle, the regex always runs
    ],
)
def test_regex_needles(source, case_sensitive, expected):
    found = regex_needles(source, case_sensitive)
    assert set(found) == set(expected) and len(found) == len(expected)
    assert [len(n) for n in found] == sorted(map(len, found), reverse=True)  # the longest looked up first


def _texts() -> list[str]:
    from test_lint_defects import TABLE as DEFECTS
    from test_lint_rules import TABLE

    from plume.paths import corpus_dir

    texts = [c[3] for c in TABLE] + [c[4] for c in DEFECTS]
    texts += [p.read_text(encoding="utf-8") for p in sorted(corpus_dir().glob("*.md"))]
    return [t for t in texts if isinstance(t, str)]


def test_every_match_of_a_house_regex_holds_its_needles():
    checked = 0
    texts = _texts()
    for rule in rules_of(HOUSE):
        for source in getattr(rule, "regex", ()):  # the term kinds have raw regexes
            needles = regex_needles(source, rule.case_sensitive)
            pattern = re.compile(source, re.S)
            for text in texts:
                subject = text if rule.case_sensitive else lower_same_length(text)
                for m in pattern.finditer(subject):
                    assert all(n in m.group() for n in needles), (rule.id, source, m.group(), needles)
                    checked += 1
    assert checked >= 10  # the tables do exercise the regexes


def test_a_regex_rule_is_skipped_only_when_its_needles_are_absent():
    # expression-deformee is all raw regexes, each with needles: found with them, not without
    text = "Il est la tête dans le guidon, du sein de l’équipe."
    found = lint_text(text, HOUSE, "pme", "linkedin", select={"expression-deformee"}, checkers=[]).violations
    assert [v.text for v in found] == ["est la tête dans le guidon", "du sein de"]
    assert lint_text("Il a toujours eu la tête haute.", HOUSE, "pme", "linkedin",
                     select={"expression-deformee"}, checkers=[]).violations == []
