"""Rule kinds: the code half of the linter. Each kind compiles its rule once, then checks a Context."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from plume.markdown import WIKILINK, has
from plume.lint.context import Context
from plume.lint.linkedin import CUTS, linkedin_cut, post_start
from plume.lint.defects import CHECKS as DEFECT_CHECKS
from plume.lint.leak import _leak
from plume.lint.patterns import TermMatcher, compile_terms, is_plural, match_case, lower_same_length
from plume.lint.segments import char_offsets, word_count
from plume.lint.violation import Violation

Rule = Any  # a plume.lint.plan.RuleView: the house file's fields as attributes


@dataclass(slots=True)
class Compiled:
    rule: Rule
    check: Callable[..., Iterator[Violation]]
    pattern: TermMatcher | None = None
    exceptions: TermMatcher | None = None
    items: list[tuple[str, TermMatcher]] = field(default_factory=list)
    words: frozenset[str] = frozenset()  # lower-cased words a kind looks up (cut: the endings)
    # needles one of which a text must hold for the rule to find anything (TermMatcher.gate); looked up
    # in the text itself when `gate_in_text` (a case-sensitive rule: Context.text_contains), else in
    # Context.contains
    gate: tuple[str, ...] | None = None
    gate_in_text: bool = False


# --- house terms -----------------------------------------------------------------------------------


def _term_matches(c: Compiled, ctx: Context, skip_mentions: bool = True) -> Iterator[re.Match[str]]:
    """Matches of the rule's terms that are uses: not masked, not mentioned, not an exception."""
    excepted: tuple[list[int], list[int]] | None = None
    for m in c.pattern.finditer(ctx.text, ctx.lower, ctx.start, ctx.contains, text_contains=ctx.text_contains):
        s, e = m.span()
        if ctx.never.hits(s, e) or (skip_mentions and ctx.mentions.hits(s, e)):
            continue
        if c.exceptions is not None:
            if excepted is None:
                spans = [x.span() for x in c.exceptions.finditer(ctx.text, ctx.lower, ctx.start, ctx.contains,
                                                                  text_contains=ctx.text_contains)]
                excepted = ([xs for xs, _ in spans], [xe for _, xe in spans])
            # the exception matches are non-overlapping and in order: only the last one starting at or
            # before s can contain the match (a bisection, not a scan: linear in the text overall)
            k = bisect_right(excepted[0], s) - 1
            if k >= 0 and e <= excepted[1][k]:
                continue
        yield m


# « je ne me présente pas comme Chief of Staff externe » (001): what the author says he is not is a
# mention, not a use; the house's word there would say the opposite (designation-niee)
_NEGATED = re.compile(r"\b(?:pas|plus|jamais)\s+(?:(?:comme|en tant que)\s+)?(?:(?:un|une|le|la)\s+|l['’])?\Z")


def _substitution(c: Compiled, ctx: Context) -> Iterator[Violation]:
    rule: Rule = c.rule
    for m in _term_matches(c, ctx):
        found = ctx.text[m.start() : m.end()]
        wording = rule.fix_plural if rule.fix_plural and is_plural(m) else rule.fix
        fix = match_case(found, wording)
        if fix != found and _NEGATED.search(ctx.lower, max(ctx.start, m.start() - 40), m.start()) is None:
            yield ctx.violation(rule, m.start(), m.end(), fix=fix, safe=rule.safe)


def _banned(c: Compiled, ctx: Context) -> Iterator[Violation]:
    for m in _term_matches(c, ctx, skip_mentions=not c.rule.in_quotes):
        yield ctx.violation(c.rule, m.start(), m.end())


def _occurrence(c: Compiled, ctx: Context) -> Iterator[Violation]:
    rule: Rule = c.rule
    for n, m in enumerate(_term_matches(c, ctx), start=1):
        if n > rule.max:
            yield ctx.violation(rule, m.start(), m.end(), count=n, max=rule.max)


