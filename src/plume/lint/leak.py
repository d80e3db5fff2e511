"""The prompt-leak rule kind: runs of words copied from the prompt's instructions into the copy.

The instructions are the Target's (`instructions`: what a writing job sent) plus the house's own
instructions to the writer for the audience and format (the plan's `instructions_for`). A run that is
also in the author's material (the house file's offers, pains, dimensions…, the notes of the corpus
folder, the Target's `material` such as the brief's facts, its call to action) is the author's
wording, welcome in the copy, and is not reported.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from plume.lint.context import Context
from plume.lint.patterns import lower_same_length
from plume.lint.violation import Violation

_TOKEN = re.compile(r"(?<![#\w])\w+")  # as plume.lint.segments tokenises the copy


def _words(text: str) -> list[str]:
    return _TOKEN.findall(lower_same_length(text))


@lru_cache(maxsize=64)
def _grams(texts: tuple[str, ...], k: int) -> frozenset[tuple[str, ...]]:
    """The k-word runs of the texts."""
    found: set[tuple[str, ...]] = set()
    for text in texts:
        w = _words(text)
        found.update(zip(*(w[j:] for j in range(k))))
    return frozenset(found)


@lru_cache(maxsize=64)
def _vocabulary(grams: frozenset[tuple[str, ...]]) -> frozenset[str]:
    """The words of the runs."""
    return frozenset(w for g in grams for w in g)


@lru_cache(maxsize=8)
def _stretch(k: int) -> re.Pattern[bytes]:
    return re.compile(rb"\x01{%d,}" % k)


def _corpus_texts() -> tuple[str, ...]:
    """The notes of the house folder's corpus (raw text), cached while the files are unchanged (their
    names, sizes and modification times: one directory listing, no file read)."""
    try:
        with os.scandir(_corpus_folder(*_where())) as entries:
            key = tuple(sorted((e.path, e.stat().st_mtime_ns, e.stat().st_size)
                               for e in entries if e.name.endswith(".md") and e.is_file()))
    except OSError:  # no corpus folder, or one that cannot be listed
        return ()
    return _read_corpus(key)


def _where() -> tuple[str, str | None, int | None]:
    """What the corpus folder depends on, cheaply: the working folder, $PLUME_HOUSE_DIR and the
    modification time of its plume.toml (a parent folder's plume.toml is read once per process)."""
    cwd = os.getcwd()
    try:
        mtime = os.stat(os.path.join(cwd, "plume.toml")).st_mtime_ns
    except OSError:
        mtime = None
    return cwd, os.environ.get("PLUME_HOUSE_DIR"), mtime


@lru_cache(maxsize=8)
def _corpus_folder(cwd: str, house_dir: str | None, config_mtime: int | None) -> str:
    """plume.paths.corpus_dir (which looks for plume.toml up the folders: ~0.13 ms) once per place."""
    from plume.paths import corpus_dir

    return str(corpus_dir())


@lru_cache(maxsize=4)
def _read_corpus(key: tuple[tuple[str, int, int], ...]) -> tuple[str, ...]:
    texts = []
    for name, _, _ in key:
        try:
            texts.append(Path(name).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    return tuple(texts)


def _inside_blocks(ctx: Context, starts: list[int], k: int) -> list[int]:
    """The word indices among `starts` whose k-word run stays inside one heading, list item or paragraph."""
    if not starts:
        return []
    tokens = ctx.tokens
    ranges = [tokens.between(block.start, block.end) for block in ctx.blocks]
    los = [lo for lo, _ in ranges]
    kept = []
    for i in starts:
        b = bisect_right(los, i) - 1
        if b >= 0 and i + k <= ranges[b][1]:
            kept.append(i)
    return kept


def _leak(c: Any, ctx: Context) -> Iterator[Violation]:
    rule, k = c.rule, c.rule.min_words
    plan, target = ctx.plan, ctx.target
    sources = ([target.instructions] if target.instructions else []) + (
        plan.instructions_for(ctx.audience, ctx.format) if plan is not None else []
    )
    if not sources:
        return
    told = _grams(tuple(sources), k)
    tokens = ctx.tokens
    words = tokens.words
    # a told run is made of words the instructions use: the stretches of k such words or more (found
    # in C, a byte per word; most texts have none) hold every candidate, each looked up
    used = bytes(map(_vocabulary(told).__contains__, words))
    found = [i for m in _stretch(k).finditer(used) for i in range(m.start(), m.end() - k + 1)
             if tuple(words[i : i + k]) in told]
    hits = _inside_blocks(ctx, found, k)
    if not hits:
        return
    # the author's wording: the house's and the brief's first, the corpus notes (files) only if still needed
    own = (*(plan.material if plan is not None else ()), *(t for t in (target.material, target.cta) if t))
    for texts in (own, _corpus_texts()):
        if hits:
            allowed = _grams(texts, k)
            hits = [i for i in hits if tuple(words[i : i + k]) not in allowed]
    run_start = prev = None
    for i in [*hits, None]:
        if i is not None and prev is not None and i == prev + 1:
            prev = i
            continue
        if run_start is not None:
            last = prev + k - 1
            yield ctx.violation(rule, tokens.starts[run_start], tokens.ends[last], count=last - run_start + 1)
        run_start = prev = i
