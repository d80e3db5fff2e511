"""The body of a text as a reader sees it: blocks (headings, list items, paragraphs), their sentences
and their words, with offsets into the full text. Computed once per text (Context.blocks), only when a
rule that reads sentences runs.

A block is one heading line, one list item (`-`, `*`, `+`, `•`, `→`, `1.`; its continuation lines
included), or a paragraph (lines up to a blank line). Markup around the content (`###`, `**`, `_`) is
left out of the block's span; lines of hashtags only and horizontal rules are blocks of their own kind.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from plume.lint.markdown import Spans

_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+")
_ITEM = re.compile(r"[ \t]*(?:[-*+•→▪◦]|\d{1,3}[.)])[ \t]+")
_ITEM_FIRST = frozenset("-*+•→▪◦")
_RULE = re.compile(r"[ \t]*(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_TAGS = re.compile(r"[ \t]*#\w[\w-]*(?:[ \t]+#\w[\w-]*)*[ \t]*$")
_EDGE = "*_ \t"  # emphasis markers and spaces trimmed off a block's edges
_SENTENCE_END = re.compile(r"[.!?…]+[»”\"’)*_]*(?=\s|\Z)")
WORD = re.compile(r"\w+")


@dataclass(slots=True)
class Block:
    kind: str  # "heading", "item", "para", "tags", "rule"
    start: int  # offset of the content (markers and emphasis left out)
    end: int
    indent: int = 0  # leading spaces of the item or paragraph line
    sentences: list[tuple[int, int]] = field(default_factory=list)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


def char_offsets(text: str, chars: str, start: int = 0) -> list[int]:
    """Offsets of the characters `chars` in text[start:], in order: the matches of a one-character class
    such as `[:;!?]`, each character found by str.find (a memchr), several times faster than a regex
    scan when they are rare (punctuation in prose)."""
    found: list[int] = []
    for ch in chars:
        i = text.find(ch, start)
        while i >= 0:
            found.append(i)
            i = text.find(ch, i + 1)
    found.sort()
    return found


def _marks(text: str, start: int) -> list[int]:
    """Offsets of the characters a sentence end starts with (. ! ? …) in text[start:]."""
    return char_offsets(text, ".!?…", start)


def _sentences(text: str, start: int, end: int, marks: list[int]) -> list[tuple[int, int]]:
    """The sentences of text[start:end]; `marks`: _marks(text, ...) (the matches of _SENTENCE_END in
    text[start:end] are tried at them, skipping those inside a match: the same matches as its finditer)."""
    return sentence_spans(text, start, end, _ends(text, end, marks[bisect_left(marks, start) : bisect_left(marks, end)]))


def _ends(text: str, end: int, marks: list[int]):
    """Where each match of _SENTENCE_END tried at `marks` ends, a mark inside a match skipped."""
    at = -1
    for i in marks:
        if i < at:
            continue
        m = _SENTENCE_END.match(text, i, end)
        if m is not None:
            at = m.end()
            yield at


def sentence_spans(text: str, start: int, end: int, ends) -> list[tuple[int, int]]:
    """The sentences of text[start:end] cut after each offset of `ends` (in order), markup and spaces
    trimmed off their edges, empty ones left out."""
    found, at = [], start
    for cut in [*ends, end]:
        s, e = _trim(text, at, cut)
        if e > s:
            found.append((s, e))
        at = cut
    return found


def split_blocks(text: str, start: int, never: Spans) -> list[Block]:
    """The blocks of text[start:] (lines inside fenced code, HTML comments and the like left out)."""
    blocks: list[Block] = []
    para: Block | None = None
    at, n = start, len(text)
    while at < n:
        e = text.find("\n", at)
        s, e, at = at, (n if e < 0 else e), (n if e < 0 else e + 1)
        first = text[s] if s < e else ""
        if first in " \t":  # (the line itself is read only when it starts with a space)
            line = text[s:e]
            if not line.strip():
                para = None
                continue
            stripped = line.lstrip(" \t")
            indent = len(line) - len(stripped)
            first = stripped[0]
        elif first.isspace() and not text[s:e].strip():  # "" (an empty line) is a space to str.isspace
            para = None
            continue
        else:
            indent = 0
        if never and _covered(never, s, e):
            para = None
            continue
        # the regexes read the line inside the text (endpos: `$` at its end), with no copy of it
        if first in "-*_" and _RULE.match(text, s, e):
            blocks.append(Block("rule", s, e))
            para = None
            continue
        marker = (_HEADING.match(text, s, e) if first == "#" else None) or (
            _ITEM.match(text, s, e) if first in _ITEM_FIRST or first.isdigit() else None)
        if marker or (first == "#" and _TAGS.match(text, s, e)):
            kind = "tags" if not marker else "heading" if marker.re is _HEADING else "item"
            cs, ce = _trim(text, marker.end() if marker else s, e)
            block = Block(kind, cs, ce, indent)
            blocks.append(block)
            para = block if kind == "item" else None
            continue
        if para is not None and (para.kind == "para" or indent > para.indent):
            para.end = _trim(text, para.start, e)[1]  # a continuation line
            continue
        cs, ce = _trim(text, s, e)
        para = Block("para", cs, ce, indent)
        blocks.append(para)
    marks = _marks(text, start)
    for b in blocks:
        if b.kind in ("heading", "item", "para"):
            b.sentences = _sentences(text, b.start, b.end, marks)
    return [b for b in blocks if b.end > b.start or b.kind == "rule"]


def _covered(never: Spans, s: int, e: int) -> bool:
    """Is [s, e) wholly inside one never-linted span (fenced code, a comment, the frontmatter)?"""
    if not never:
        return False
    i = bisect_right(never.starts, s) - 1
    return i >= 0 and never.ends[i] >= e


_WORD_SPLIT = re.compile(r"(\w+)")  # a word (kept in the pieces of a split)
_HASHTAG = re.compile(r"#\w+")  # the words of a #hashtag are not copy


class Tokens:
    """The words of the body, lower-cased, with their offsets: hashtags and never-linted spans left out.
    `between(start, end)` gives the index range of the words inside [start, end). `every`: all the
    body's words (every run of word characters, masked ones included), in order."""

    __slots__ = ("words", "starts", "ends", "every")

    def __init__(self, lower: str, start: int, never: Spans):
        # [gap, word, gap, word, ..., gap]: the words, and every offset from the running sum of lengths
        parts = _WORD_SPLIT.split(lower[start:] if start else lower)
        words = self.every = parts[1::2]
        offsets = list(accumulate(map(len, parts), initial=start))
        starts, ends = offsets[1:-1:2], offsets[2::2]
        spans = [(s, e) for s, e in never if e > start]
        if "#" in lower:
            spans = sorted(spans + [m.span() for m in _HASHTAG.finditer(lower, start)])
        cuts = [(bisect_right(ends, s), bisect_left(starts, e)) for s, e in spans]
        cuts = [(i, j) for i, j in cuts if i < j]  # index ranges of the words overlapping a span
        if cuts:  # keep the words between them: one pass, however many spans
            keep, at = [], 0
            for i, j in cuts:
                if i > at:
                    keep.append((at, i))
                at = max(at, j)
            keep.append((at, len(words)))
            words, starts, ends = _kept(words, keep), _kept(starts, keep), _kept(ends, keep)
        self.words, self.starts, self.ends = words, starts, ends

    def between(self, start: int, end: int) -> tuple[int, int]:
        return bisect_left(self.starts, start), bisect_left(self.starts, end)


def _kept(items: list, ranges: list[tuple[int, int]]) -> list:
    """The items inside the index ranges, in order (slices copied in C, not item by item)."""
    kept: list = []
    for a, b in ranges:
        kept += items[a:b]
    return kept


def word_count(text: str, start: int = 0) -> int:
    """The linter's word count of text[start:]: plume.markdown.count_words, the one word counter
    (whitespace-separated tokens with a letter or digit; comments and link targets left out)."""
    from plume.markdown import count_words  # the one word counter (lint, corpus, eval)

    return count_words(text[start:] if start else text)
