"""Rule kinds for the defects of machine-written copy: repetition, foreign script, cut sentences, the
call to action written twice, length against the brief, prompt text leaking into the copy.

Each check takes the compiled rule and the Context (its `target` says what the brief asked) and yields
Violations; the rule's fields come from the house file (plume.lint.rules).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from plume.lint.context import Context
from plume.lint.linkedin import post_start
from plume.lint.segments import words, word_count
from plume.lint.violation import Violation

Compiled = Any  # plume.lint.kinds.Compiled (its `rule` is a RuleView)


def _sentence_words(ctx: Context, start: int, end: int) -> list[tuple[str, int, int]]:
    return words(ctx.text, ctx.lower, start, end, ctx.never)


# --- repetition ------------------------------------------------------------------------------------


def _ngrams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def _repeated_sentences(c: Compiled, ctx: Context) -> Iterator[Violation]:
    rule = c.rule
    cta = _cta_tokens(ctx)
    seen: list[tuple[set, int, int]] = []
    for block in ctx.blocks:
        for s, e in block.sentences:
            tokens = [w for w, _, _ in _sentence_words(ctx, s, e)]
            if len(tokens) < rule.min_words:
                continue
            grams = _ngrams(tokens, rule.n)
            if cta and _best_overlap(tokens, cta) >= _CTA_CLOSE:
                continue  # the call to action again: the cta rule reports it
            for other, os_, oe in seen:
                shared = len(grams & other) / min(len(grams), len(other))
                if shared >= rule.threshold:
                    line, _ = ctx.position(os_)
                    yield ctx.violation(rule, s, e, other=_short(ctx.text[os_:oe]), line=line,
                                        share=f"{round(shared * 100)} %")
                    break
            seen.append((grams, s, e))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _repeated_phrase(c: Compiled, ctx: Context) -> Iterator[Violation]:
    """A group of 1 to 4 words said twice in a row, or twice with one word between (« et »): a single
    word only when doubled with nothing between (« test test »), and not one of `allow`."""
    rule = c.rule
    allow = {w.lower() for w in rule.allow}
    joins = {w.lower() for w in rule.joins}
    for block in ctx.blocks:
        if block.kind == "tags":
            continue
        found = _sentence_words(ctx, block.start, block.end)
        tokens = [w for w, _, _ in found]
        i, n_tok = 0, len(tokens)
        while i < n_tok:
            hit = None
            for n in (4, 3, 2, 1):
                for gap in ((0, 1) if n > 1 else (0,)):
                    j = i + n + gap
                    if j + n > n_tok or tokens[i : i + n] != tokens[j : j + n]:
                        continue
                    if gap and tokens[i + n] not in joins:
                        continue
                    group = tokens[i : i + n]
                    if n == 1 and (len(group[0]) < 3 or group[0] in allow or group[0].isdigit()):
                        continue
                    if not any(len(w) >= 4 for w in group):
                        continue
                    hit = (n, j)
                    break
                if hit:
                    break
            if hit is None:
                i += 1
                continue
            n, j = hit
            e = found[j + n - 1][2]
            phrase = ctx.text[found[i][1] : found[i + n - 1][2]]
            yield ctx.violation(rule, found[i + n][1], e, phrase=phrase)  # the second time (and what joins it)
            i = j + n


def _repetition(c: Compiled, ctx: Context) -> Iterator[Violation]:
    if c.rule.check == "phrase":
        return _repeated_phrase(c, ctx)
    return _repeated_sentences(c, ctx)


# --- foreign script --------------------------------------------------------------------------------

# Letters (\w that is not a digit or _) outside the Latin blocks of Unicode.
_NON_LATIN = re.compile(
    r"(?:(?![\d_\u0000-\u024f\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\uab30-\uab6f\uff21-\uff3a\uff41-\uff5a])\w)+"
)


def _script(c: Compiled, ctx: Context) -> Iterator[Violation]:
    body = ctx.text
    if body.isascii():
        return
    for m in _NON_LATIN.finditer(body, ctx.start):
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
        if _ELLIPSIS_END.search(last):
            yield ctx.violation(rule, s, e, why="s’arrête sur « … »")
            continue
        tail = ctx.lower[s:e].rstrip(" \t*_»”\"’)")
        if tail.endswith(":") and block.kind == "item":
            following = blocks[k + 1] if k + 1 < len(blocks) else None
            if following is None or following.kind != "item" or following.indent <= block.indent:
                yield ctx.violation(rule, s, e, why="annonce une suite qui ne vient pas")
            continue
        m = _LAST_WORD.search(tail)
        if m and m.group(1) in endings:
            yield ctx.violation(rule, s, e, why=f"finit sur « {m.group(1)} »")


_LAST_WORD = re.compile(r"(?<![\w’'])(\w+)\Z")


# --- the call to action ----------------------------------------------------------------------------

_CTA_CLOSE = 0.8  # a sentence this close to the call to action is the call to action


def _cta_tokens(ctx: Context) -> list[str]:
    cta = ctx.target.cta
    if not cta:
        return []
    from plume.lint.patterns import lower_same_length

    return [m.group() for m in re.finditer(r"\w+", lower_same_length(cta))]


def _best_overlap(tokens: list[str], cta: list[str]) -> float:
    """The best share of the call's words found in any window of the call's length over `tokens`."""
    n = len(cta)
    if not tokens or not n:
        return 0.0
    want = Counter(cta)
    best = 0
    for i in range(max(1, len(tokens) - n + 1)):
        best = max(best, sum((Counter(tokens[i : i + n]) & want).values()))
    return best / n


def cta_occurrences(ctx: Context, threshold: float) -> list[tuple[int, int]]:
    """Spans of the body where the call to action is written (fuzzy), in order."""
    cta = _cta_tokens(ctx)
    n = len(cta)
    if not n:
        return []
    found = _sentence_words(ctx, post_start(ctx.text), len(ctx.text))
    tokens = [w for w, _, _ in found]
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
        spans.append((found[best][1], found[min(best + n, len(found)) - 1][2]))
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