def _required(c: Compiled, ctx: Context) -> Iterator[Violation]:
    rule: Rule = c.rule
    missing = []
    for term, matcher in c.items:
        found = matcher.finditer(ctx.text, ctx.lower, ctx.start, ctx.contains, text_contains=ctx.text_contains)
        if not any(not ctx.hidden.hits(*m.span()) for m in found):
            missing.append(term)
    if rule.require == "any" and len(missing) < len(c.items):
        return
    at = post_start(ctx.text)
    for term in missing:
        yield ctx.violation(rule, at, at, term=term, terms=", ".join(rule.terms))


# --- metrics ---------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_HASHTAG = re.compile(r"#(?<![\w#&/]#)\w[\w-]*")
_SENTENCE_END = re.compile(r"[.!?…]+[»”\"'’)*_]*(?=\s|\Z)|\n")

# Markdown that LinkedIn shows literally: line markup, then inline markup (each regex starts with a literal,
# which lets the engine skip to it).
# Bold checks its closing marker first and the character before it after (a literal right after the
# lazy run lets the engine jump to it); an italic's run cannot hold its marker, so it is the same run
# read greedily, in one C loop.
_MD_LINE = re.compile(
    r"(?P<indent>[ \t]*)(?:(?P<hr>(?:-[ \t]*){3,}$|(?:\*[ \t]*){3,}$|(?:_[ \t]*){3,}$)"
    r"|(?P<heading>\#{1,6}[ \t]+)|(?P<quote>>[ \t]?)|(?P<bullet>[-*+][ \t]+))",
    re.M,
)
_LINE_MARKERS = frozenset(" \t-*_#>+")
_MARKED_LINE = re.compile(r"\n(?=[ \t]*[-*_#>+])")
_MD_INLINE = (
    ("**", "bold", re.compile(r"\*\*(?=\S)(?P<inner>[^\n]+?)\*\*(?<=\S\*\*)")),
    ("__", "bold", re.compile(r"__(?=\S)(?P<inner>[^\n]+?)__(?<=\S__)")),
    ("*", "italic", re.compile(r"\*(?<![*\w\\]\*)(?![*\s])(?P<inner>[^*\n]+)(?<![*\s\\])\*(?![*\w])")),
    ("_", "italic", re.compile(r"_(?<![_\w\\]_)(?![_\s])(?P<inner>[^_\n]+)(?<![_\s\\])_(?![_\w])")),
    # a link, or an image: its `!` is taken in after the match (the same spans as `(?:!\[|\[)…`, whose
    # two-way start made the engine try every position)
    ("](", "link", re.compile(r"\[(?P<label>[^\[\]\n]*)\]\((?P<url>[^()\s]+)(?:\s+\"[^\"\n]*\")?\)")),
    ("[[", "wiki", WIKILINK),
    ("`", "code", re.compile(r"`(?P<inner>[^`\n]+)`")),
)
_OWN_SPANS = ("link", "wiki", "code")  # these overlap the never-linted mask by construction


def _plain_line(m: re.Match[str]) -> tuple[int, str]:
    """(start of the markup, its plain-text LinkedIn equivalent) for line-level markup."""
    if m.group("bullet"):
        return m.start(), m.group("indent") + "• "
    if m.group("hr"):
        return m.start(), ""
    return m.start("heading") if m.group("heading") else m.start("quote"), ""


def _plain_inline(kind: str, m: re.Match[str]) -> str:
    if kind in ("bold", "italic", "code"):
        return m.group("inner")
    if kind == "link":
        label, url = m.group("label").strip(), m.group("url")
        return f"{label} ({url})" if label and label != url else url
    return (m.group("alias") or m.group("target")).strip()


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
    rule: Rule = c.rule
    if rule.measure == "ending":
        return _ending(rule, ctx, c.pattern)
    return _MEASURES[rule.measure](rule, ctx)


def _bounds(rule: Rule, ctx: Context, count: int, start: int, over_at: int, end: int) -> Iterator[Violation]:
    if rule.max is not None and count > rule.max:
        yield ctx.violation(rule, over_at, end, count=count, max=rule.max, min=rule.min)
    elif rule.min is not None and count < rule.min:
        yield ctx.violation(rule, start, start, count=count, max=rule.max, min=rule.min)


