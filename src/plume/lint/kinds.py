"""Rule kinds: the code half of the linter. Each kind compiles its rule once, then checks a Context."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from plume.lint import rules as R
from plume.lint.context import Context
from plume.lint.linkedin import linkedin_cut, post_start
from plume.lint.markdown import hidden_spans
from plume.lint.patterns import compile_terms, is_plural, match_case, term_pattern
from plume.lint.violation import Violation


@dataclass(slots=True)
class Compiled:
    rule: R.BaseRule
    check: Callable[[Compiled, Context], Iterator[Violation]]
    pattern: re.Pattern[str] | None = None
    exceptions: re.Pattern[str] | None = None
    items: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)


# --- house terms -----------------------------------------------------------------------------------


def _term_matches(c: Compiled, ctx: Context, skip_mentions: bool = True) -> Iterator[re.Match[str]]:
    """Matches of the rule's terms that are uses: not masked, not mentioned, not an exception."""
    excepted: list[tuple[int, int]] | None = None
    for m in c.pattern.finditer(ctx.text, ctx.start):
        s, e = m.span()
        if s == e or ctx.never.hits(s, e) or (skip_mentions and ctx.mentions.hits(s, e)):
            continue
        if c.exceptions is not None:
            if excepted is None:
                excepted = [x.span() for x in c.exceptions.finditer(ctx.text, ctx.start)]
            if any(xs <= s and e <= xe for xs, xe in excepted):
                continue
        yield m


def _substitution(c: Compiled, ctx: Context) -> Iterator[Violation]:
    rule: R.Substitution = c.rule
    for m in _term_matches(c, ctx):
        wording = rule.fix_plural if rule.fix_plural and is_plural(m) else rule.fix
        fix = match_case(m.group(), wording)
        if fix != m.group():
            yield ctx.violation(rule, m.start(), m.end(), fix=fix, safe=rule.safe)


def _banned(c: Compiled, ctx: Context) -> Iterator[Violation]:
    for m in _term_matches(c, ctx):
        yield ctx.violation(c.rule, m.start(), m.end())


def _occurrence(c: Compiled, ctx: Context) -> Iterator[Violation]:
    rule: R.Occurrence = c.rule
    for n, m in enumerate(_term_matches(c, ctx), start=1):
        if n > rule.max:
            yield ctx.violation(rule, m.start(), m.end(), count=n, max=rule.max)


def _required(c: Compiled, ctx: Context) -> Iterator[Violation]:
    rule: R.Required = c.rule
    missing = []
    hidden = hidden_spans(ctx.text, ctx.start)
    for term, pattern in c.items:
        if not any(not hidden.hits(*m.span()) for m in pattern.finditer(ctx.text, ctx.start)):
            missing.append(term)
    if rule.require == "any" and len(missing) < len(c.items):
        return
    at = post_start(ctx.text)
    for term in missing:
        yield ctx.violation(rule, at, at, term=term, terms=", ".join(rule.terms))


# --- metrics ---------------------------------------------------------------------------------------

_WORDS = re.compile(r"\w+(?:['’-]\w+)*")
_HASHTAG = re.compile(r"(?<![\w#&/])#\w[\w-]*")
_SENTENCE_END = re.compile(r"[.!?…]+[»”\"'’)*_]*(?=\s|\Z)|\n")
_MARKDOWN = re.compile(
    r"""
      (?P<hr>^[ \t]{0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$)
    | (?P<heading>^[ \t]{0,3}\#{1,6}[ \t]+)
    | (?P<quote>^[ \t]{0,3}>[ \t]?)
    | (?P<bullet>^(?P<indent>[ \t]*)[-*+][ \t]+)
    | (?P<bold>\*\*(?=\S)(?P<b1>.+?)(?<=\S)\*\*|__(?=\S)(?P<b2>.+?)(?<=\S)__)
    | (?P<italic>(?<![*\w\\])\*(?![*\s])(?P<i1>[^*\n]+?)(?<![*\s\\])\*(?![*\w])
               |(?<![_\w\\])_(?![_\s])(?P<i2>[^_\n]+?)(?<![_\s\\])_(?![_\w]))
    | (?P<link>!?\[(?P<label>[^\[\]\n]*)\]\((?P<url>[^()\s]+)(?:\s+"[^"\n]*")?\))
    | (?P<wiki>\[\[(?P<target>[^\[\]|\n]+)(?:\|(?P<alias>[^\[\]\n]*))?\]\])
    | (?P<code>`(?P<inline>[^`\n]+)`)
    """,
    re.M | re.X,
)
_OWN_SPANS = ("link", "wiki", "code")  # these overlap the never-linted mask by construction


