"""Markdown-aware masks: what is never linted, and what is a mention rather than a use.

* never linted: YAML frontmatter, fenced and inline code, HTML comments and tags, Obsidian comments
  `%%…%%`, template syntax (`{{date}}`, `{% … %}`, Templater's `<% … %>`), URLs and e-mail addresses, link
  targets `[text](target)`, `[[wikilink]]` targets (the alias of `[[target|alias]]` is text and is linted);
* suppressed (violations dropped, see `unsuppressed`): what lies between `<!-- plume off -->` and
  `<!-- plume on -->` (or the end of the text), and the paragraph after `<!-- plume ignore rule-id … -->`
  for those rules (every rule when no id is given);
* mentions (house-term rules only): short italics `_x_` / `*x*` and quotations « », “ ”, " ".
  A long italic run (more than MENTION_MAX_WORDS words) is emphasis, not a mention, and is linted.

Each piece is found by its own regex that starts with a literal, and skipped outright when its marker
character is absent from the text: masking a 3,000-character post costs a few microseconds.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from plume.markdown import FRONTMATTER, WIKILINK, body_start, has, split_frontmatter  # noqa: F401  (one reader)

MENTION_MAX_WORDS = 12


_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}\1[ \t]*$|\Z)", re.M | re.S)
_CODE = re.compile(r"(`+)[^`\n](?:[^\n]*?[^`\n])??\1(?!`)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_OBSIDIAN_COMMENT = re.compile(r"%%.*?%%", re.S)
_TEMPLATE = (
    ("{{", re.compile(r"\{\{.{0,2000}?\}\}", re.S)),
    ("{%", re.compile(r"\{%.{0,2000}?%\}", re.S)),
    ("<%", re.compile(r"<%.{0,2000}?%>", re.S)),
)
_DIRECTIVE = re.compile(r"<!--[ \t]*plume[ \t]+(off|on|ignore)\b([^>]*?)-->", re.I)
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
_TAG = re.compile(r"<(?=/?[A-Za-z])/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>")
_SCHEME = re.compile(r"://")
_URL_TAIL = re.compile(r"[^\s<>()\[\]\"“”«»]+")
_WWW = re.compile(r"www\.(?<!\wwww\.)[^\s<>()\[\]\"“”«»]+")
_EMAIL = re.compile(r"@[\w-]+\.[\w.-]*\w")
_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_EMAIL_CHARS = re.compile(r"[\w.+-]")

# the run inside cannot hold the marker: read greedily (the same match as a lazy run, in one C loop)
_ITALIC_STAR = re.compile(r"\*(?<![*\w\\]\*)(?![*\s])[^*\n]+(?<![*\s\\])\*(?![*\w])")
_ITALIC_UNDER = re.compile(r"_(?<![_\w\\]_)(?![_\s])[^_\n]+(?<![_\s\\])_(?![_\w])")
_QUOTES = (
    ("«", re.compile(r"«[^«»]{0,600}»")),
    ("“", re.compile(r"“[^“”]{0,600}”")),
    ('"', re.compile(r'"[^"\n]{1,300}"')),
)
_WORD = re.compile(r"\w+")


class Spans:
    """Sorted, merged [start, end) intervals with a fast overlap test."""

    __slots__ = ("starts", "ends")

    def __init__(self, intervals: list[tuple[int, int]]):
        starts: list[int] = []
        ends: list[int] = []
        for s, e in sorted(intervals):
            if starts and s <= ends[-1]:
                if e > ends[-1]:
                    ends[-1] = e
            else:
                starts.append(s)
                ends.append(e)
        self.starts = starts
        self.ends = ends

    def __bool__(self) -> bool:
        return bool(self.starts)

    def __iter__(self):
        return zip(self.starts, self.ends)

    def hits(self, start: int, end: int) -> bool:
        """Does [start, end) overlap a span (a zero-width point: lie strictly inside one)?"""
        starts = self.starts
        if not starts:
            return False
        i = bisect_right(starts, start) - 1
        if i >= 0 and self.ends[i] > start:
            return True
        return i + 1 < len(starts) and starts[i + 1] < end


def _urls(text: str, start: int) -> list[tuple[int, int]]:
    spans = []
    if has(text, "://"):
        for m in _SCHEME.finditer(text, start):
            j = m.start()
            while j > start and text[j - 1] in _SCHEME_CHARS:
                j -= 1
            tail = _URL_TAIL.match(text, m.end())
            if j < m.start() and tail:
                spans.append((j, _strip_trailing(text, tail.end(), j)))
    if has(text, "www."):
        spans.extend((m.start(), _strip_trailing(text, m.end(), m.start())) for m in _WWW.finditer(text, start))
    if "@" in text:
        for m in _EMAIL.finditer(text, start):
            j = m.start()
            while j > start and _EMAIL_CHARS.match(text[j - 1]):
                j -= 1
            if j < m.start():
                spans.append((j, m.end()))
    return spans


def _strip_trailing(text: str, end: int, start: int) -> int:
    while end > start + 1 and text[end - 1] in ".,;:!?'’":
        end -= 1
    return end


def hidden_spans(text: str, start: int = 0) -> Spans:
    """What a reader never sees as prose: frontmatter, code, comments, tags, URLs, link targets.
    Unlike never_spans, a `[[wikilink]]` counts as shown (its target is its label)."""
    return Spans(_hidden(text, start))


def _hidden(text: str, start: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = [(0, start)] if start else []
    if has(text, "```") or has(text, "~~~"):
        spans.extend(m.span() for m in _FENCE.finditer(text, start))
    if "`" in text:
        spans.extend(m.span() for m in _CODE.finditer(text, start))
    if "<" in text:
        spans.extend(m.span() for m in _COMMENT.finditer(text, start))
        spans.extend(m.span() for m in _TAG.finditer(text, start))
    if has(text, "%%"):
        spans.extend(m.span() for m in _OBSIDIAN_COMMENT.finditer(text, start))
    for marker, pattern in _TEMPLATE:
        if has(text, marker):
            spans.extend(m.span() for m in pattern.finditer(text, start))
    spans.extend(_urls(text, start))
    if has(text, "]("):
        spans.extend((m.start() + 1, m.end()) for m in _TARGET.finditer(text, start))
    return spans


def never_spans(text: str, start: int = 0) -> Spans:
    """Spans never linted (frontmatter included as [0, start))."""
    spans = _hidden(text, start)
    if has(text, "[["):
        for m in WIKILINK.finditer(text, start):
            if m.group("alias") is not None:  # [[target|alias]]: the alias is text
                spans.append((m.start(), m.start("alias")))
                spans.append((m.end() - 2, m.end()))
            else:
                spans.append(m.span())
    return Spans(spans)


def mention_spans(text: str, start: int = 0) -> Spans:
    """Italic and quoted spans: a term inside one is mentioned, not used."""
    spans = []
    for marker, pattern in (("*", _ITALIC_STAR), ("_", _ITALIC_UNDER)):
        if marker in text:
            spans.extend(
                m.span() for m in pattern.finditer(text, start) if len(_WORD.findall(m.group())) <= MENTION_MAX_WORDS
            )
    for marker, pattern in _QUOTES:
        if marker in text:
            spans.extend(m.span() for m in pattern.finditer(text, start))
    return Spans(spans)


# --- suppression comments --------------------------------------------------------------------------


def suppressions(text: str, start: int = 0) -> list[tuple[int, int, frozenset[str] | None]]:
    """[(start, end, rule ids or None for every rule)] that `<!-- plume off/on/ignore -->` comments
    suppress; [] when the text has none (the common case costs one substring test)."""
    if not has(text, "<!--") or "plume" not in text:
        return []
    found: list[tuple[int, int, frozenset[str] | None]] = []
    off_at: int | None = None
    for m in _DIRECTIVE.finditer(text, start):
        verb, rest = m.group(1).lower(), m.group(2).split()
        if verb == "off":
            if off_at is None:
                off_at = m.start()
        elif verb == "on":
            if off_at is not None:
                found.append((off_at, m.end(), None))
                off_at = None
        else:
            begin = m.end()
            while begin < len(text) and text[begin] in " \t\n":  # the paragraph that follows the comment
                begin += 1
            end = _PARAGRAPH_END.search(text, begin)
            found.append((m.start(), end.start() if end else len(text), frozenset(rest) or None))
    if off_at is not None:
        found.append((off_at, len(text), None))
    return found


def unsuppressed(text: str, start: int, violations: list) -> list:
    """`violations` without those that suppression comments silence (a violation counts where it starts)."""
    regions = suppressions(text, start)
    if not regions:
        return violations
    return [
        v
        for v in violations
        if not any(s <= v.start < e or s == v.start == e for s, e, rules in regions if rules is None or v.rule in rules)
    ]