def _after_words(text: str, start: int, n: int) -> int:
    """Offset of the (n+1)-th whitespace-separated token of text[start:] (str.split's remainder starts
    there); the end of the text when there is none."""
    tokens = text[start:].split(None, n)
    return len(text) - len(tokens[n]) if len(tokens) > n else len(text.rstrip())


def _chars(rule: Rule, ctx: Context) -> Iterator[Violation]:
    start, end = post_start(ctx.text), len(ctx.text.rstrip())
    post = ctx.text[start:end]
    count = _utf16(post) if not post.isascii() else len(post)
    over_at = start
    if rule.max is not None and count > rule.max:
        over_at = start + rule.max if count == len(post) else _utf16_offset(ctx.text, start, rule.max)
    yield from _bounds(rule, ctx, count, start, over_at, end)


def _words(rule: Rule, ctx: Context) -> Iterator[Violation]:
    start = post_start(ctx.text)
    count = word_count(ctx.text, start)
    over_at = start
    if rule.max is not None and count > rule.max:
        over_at = _after_words(ctx.text, start, rule.max)
    yield from _bounds(rule, ctx, count, start, over_at, len(ctx.text.rstrip()))


def _hashtags(rule: Rule, ctx: Context) -> Iterator[Violation]:
    if "#" not in ctx.text:
        tags = []
    else:
        tags = [m for m in _HASHTAG.finditer(ctx.text, ctx.start) if not ctx.never.hits(*m.span())]
    if rule.max is not None and len(tags) > rule.max:
        for m in tags[rule.max :]:
            yield ctx.violation(rule, m.start(), m.end(), count=len(tags), max=rule.max)
    elif rule.min is not None and len(tags) < rule.min:
        at = post_start(ctx.text)
        yield ctx.violation(rule, at, at, count=len(tags), min=rule.min)


def _hook(rule: Rule, ctx: Context) -> Iterator[Violation]:
    cut = linkedin_cut(ctx.text, rule.device)
    if not cut.truncated:
        return
    start = post_start(ctx.text)
    m = _SENTENCE_END.search(ctx.text, start)
    first_end = (m.start() if m.group() == "\n" else m.end()) if m else len(ctx.text.rstrip())
    if first_end > cut.offset:
        chars, lines = CUTS[rule.device]
        yield ctx.violation(
            rule, start, first_end, count=first_end - start, max=chars, lines=lines, device=rule.device
        )


def _markdown(rule: Rule, ctx: Context) -> Iterator[Violation]:
    text, never = ctx.text, ctx.never
    found: list[tuple[int, int, str]] = []
    for line_start in (ctx.start, *(m.end() for m in _MARKED_LINE.finditer(text, ctx.start))):
        if line_start >= len(text) or text[line_start] not in _LINE_MARKERS:
            continue
        m = _MD_LINE.match(text, line_start)
        if m:
            at, fix = _plain_line(m)
            if not never.hits(at, m.end()):
                found.append((at, m.end(), fix))
    for marker, kind, pattern in _MD_INLINE:
        if not has(text, marker):
            continue
        for m in pattern.finditer(text, ctx.start):
            if kind in _OWN_SPANS or not never.hits(*m.span()):
                at = m.start()
                if kind == "link" and at > ctx.start and text[at - 1] == "!":  # an image
                    at -= 1
                found.append((at, m.end(), _plain_inline(kind, m)))
    for start, end, fix in sorted(found):
        yield ctx.violation(rule, start, end, fix=fix, safe=rule.safe)


_TRAILING_TAGS = re.compile(r"(?:\s*(?:#\w[\w-]*[ \t]*)+)+\s*\Z")


def _tail_start(text: str, start: int, end: int) -> int:
    """Where the run of word characters, spaces, `#` and `-` that ends the text begins: a match of
    _TRAILING_TAGS holds nothing else, so its search starts there (the same match, found in time linear
    in the tail instead of a scan of the whole post)."""
    i = end
    while i > start:
        ch = text[i - 1]
        if not (ch.isalnum() or ch.isspace() or ch in "_#-"):
            break
        i -= 1
    return i