def _plain(m: re.Match[str]) -> str:
    """The plain-text LinkedIn equivalent of one piece of Markdown markup."""
    kind = m.lastgroup
    if kind in ("hr", "heading", "quote"):
        return ""
    if kind == "bullet":
        return m.group("indent") + "• "
    if kind == "bold":
        return m.group("b1") or m.group("b2")
    if kind == "italic":
        return m.group("i1") or m.group("i2")
    if kind == "link":
        label, url = m.group("label").strip(), m.group("url")
        return f"{label} ({url})" if label and label != url else url
    if kind == "wiki":
        return (m.group("alias") or m.group("target")).strip()
    return m.group("inline")


def _utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _utf16_offset(text: str, start: int, limit: int) -> int:
    """First offset at which text[start:] exceeds `limit` UTF-16 code units."""
    units = 0
    for i in range(start, len(text)):
        units += 2 if ord(text[i]) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


def _metric(c: Compiled, ctx: Context) -> Iterator[Violation]:
    rule: R.Metric = c.rule
    return _MEASURES[rule.measure](rule, ctx)


def _bounds(rule: R.Metric, ctx: Context, count: int, start: int, over_at: int, end: int) -> Iterator[Violation]:
    if rule.max is not None and count > rule.max:
        yield ctx.violation(rule, over_at, end, count=count, max=rule.max, min=rule.min)
    elif rule.min is not None and count < rule.min:
        yield ctx.violation(rule, start, start, count=count, max=rule.max, min=rule.min)


def _chars(rule: R.Metric, ctx: Context) -> Iterator[Violation]:
    start, end = post_start(ctx.text), len(ctx.text.rstrip())
    post = ctx.text[start:end]
    count = _utf16(post)
    over_at = start + rule.max if (rule.max is not None and count == len(post)) else None
    if rule.max is not None and count > rule.max and over_at is None:
        over_at = _utf16_offset(ctx.text, start, rule.max)
    yield from _bounds(rule, ctx, count, start, over_at or start, end)


def _words(rule: R.Metric, ctx: Context) -> Iterator[Violation]:
    start = post_start(ctx.text)
    words = list(_WORDS.finditer(ctx.text, start))
    over_at = words[rule.max].start() if rule.max is not None and len(words) > rule.max else start
    yield from _bounds(rule, ctx, len(words), start, over_at, len(ctx.text.rstrip()))


def _hashtags(rule: R.Metric, ctx: Context) -> Iterator[Violation]:
    tags = [m for m in _HASHTAG.finditer(ctx.text, ctx.start) if not ctx.never.hits(*m.span())]
    if rule.max is not None and len(tags) > rule.max:
        for m in tags[rule.max :]:
            yield ctx.violation(rule, m.start(), m.end(), count=len(tags), max=rule.max)
    elif rule.min is not None and len(tags) < rule.min:
        at = post_start(ctx.text)
        yield ctx.violation(rule, at, at, count=len(tags), min=rule.min)


def _hook(rule: R.Metric, ctx: Context) -> Iterator[Violation]:
    cut = linkedin_cut(ctx.text, rule.device)
    if not cut.truncated:
        return
    start = post_start(ctx.text)
    m = _SENTENCE_END.search(ctx.text, start)
    first_end = (m.start() if m.group() == "\n" else m.end()) if m else len(ctx.text.rstrip())
    if first_end > cut.offset:
        from plume.lint.linkedin import CUTS

        chars, lines = CUTS[rule.device]
        yield ctx.violation(
            rule, start, first_end, count=first_end - start, max=chars, lines=lines, device=rule.device
        )


def _markdown(rule: R.Metric, ctx: Context) -> Iterator[Violation]:
    for m in _MARKDOWN.finditer(ctx.text, ctx.start):
        if m.lastgroup not in _OWN_SPANS and ctx.never.hits(*m.span()):
            continue
        yield ctx.violation(rule, m.start(), m.end(), fix=_plain(m), safe=rule.safe)


_MEASURES = {"chars_utf16": _chars, "words": _words, "hashtags": _hashtags, "hook": _hook, "markdown": _markdown}


# --- typography ------------------------------------------------------------------------------------

NBSP, NNBSP = "\u00a0", "\u202f"
_SPACE_FOR = {":": NBSP, ";": NNBSP, "!": NNBSP, "?": NNBSP}
_MISSING_SPACE = re.compile(r"(?<=[\w)\]*_»”\"’%€$])[:;!?]")
_PLAIN_SPACE = re.compile(r"(?<=\S)[ \t]+(?P<before>[:;!?»])|(?P<open>«)[ \t]+(?=\S)")
_GUILLEMET = re.compile(r"«(?=[^\s\u00a0\u202f»])|(?<=[^\s\u00a0\u202f«])»")
_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_EMOTICON = re.compile(r"[:;]-?[()DPp/|](?!\w)")
_ENTITY = re.compile(r"&#?\w+;")


