"""Violations as marks: the body cut into flat segments, each knowing which violations cover it."""

from __future__ import annotations

from typing import Any

SEVERITY_ORDER = {"error": 0, "warning": 1, "suggestion": 2}


def _get(v: Any, name: str) -> Any:
    return v[name] if isinstance(v, dict) else getattr(v, name)


def segments(text: str, violations: list[Any], offset: int = 0) -> list[dict[str, Any]]:
    """Cut `text` (which starts at `offset` in the linted file) at every violation boundary.

    Returns dicts {text, violations, anchors, severity, point}: `violations` covering the segment,
    `anchors` starting at it, `point` for a zero-width violation (an empty mark at that place).
    Violations outside `text` (e.g. in the frontmatter) are left out; overlapping ones share segments.
    """
    end_of_text = offset + len(text)
    spans = []
    for i, v in enumerate(violations):
        start, end = _get(v, "start"), _get(v, "end")
        if start < offset or start > end_of_text:
            continue
        spans.append((i, start - offset, min(end, end_of_text) - offset))
    cuts = sorted({0, len(text)} | {s for _, s, _ in spans} | {e for _, _, e in spans})
    out: list[dict[str, Any]] = []
    for a, b in zip(cuts, cuts[1:] + [None]):
        for i, s, e in spans:  # zero-width violations at this cut
            if s == e == a:
                out.append(_segment("", [i], [i], violations, point=True))
        if b is None:
            break
        covering = [i for i, s, e in spans if s <= a and b <= e and s < e]
        starting = [i for i, s, e in spans if s == a and s < e]
        out.append(_segment(text[a:b], covering, starting, violations))
    return out


def _segment(text: str, covering: list[int], anchors: list[int], violations: list[Any], point: bool = False):
    levels = [_get(violations[i], "severity") for i in covering]
    severity = min(levels, key=lambda s: SEVERITY_ORDER.get(s, 9)) if levels else None
    titles = [f"{_get(violations[i], 'rule')} : {_get(violations[i], 'message')}" for i in covering]
    return {
        "text": text,
        "violations": covering,
        "anchors": anchors,
        "severity": severity,
        "point": point,
        "title": "\n".join(titles),
        "rules": " ".join(_get(violations[i], "rule") for i in covering),
    }
