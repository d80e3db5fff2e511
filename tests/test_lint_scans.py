"""Scans written for speed give what their plain versions give: the Markdown rule's link spans and
LinkedIn's cut (a line at a time instead of a character at a time)."""

from __future__ import annotations

import random
import re

from plume.lint import linkedin as L
from plume.lint.kinds import _MD_INLINE

_LINK_BOTH_STARTS = re.compile(r"(?:!\[|\[)(?P<label>[^\[\]\n]*)\]\((?P<url>[^()\s]+)(?:\s+\"[^\"\n]*\")?\)")


def test_link_spans_take_in_the_image_mark():
    link = next(p for _, kind, p in _MD_INLINE if kind == "link")
    rng = random.Random(3)
    pieces = ["!", "[", "]", "(", ")", "a", " ", '"', "\n", "](", "![", "[a](b)", '"t"']
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        pos = rng.randint(0, len(text))
        want = [(m.start(), m.end(), m.group("label"), m.group("url")) for m in _LINK_BOTH_STARTS.finditer(text, pos)]
        got = []
        for m in link.finditer(text, pos):
            at = m.start() - (m.start() > pos and text[m.start() - 1] == "!")
            got.append((at, m.end(), m.group("label"), m.group("url")))
        assert got == want, text


def _cut_char_by_char(text: str, device: str) -> L.Cut:
    max_chars, max_lines = L.CUTS[device]
    start = L.post_start(text)
    end = len(text.rstrip())
    chars, lines, i = 0, 1, start
    while i < end:
        ch = text[i]
        if ch == "\n":
            if lines == max_lines:
                return L.Cut(L._trim(text, start, i), lines, True)
            lines += 1
        elif ch != "\r":
            if chars == max_chars:
                return L.Cut(L._trim(text, start, L._word_boundary(text, start, i)), lines, True)
            chars += 1
        i += 1
    return L.Cut(end, lines, False)


def test_linkedin_cut_a_line_at_a_time():
    rng = random.Random(4)
    pieces = ["\n", "\r\n", "\r", " ", "mot ", "\t", "---\nx: y\n---\n"]
    for _ in range(10000):
        parts = [rng.choice(pieces + ["a" * rng.randint(0, 90), "b c " * rng.randint(0, 30)]) for _ in range(rng.randint(0, 12))]
        text = "".join(parts)
        for device in L.CUTS:
            assert L.linkedin_cut(text, device) == _cut_char_by_char(text, device), (text, device)


def _spans(matcher, text):
    return [(m.span(), m.group()) for m in matcher.finditer(text, text, 0, lambda needle: True)]


def test_expression_regexes_one_per_verb_match_as_the_single_regex():
    """expression-deformee's « être la tête dans le guidon » written as one regex per verb (each starts
    with its literal: a fast scan) finds what the single regex with \\b(?:est|sont|…) found."""
    from plume.house import load_house
    from plume.lint.patterns import compile_terms
    from plume.lint.plan import plan_for

    rules = {c.rule.id: c for c in plan_for(load_house()).rules}
    single = compile_terms([], [
        "du(?<!\\wdu)(?<!issu du)(?<!issue du)(?<!issus du)(?<!sorti du)(?<!sortie du) sein d(?:e|u|es|’|')",
        "en(?<!\\wen) tête du guidon", "tête(?<!\\wtête) du guidon",
        "\\b(?:est|sont|êtes|suis|es|être|soit|sera|reste|restez)\\s+(?:[^\\W\\d_]+\\s+)?(?:la|en) tête dans le guidon",
        "en(?<!\\wen) tête dans le guidon"])
    rng = random.Random(7)
    words = ["est", "es", "reste", "restez", "être", "êtes", "sont", "suis", "soit", "sera", "la", "en", "tête", "dans",
             "le", "guidon", "du", "sein", "de", "a", "et", "x", "issu", "  ", "\n"]
    for _ in range(20000):
        text = "".join(rng.choice(words) + rng.choice([" ", "", "  ", "-"]) for _ in range(rng.randint(0, 14)))
        assert _spans(rules["expression-deformee"].pattern, text) == _spans(single, text), text
