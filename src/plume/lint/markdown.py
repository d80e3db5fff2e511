"""Markdown-aware masks: what is never linted, and what is a mention rather than a use.

* never linted: YAML frontmatter, fenced and inline code, HTML comments and tags, URLs and e-mail
  addresses, link targets `[text](target)`, `[[wikilink]]` targets (the alias of `[[target|alias]]` is
  text and is linted);
* mentions (house-term rules only): short italics `_x_` / `*x*` and quotations « », “ ”, " ".
  A long italic run (more than MENTION_MAX_WORDS words) is emphasis, not a mention, and is linted.
"""

from __future__ import annotations

import re
from bisect import bisect_right

MENTION_MAX_WORDS = 12

FRONTMATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?:.*?\r?\n)??(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)

_NEVER = re.compile(
    r"""
      (?P<fence>^[ \t]{0,3}(?P<tick>`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}(?P=tick)[ \t]*$|\Z))
    | (?P<code>(?P<bt>`+)[^`\n](?:.*?[^`])??(?P=bt)(?!`))
    | (?P<comment><!--.*?-->)
    | (?P<tag></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>)
    | (?P<url>(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>()\[\]"“”«»]+)
    | (?P<email>\b[\w.+-]+@[\w-]+\.[\w.-]+)
    | (?P<target>(?<=\])\((?:[^()\s]|\([^()\s]*\))*(?:\s+"[^"\n]*")?\))
    """,
    re.M | re.S | re.X,
)
_WIKILINK = re.compile(r"\[\[([^\[\]|\n]+)(\|[^\[\]\n]*)?\]\]")

_MENTION = re.compile(
    r"""
      (?P<star>(?<![*\w\\])\*(?![*\s])[^*\n]+?(?<![*\s\\])\*(?![*\w]))
    | (?P<under>(?<![_\w\\])_(?![_\s])[^_\n]+?(?<![_\s\\])_(?![_\w]))
    | (?P<guil>«[^«»]{0,600}»)
    | (?P<curly>“[^“”]{0,600}”)
    | (?P<straight>"[^"\n]{1,300}")
    """,
    re.X,
)
_WORD = re.compile(r"\w+")


def body_start(text: str) -> int:
    """Offset of the first character after the YAML frontmatter (0 when there is none)."""
    m = FRONTMATTER.match(text)
    return m.end() if m else 0


def split_frontmatter(text: str) -> tuple[str, str]:
    """(frontmatter block including its `---` lines, body)."""
    start = body_start(text)
    return text[:start], text[start:]


class Spans:
    """Sorted, merged [start, end) intervals with a fast overlap test."""

    __slots__ = ("starts", "ends")

    def __init__(self, intervals: list[tuple[int, int]]):
        merged: list[list[int]] = []
        for s, e in sorted(intervals):
            if merged and s <= merged[-1][1]:
                if e > merged[-1][1]:
                    merged[-1][1] = e
            else:
                merged.append([s, e])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def __bool__(self) -> bool:
        return bool(self.starts)

    def __iter__(self):
        return zip(self.starts, self.ends)

    def hits(self, start: int, end: int) -> bool:
        """Does [start, end) overlap a span (a zero-width point: lie strictly inside one)?"""
        if not self.starts:
            return False
        i = bisect_right(self.starts, start) - 1
        if i >= 0 and self.ends[i] > start:
            return True
        j = i + 1
        return j < len(self.starts) and self.starts[j] < end


def never_spans(text: str, start: int = 0) -> Spans:
    """Spans never linted (frontmatter included as [0, start))."""
    spans: list[tuple[int, int]] = [(0, start)] if start else []
    for m in _NEVER.finditer(text, start):
        spans.append(m.span())
    for m in _WIKILINK.finditer(text, start):
        if m.group(2):  # [[target|alias]]: the alias is text
            spans.append((m.start(), m.start(2) + 1))
            spans.append((m.end() - 2, m.end()))
        else:
            spans.append(m.span())
    return Spans(spans)


def hidden_spans(text: str, start: int = 0) -> Spans:
    """What a reader never sees as text: frontmatter, code, comments, tags, URLs, link targets. Unlike
    never_spans, a `[[wikilink]]` counts as shown (its target is its label): for required mentions."""
    spans: list[tuple[int, int]] = [(0, start)] if start else []
    spans.extend(m.span() for m in _NEVER.finditer(text, start))
    return Spans(spans)


def mention_spans(text: str, start: int = 0) -> Spans:
    """Italic and quoted spans: a term inside one is mentioned, not used."""
    spans = []
    for m in _MENTION.finditer(text, start):
        if m.lastgroup in ("star", "under") and len(_WORD.findall(m.group())) > MENTION_MAX_WORDS:
            continue
        spans.append(m.span())
    return Spans(spans)