def _not_punctuation(text: str, i: int) -> bool:
    """False when the : ; ! ? at i is not French punctuation (a time, an emoticon, an entity, an image)."""
    ch, nxt = text[i], text[i + 1 : i + 2]
    if ch == ":" and nxt.isdigit() and text[i - 1].isdigit():
        return False
    if ch in ":;" and _EMOTICON.match(text, i):
        return False
    if ch == "!" and nxt == "[":
        return False
    if ch == ";":
        j = text.rfind("&", max(0, i - 12), i)
        if j >= 0 and _ENTITY.match(text, j):
            return False
    return True


def _space_before(rule: R.Typography, ctx: Context) -> Iterator[Violation]:
    text = ctx.text
    for m in _MISSING_SPACE.finditer(text, ctx.start):
        i = m.start()
        if ctx.never.hits(i, i + 1) or not _not_punctuation(text, i):
            continue
        ch = m.group()
        yield ctx.violation(rule, i, i + 1, fix=_SPACE_FOR[ch] + ch, safe=rule.safe, space=_name(ch))


def _nbsp(rule: R.Typography, ctx: Context) -> Iterator[Violation]:
    text = ctx.text
    for m in _PLAIN_SPACE.finditer(text, ctx.start):
        if ctx.never.hits(*m.span()):
            continue
        if m.group("open"):
            fix = "«" + NBSP
        else:
            ch = m.group("before")
            if ch in ":;" and _EMOTICON.match(text, m.start("before")):
                continue
            fix = _SPACE_FOR.get(ch, NBSP) + ch
        yield ctx.violation(rule, m.start(), m.end(), fix=fix, safe=rule.safe)


def _guillemets(rule: R.Typography, ctx: Context) -> Iterator[Violation]:
    for m in _GUILLEMET.finditer(ctx.text, ctx.start):
        if ctx.never.hits(*m.span()):
            continue
        fix = "«" + NBSP if m.group() == "«" else NBSP + "»"
        yield ctx.violation(rule, m.start(), m.end(), fix=fix, safe=rule.safe)


def _replace(pattern: re.Pattern[str], fix: str) -> Callable[[R.Typography, Context], Iterator[Violation]]:
    def check(rule: R.Typography, ctx: Context) -> Iterator[Violation]:
        for m in pattern.finditer(ctx.text, ctx.start):
            if not ctx.never.hits(*m.span()):
                yield ctx.violation(rule, m.start(), m.end(), fix=fix, safe=rule.safe)

    return check


def _name(ch: str) -> str:
    return "espace insécable" if ch == ":" else "espace fine insécable"


_TYPO = {
    "space-before": _space_before,
    "nbsp": _nbsp,
    "guillemets": _guillemets,
    "ellipsis": _replace(_ELLIPSIS, "…"),
    "apostrophe": _replace(_APOSTROPHE, "’"),
}


def _typography(c: Compiled, ctx: Context) -> Iterator[Violation]:
    return _TYPO[c.rule.check](c.rule, ctx)


# --- compilation -----------------------------------------------------------------------------------


def compile_rule(rule: R.BaseRule) -> Compiled:
    """Turn one rule (data) into its checker, regexes compiled once."""
    if isinstance(rule, R.TermRule):
        check = {"substitution": _substitution, "banned": _banned, "occurrence": _occurrence}[rule.kind]
        plural = isinstance(rule, R.Substitution) and rule.fix_plural is not None
        return Compiled(
            rule,
            check,
            pattern=compile_terms(rule.terms, rule.regex, rule.case_sensitive, plural=plural),
            exceptions=compile_terms(rule.exceptions, (), rule.case_sensitive),
        )
    if isinstance(rule, R.Required):
        flags = 0 if rule.case_sensitive else re.IGNORECASE
        items = [(t, re.compile(term_pattern(t, rule.case_sensitive), flags)) for t in rule.terms]
        return Compiled(rule, _required, items=items)
    if isinstance(rule, R.Metric):
        return Compiled(rule, _metric)
    if isinstance(rule, R.Typography):
        return Compiled(rule, _typography)
    raise TypeError(f"unknown rule kind: {type(rule).__name__}")


CHECKERS = {
    "substitution": _substitution,
    "banned": _banned,
    "occurrence": _occurrence,
    "required": _required,
    "metric": _metric,
    "typography": _typography,
}