_ENDS_WITH_QUESTION = re.compile(r"\?[\W_]*\Z")


def _ending(rule: Rule, ctx: Context, matcher: TermMatcher | None) -> Iterator[Violation]:
    """The post ends on a question or a call to action (hashtags after it do not count)."""
    start, end = post_start(ctx.text), len(ctx.text.rstrip())
    if start >= end:
        return
    tags = _TRAILING_TAGS.search(ctx.text, _tail_start(ctx.text, start, end), end)
    if tags:
        if tags.start() <= start:
            return  # nothing but hashtags
        end = len(ctx.text[: tags.start()].rstrip())
    last = ctx.text.rfind("\n\n", start, end)
    para = last + 2 if last >= 0 else start
    while para < end and ctx.text[para].isspace():
        para += 1
    if _ENDS_WITH_QUESTION.search(ctx.text, para, end):
        return
    if matcher is not None:
        # a match inside [para, end) holds its needles (spaces aside) there: a lookup in that short
        # stretch is cheaper than one in the words of the whole text
        window = ctx.lower[para:end]
        found = matcher.finditer(ctx.text, ctx.lower, para, lambda needle: needle.strip(" ") in window, end,
                                 ctx.text_contains)
        if any(m.start() >= para for m in found):
            return
    yield ctx.violation(rule, para, end)


_MEASURES = {"chars_utf16": _chars, "words": _words, "hashtags": _hashtags, "hook": _hook, "markdown": _markdown}


# --- typography ------------------------------------------------------------------------------------

NBSP, NNBSP = "\u00a0", "\u202f"
_SPACE_FOR = {":": NBSP, ";": NNBSP, "!": NNBSP, "?": NNBSP, "»": NBSP}
_ELLIPSIS = re.compile(r"\.\.\.(?<!\.\.\.\.)(?!\.)")
_EMOTICON = re.compile(r"[:;]-?[()DPp/|](?!\w)")
_EMOTICON_SECOND = frozenset("-()DPp/|")  # what follows the : or ; of an emoticon (no regex call otherwise)
_ENTITY = re.compile(r"&#?\w+;")
_SPACES = " \t"
_NO_BREAK = " \t\n\r\u00a0\u202f\u2009"


def _attached(ch: str) -> bool:
    """A character after which a : ; ! ? needs a space (a word, a closing bracket or quote, bold)."""
    return ch.isalnum() or ch in ")]*_»”\"’%€$"


def _is_punctuation(text: str, i: int) -> bool:
    """False when the : ; ! ? at i is not French punctuation (a time, an emoticon, an entity, an image)."""
    ch, nxt = text[i], text[i + 1 : i + 2]
    if ch == ":" and nxt.isdigit() and i and text[i - 1].isdigit():
        return False
    if ch in ":;" and nxt and nxt in _EMOTICON_SECOND and _EMOTICON.match(text, i):
        return False
    if ch == "!" and nxt == "[":
        return False
    if ch == ";":
        j = text.rfind("&", max(0, i - 12), i)
        if j >= 0 and _ENTITY.match(text, j):
            return False
    return True


def _space_before(rule: Rule, ctx: Context) -> Iterator[Violation]:
    text = ctx.text
    for i in char_offsets(text, ":;!?", ctx.start):  # the matches of [:;!?]
        if i == 0 or not _attached(text[i - 1]) or not _is_punctuation(text, i) or ctx.never.hits(i, i + 1):
            continue
        ch = text[i]
        space = "espace insécable" if ch == ":" else "espace fine insécable"
        yield ctx.violation(rule, i, i + 1, fix=_SPACE_FOR[ch] + ch, safe=rule.safe, space=space)


