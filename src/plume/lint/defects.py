"""Rule kinds for the defects of machine-written copy: repetition, foreign script, cut sentences, the
call to action written twice, length against the brief, prompt text leaking into the copy.

Each check takes the compiled rule and the Context (its `target` says what the brief asked) and yields
Violations; the rule's fields come from the house file (plume.lint.rules).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from itertools import count
from typing import Any

from plume.lint.context import Context
from plume.lint.linkedin import post_start
from plume.lint.segments import word_count
from plume.lint.violation import Violation

Compiled = Any  # plume.lint.kinds.Compiled (its `rule` is a RuleView)


# --- repetition ------------------------------------------------------------------------------------


def _ngrams_at(words: list[str], n: int) -> list[tuple[str, ...]]:
    """The n-gram that starts at each word (built once per text, in C; a sentence takes a slice)."""
    return list(zip(*(words[i:] for i in range(n))))


MAX_HOLDERS = 16  # earlier sentences remembered per n-gram: enough to find a repeat, never quadratic


def _repeated_sentences(c: Compiled, ctx: Context) -> Iterator[Violation]:
    rule = c.rule
    n, min_words = rule.n, rule.min_words
    calls = cta_occurrences(ctx, _CTA_CLOSE) if ctx.target.cta else []
    starts = ctx.tokens.starts
    grams_at = _ngrams_at(ctx.tokens.words, n)
    # the sentences compared, in order: (start, end, first, last) where grams[first:last] are the
    # n-grams that start and end in the sentence
    spans: list[tuple[int, int, int, int]] = []
    grams: list[tuple[str, ...]] = []
    for block in ctx.blocks:
        for s, e in block.sentences:
            i, j = bisect_left(starts, s), bisect_left(starts, e)  # the sentence's words
            if j - i < min_words:
                continue
            if calls and any(cs < e and s < ce for cs, ce in calls):
                continue  # the call to action again: the cta rule reports it
            first = len(grams)
            grams += grams_at[i : max(i, j - n + 1)]
            spans.append((s, e, first, len(grams)))
    # every n-gram as the number of its first occurrence (one dict pass in C): a sentence whose numbers
    # are all its own says nothing said before, and most sentences are such
    ids = list(map({}.setdefault, grams, count()))
    firsts = [first for _, _, first, _ in spans]
    sizes: list[int | None] = [None] * len(spans)  # distinct n-grams of a sentence, once compared
    holders: dict[int, list[int]] = {}  # n-gram said again → the sentences that have it (MAX_HOLDERS)
    for index, (s, e, first, last) in enumerate(spans):
        if first == last:
            continue
        own = ids[first:last]
        if min(own) >= first:
            continue
        said = {g for g in own if g < first}  # the n-grams said in an earlier sentence
        # fewer than a report needs (no earlier sentence can share min_shared of them): the sentence is
        # only recorded as a holder, not compared (most sentences that share an n-gram or two)
        compared = len(said) >= rule.min_shared
        shared: dict[int, int] = {}
        for g in said:
            having = holders.get(g)
            if having is None:
                having = holders[g] = [bisect_right(firsts, g) - 1]
            if compared:
                for k in having:
                    shared[k] = shared.get(k, 0) + 1
            if len(having) < MAX_HOLDERS:  # bounded: linear time on text that repeats itself
                having.append(index)
        if not compared:
            continue
        size = sizes[index] = len(set(own))
        for k, count_ in sorted(shared.items()):
            other = sizes[k]
            if other is None:
                other = sizes[k] = len(set(ids[firsts[k] : spans[k][3]]))
            share = count_ / min(size, other)
            if count_ >= rule.min_shared and share >= rule.threshold:
                os_, oe = spans[k][:2]
                line, _ = ctx.position(os_)
                yield ctx.violation(rule, s, e, other=_short(ctx.text[os_:oe]), line=line,
                                    share=f"{round(share * 100)} %")
                break


def _short(text: str, limit: int = 60) -> str:
    text = text.replace("**", "").replace("__", "")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _repeated_phrase(c: Compiled, ctx: Context) -> Iterator[Violation]:
    """A group of 1 to 4 words said twice in a row, or twice with one word between (« et »): a single
    word only when doubled with nothing between (« test test »), and not one of `allow`."""
    rule = c.rule
    allow = {w.lower() for w in rule.allow}
    joins = {w.lower() for w in rule.joins}
    tok = ctx.tokens
    for block in ctx.blocks:
        if block.kind == "tags":
            continue
        lo, hi = tok.between(block.start, block.end)
        tokens = tok.words[lo:hi]
        last: dict[str, int] = {}
        seen_at = last.get
        i, done = 0, 0
        for k, w in enumerate(tokens):  # a repeat starts where a word comes back within _REACH words
            prev = seen_at(w)
            last[w] = k
            if prev is None or k - prev > _REACH or prev < done:
                continue
            # A group at prev said again starts at k (a single word only if k == prev + 1, else a group
            # of two words or more: its second word follows k) or at a later occurrence within reach.
            # Neither: _repeat_at would find nothing (most words that come back; slices, no call: ≈ 9 µs
            # a bench post of the rule's ≈ 68).
            if (k - prev > 1 and tokens[k + 1 : k + 2] != tokens[prev + 1 : prev + 2]
                    and w not in tokens[k + 1 : prev + _REACH + 1]):
                continue
            hit = _repeat_at(tokens, prev, allow, joins)
            if hit is None:
                continue
            i = prev
            n, j = hit
            phrase = ctx.text[tok.starts[lo + i] : tok.ends[lo + i + n - 1]]
            # the second time (and the word that joins it)
            yield ctx.violation(rule, tok.starts[lo + i + n], tok.ends[lo + j + n - 1], phrase=phrase)
            done = j + n
            last.clear()


# A group said again starts at most 4 + 1 words after the first time (four words and a joining word): a
# word that comes back farther (its previous occurrence the latest) cannot start one.
_REACH = 5


def _repeat_at(tokens: list[str], i: int, allow: set[str], joins: set[str]) -> tuple[int, int] | None:
    """(size, start of the second time) of a group of words at i said again right after it."""
    size, first = len(tokens), tokens[i]
    for n in (4, 3, 2, 1):
        for gap in ((0, 1) if n > 1 else (0,)):
            j = i + n + gap  # (the first two words compared before the groups are sliced)
            if j + n > size or tokens[j] != first:
                continue
            if n > 1 and (tokens[j + 1] != tokens[i + 1] or tokens[i : i + n] != tokens[j : j + n]):
                continue
            if gap and tokens[i + n] not in joins:
                continue
            group = tokens[i : i + n]
            if n == 1 and (len(group[0]) < 3 or group[0] in allow or group[0].isdigit()):
                continue
            if not any(len(w) >= 4 for w in group):
                continue
            return n, j
    return None


def _repetition(c: Compiled, ctx: Context) -> Iterator[Violation]:
    if c.rule.check == "phrase":
        return _repeated_phrase(c, ctx)
    return _repeated_sentences(c, ctx)


# --- foreign script --------------------------------------------------------------------------------

# Characters outside Latin, its accents and general punctuation (arrows, bullets, quotes): rare in French
# copy, so this simple class scans fast; the letters among them (not emoji, not symbols) are reported.
_OUTSIDE = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\u2000-\u2bff\ufe00-\ufe0f]+")
_NON_LATIN_LETTERS = re.compile(r"(?:(?![\d_\u0000-\u024f\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\uab30-\uab6f\uff21-\uff3a\uff41-\uff5a])\w)+")


# the high bytes (UTF-16) of characters inside those ranges: U+0000–U+01FF, U+1E00–U+1EFF, U+2000–U+2BFF
_INSIDE_HIGH_BYTES = bytes([0x00, 0x01, 0x1E, *range(0x20, 0x2C)])


def _all_inside(text: str) -> bool:
    """True when no character of `text` can start a match of _OUTSIDE (every one in the ranges of
    _INSIDE_HIGH_BYTES, which _OUTSIDE leaves out), tested on the high bytes of its UTF-16 code units in C
    (≈ 5 µs for a 3,000-character post, against ≈ 30 µs for the regex scan). False is not an answer:
    the scan decides."""
    return not text.encode("utf-16-le", "surrogatepass")[1::2].translate(None, _INSIDE_HIGH_BYTES)


def _script(c: Compiled, ctx: Context) -> Iterator[Violation]:
    text = ctx.text
    if text.isascii() or _all_inside(text):
        return
    for run in _OUTSIDE.finditer(text, ctx.start):
        for m in _NON_LATIN_LETTERS.finditer(text, run.start(), run.end()):
            if not ctx.never.hits(*m.span()):
                yield ctx.violation(c.rule, m.start(), m.end())


# --- cut sentences ---------------------------------------------------------------------------------

_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.)[\s*_»”\"’)]*\Z")


def _cut(c: Compiled, ctx: Context) -> Iterator[Violation]:
    rule = c.rule
    endings = c.words
    blocks = [b for b in ctx.blocks if b.kind in ("heading", "item", "para")]
    for k, block in enumerate(blocks):
        if not block.sentences:
            continue
        s, e = block.sentences[-1]
        last = ctx.text[s:e]
        if ctx.never.hits(e - 1, e):
            continue
        if _ends_with_ellipsis(last):
            yield ctx.violation(rule, s, e, why="s’arrête sur « … »")
            continue
        tail = ctx.lower[s:e].rstrip(" \t*_»”\"’)")
        if tail.endswith(":") and block.kind == "item":
            following = blocks[k + 1] if k + 1 < len(blocks) else None
            if following is None or following.kind != "item" or following.indent <= block.indent:
                yield ctx.violation(rule, s, e, why="annonce une suite qui ne vient pas")
            continue
        m = _LAST_WORD.search(tail, _last_run(tail))
        if m and m.group(1) in endings:
            yield ctx.violation(rule, s, e, why=f"finit sur « {m.group(1)} »")


_LAST_WORD = re.compile(r"(?<![\w’'])(\w+)\Z")
_CLOSERS = "*_»”\"’)"


def _ends_with_ellipsis(sentence: str) -> bool:
    """_ELLIPSIS_END.search(sentence) is not None, from the end (no scan of the whole sentence)."""
    tail = sentence
    while True:
        stripped = tail.rstrip().rstrip(_CLOSERS)
        if stripped == tail:
            return tail.endswith(("…", "..."))
        tail = stripped


def _last_run(text: str) -> int:
    """Start of the word characters that end `text` (where a match of _LAST_WORD can begin)."""
    i = len(text)
    while i and (text[i - 1].isalnum() or text[i - 1] == "_"):
        i -= 1
    return i


# --- the call to action ----------------------------------------------------------------------------

_CTA_CLOSE = 0.8  # a sentence this close to the call to action is the call to action


def _cta_tokens(ctx: Context) -> list[str]:
    cta = ctx.target.cta
    if not cta:
        return []
    from plume.lint.patterns import lower_same_length

    return [m.group() for m in re.finditer(r"\w+", lower_same_length(cta))]


def cta_occurrences(ctx: Context, threshold: float) -> list[tuple[int, int]]:
    """Spans of the body where the call to action is written (fuzzy), in order."""
    cta = _cta_tokens(ctx)
    n = len(cta)
    if not n:
        return []
    tok = ctx.tokens
    tokens = tok.words
    want = Counter(cta)
    window: Counter = Counter(tokens[:n])
    scores = []
    for i in range(max(0, len(tokens) - n + 1)):
        if i:
            window[tokens[i - 1]] -= 1
            window[tokens[i + n - 1]] += 1
        scores.append(sum(min(k, window[w]) for w, k in want.items()))
    need = threshold * n
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(scores):
        if scores[i] < need:  # the bag of words is a cheap bound of the in-order match below
            i += 1
            continue
        ordered = {j: _in_order(tokens[j : j + n], cta) for j in range(i, min(i + n, len(scores))) if scores[j] >= need}
        best = max(ordered, key=lambda j: (ordered[j], tokens[j] == cta[0], -j))
        if ordered[best] < need:
            i += 1
            continue
        spans.append((tok.starts[best], tok.ends[min(best + n, len(tokens)) - 1]))
        i = best + n
    return spans


def _in_order(window: list[str], cta: list[str]) -> int:
    """How many of the call's words the window has in the call's order."""
    from difflib import SequenceMatcher

    return sum(b.size for b in SequenceMatcher(None, window, cta, autojunk=False).get_matching_blocks())


def _cta(c: Compiled, ctx: Context) -> Iterator[Violation]:
    rule = c.rule
    spans = cta_occurrences(ctx, rule.threshold)
    if len(spans) <= rule.max:
        return
    for s, e in spans[: len(spans) - rule.max]:  # the last one (the closing) stays
        yield ctx.violation(rule, s, e, count=len(spans), max=rule.max, cta=ctx.target.cta)


# --- length ----------------------------------------------------------------------------------------


def _length(c: Compiled, ctx: Context) -> Iterator[Violation]:
    rule, asked = c.rule, ctx.target.words
    if not asked:
        return
    start = post_start(ctx.text)
    count = word_count(ctx.text, start)
    low, high = round(asked * (1 - rule.band)), round(asked * (1 + rule.band))
    if low <= count <= high:
        return
    yield ctx.violation(rule, start, start, count=count, words=asked, min=low, max=high,
                        how="trop court" if count < low else "trop long")


CHECKS = {"repetition": _repetition, "script": _script, "cut": _cut, "cta": _cta, "length": _length}
