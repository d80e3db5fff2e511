"""Pure aggregates over evaluation records: compliance, voice, length, dimensions, banned terms, cost."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from statistics import fmean
from typing import Any

from plume.evaluate.records import EvalRecord, length_error_of, sentences_of


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return fmean(values) if values else None


def share(records: list[EvalRecord], test: Callable[[EvalRecord], bool]) -> float | None:
    return _mean(1.0 if test(r) else 0.0 for r in records)


def known_share(values: Iterable[bool | None]) -> float | None:
    """Share of True among the values that are known (None left out)."""
    return _mean(1.0 if v else 0.0 for v in values if v is not None)


def _sum_known(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def ratings(records: list[EvalRecord]) -> dict[str, Any]:
    """A reader's marks (review.html): how many rated, and the share of each mark among them."""
    rated = [r.rating for r in records if r.rating]
    return {
        "rated": len(rated),
        "rated_publishable": known_share(m == "publishable" for m in rated) if rated else None,
        "rated_light_edit": known_share(m == "light-edit" for m in rated) if rated else None,
        "rated_rewrite": known_share(m == "rewrite" for m in rated) if rated else None,
    }



def sameness(records: list[EvalRecord]) -> float | None:
    """Mean share of an output's sentences that another output of the same audience and format, written
    for another brief, says word for word: 0 when each piece is its own, near 1 when pieces differ by a
    line or two. The critic judges one piece at a time and cannot see it; a reader who posts them one
    after another does. None when no audience × format has outputs of two briefs."""
    cells: dict[tuple[str, str], list[tuple[str, set[str]]]] = {}
    for r in records:
        if not r.failed and r.text:
            cells.setdefault((r.audience, r.format), []).append((r.brief, sentences_of(r.text)))
    shares: list[float] = []
    for outputs in cells.values():
        if len({brief for brief, _ in outputs}) < 2:
            continue
        briefs_saying: dict[str, set[str]] = {}
        for brief, said in outputs:
            for sentence in said:
                briefs_saying.setdefault(sentence, set()).add(brief)
        shares += [sum(len(briefs_saying[s]) > 1 for s in said) / len(said) for _, said in outputs if said]
    return _mean(shares)


def summarize(records: list[EvalRecord], dimensions: int = 3) -> dict[str, Any]:
    """The metrics of one group of outputs. Failed outputs count in `failed` and nowhere else."""
    ok = [r for r in records if not r.failed]
    landing = [r for r in ok if r.format == "landing"]
    sized = [r for r in ok if r.requested_words]
    calls = [r.model_calls if r.model_calls is not None else r.attempts for r in ok]
    return {
        "n": len(records),
        "failed": len(records) - len(ok),
        # the headline: the whole critic (failed outputs count as not publishable)
        "publishable_first": known_share(r.publishable_first for r in records),
        "publishable": known_share(r.publishable for r in records),
        "first_pass_unjudged": sum(1 for r in records if r.publishable_first is None),
        "first_pass_compliance": share(ok, lambda r: r.first_pass_ok),
        "compliance": share(ok, lambda r: r.final_ok),
        "mean_attempts": _mean(r.attempts for r in ok),
        "voice": _mean(r.voice for r in ok if r.voice is not None),
        "voice_max": _mean(r.voice_max for r in ok if r.voice_max is not None),
        "length_error": _mean(length_error_of(r) for r in sized),
        "length_ratio": _mean(r.words / r.requested_words for r in sized),
        "dimension_coverage": share(landing, lambda r: len(set(r.dimensions)) >= dimensions),
        "sameness": sameness(ok),
        "banned_per_output": _mean(r.banned_first_pass for r in ok),
        "banned_final_per_output": _mean(r.banned_final for r in ok),
        "prompt_tokens": sum(r.prompt_tokens for r in records),
        "completion_tokens": sum(r.completion_tokens for r in records),
        "cost_usd": sum(r.cost_usd for r in records),
        "duration_s": sum(r.duration_s for r in records),
        "seconds_per_output": _mean(r.duration_s for r in ok),
        "model_calls": sum(calls),
        "calls_per_output": _mean(calls),
        "field_repairs": _sum_known(r.field_repairs for r in ok),
        "dropped_fields": _sum_known(r.dropped_fields for r in ok),
        "calls_saved": _sum_known(r.calls_saved for r in ok),
        "tokens_saved": _sum_known(r.tokens_saved for r in ok),
        **ratings(records),
    }


def _groups(records: list[EvalRecord], key: Callable[[EvalRecord], Any]) -> dict[Any, list[EvalRecord]]:
    groups: dict[Any, list[EvalRecord]] = {}
    for r in records:
        groups.setdefault(key(r), []).append(r)
    return groups


def group_summaries(records: list[EvalRecord], dimensions: int = 3) -> dict[str, Any]:
    """Per audience × format, per audience, per format and overall (groups in order of appearance)."""
    cells = _groups(records, lambda r: (r.audience, r.format))
    return {
        "by_variant": [
            {"audience": a, "format": f, **summarize(rs, dimensions)} for (a, f), rs in cells.items()
        ],
        "by_audience": {a: summarize(rs, dimensions) for a, rs in _groups(records, lambda r: r.audience).items()},
        "by_format": {f: summarize(rs, dimensions) for f, rs in _groups(records, lambda r: r.format).items()},
        "overall": summarize(records, dimensions),
    }