def _nbsp(rule: Rule, ctx: Context) -> Iterator[Violation]:
    text, n = ctx.text, len(ctx.text)
    for i in char_offsets(text, ":;!?»", ctx.start):  # the matches of [:;!?»]
        j = i
        while j > ctx.start and text[j - 1] in _SPACES:
            j -= 1
        if j == i or j == ctx.start or text[j - 1] in "\n\r" or not _is_punctuation(text, i):
            continue
        if ctx.never.hits(j, i + 1):
            continue
        ch = text[i]
        yield ctx.violation(rule, j, i + 1, fix=_SPACE_FOR[ch] + ch, safe=rule.safe, mark=ch)
    for at in char_offsets(text, "«", ctx.start):
        i = j = at + 1
        while j < n and text[j] in _SPACES:
            j += 1
        if j == i or j == n or text[j] in "\n\r" or ctx.never.hits(at, j):
            continue
        yield ctx.violation(rule, at, j, fix="«" + NBSP, safe=rule.safe, mark="«")


def _guillemets(rule: Rule, ctx: Context) -> Iterator[Violation]:
    text, n = ctx.text, len(ctx.text)
    for i in char_offsets(text, "«»", ctx.start):
        if text[i] == "«":
            if i + 1 >= n or text[i + 1] in _NO_BREAK or text[i + 1] == "»":
                continue
            fix = "«" + NBSP
        else:
            if i == 0 or text[i - 1] in _NO_BREAK or text[i - 1] == "«":
                continue
            fix = NBSP + "»"
        if not ctx.never.hits(i, i + 1):
            yield ctx.violation(rule, i, i + 1, fix=fix, safe=rule.safe)


def _ellipsis(rule: Rule, ctx: Context) -> Iterator[Violation]:
    if has(ctx.text, "..."):
        for m in _ELLIPSIS.finditer(ctx.text, ctx.start):
            if not ctx.never.hits(*m.span()):
                yield ctx.violation(rule, m.start(), m.end(), fix="…", safe=rule.safe)


def _apostrophe(rule: Rule, ctx: Context) -> Iterator[Violation]:
    text, n = ctx.text, len(ctx.text)
    for i in char_offsets(text, "'", ctx.start):
        if 0 < i < n - 1 and text[i - 1].isalnum() and text[i + 1].isalnum() and not ctx.never.hits(i, i + 1):
            yield ctx.violation(rule, i, i + 1, fix="’", safe=rule.safe)


_TYPO = {
    "space-before": _space_before,
    "nbsp": _nbsp,
    "guillemets": _guillemets,
    "ellipsis": _ellipsis,
    "apostrophe": _apostrophe,
}


def _typography(c: Compiled, ctx: Context) -> Iterator[Violation]:
    return _TYPO[c.rule.check](c.rule, ctx)


# --- compilation -----------------------------------------------------------------------------------


def compile_rule(rule: Rule) -> Compiled:
    """Turn one rule (data) into its checker; regexes are compiled on first use."""
    kind = rule.kind
    if kind in ("substitution", "banned", "occurrence"):
        plural = kind == "substitution" and rule.fix_plural is not None
        pattern = compile_terms(rule.terms, rule.regex, rule.case_sensitive, plural=plural)
        return Compiled(
            rule,
            CHECKERS[kind],
            pattern=pattern,
            exceptions=compile_terms(rule.exceptions, (), rule.case_sensitive),
            gate=pattern.gate() if pattern is not None else None,
            gate_in_text=rule.case_sensitive,
        )
    if kind == "required":
        items = [(t, compile_terms([t], (), rule.case_sensitive)) for t in rule.terms]
        return Compiled(rule, _required, items=items)
    if kind == "metric" and getattr(rule, "terms", None):
        return Compiled(rule, _metric, pattern=compile_terms(rule.terms))
    if kind == "cut":
        return Compiled(rule, _cut_check, words=frozenset(lower_same_length(w) for w in rule.endings))
    if kind in CHECKERS:
        return Compiled(rule, CHECKERS[kind])
    raise ValueError(f"unknown rule kind: {kind!r}")


CHECKERS = {
    "substitution": _substitution,
    "banned": _banned,
    "occurrence": _occurrence,
    "required": _required,
    "metric": _metric,
    "typography": _typography,
    **DEFECT_CHECKS,
    "leak": _leak,
}
_cut_check = DEFECT_CHECKS["cut"]
