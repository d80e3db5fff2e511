"""Applying fixes: safe ones only, right to left, overlapping edits skipped, re-lint until stable."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from plume.lint.engine import lint_text
from plume.lint.plan import LintPlan
from plume.lint.target import Target
from plume.lint.violation import LintResult, Violation

if TYPE_CHECKING:
    from plume.house import House

MAX_PASSES = 10


def apply_fixes(text: str, violations: Iterable[Violation]) -> tuple[str, list[Violation]]:
    """Apply the safe fixes of `violations` to `text`; returns (new text, violations applied).

    Only text inside a violation's span changes. A fix is skipped when it overlaps one already applied,
    when the span no longer holds the violation's text, or when it would change nothing.
    """
    candidates = sorted(
        (v for v in violations if v.safe and v.fix is not None and v.fix != v.text and text[v.start : v.end] == v.text),
        key=lambda v: (v.start, v.end),
        reverse=True,
    )
    pieces: list[str] = []
    applied: list[Violation] = []
    limit = len(text)
    for v in candidates:
        if v.end > limit or (applied and v.start == v.end == limit):
            continue
        pieces.append(text[v.end : limit])
        pieces.append(v.fix)
        limit = v.start
        applied.append(v)
    if not applied:
        return text, []
    pieces.append(text[:limit])
    applied.reverse()
    return "".join(reversed(pieces)), applied


@dataclass(slots=True)
class FixOutcome:
    """The fixed text, every fix applied (over all passes) and the lint result of the fixed text."""

    text: str
    applied: list[Violation] = field(default_factory=list)
    result: LintResult = field(default_factory=LintResult)
    passes: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def fix_text(
    text: str,
    house: House | LintPlan | None = None,
    audience: str | None = None,
    format: str | None = None,
    *,
    max_passes: int = MAX_PASSES,
    target: Target | None = None,
    select: set[str] | None = None,
    keep: Callable[[Violation], bool] | None = None,
    checkers: Sequence | None = None,
) -> FixOutcome:
    """Lint, apply safe fixes, lint again… until nothing more applies (at most `max_passes` passes).
    `target` (what the brief asked), `select` and `checkers` go to every lint_text; only the violations `keep` accepts are fixed (plume lint's
    --select/--ignore/--min-severity)."""
    if house is None:
        from plume.house import load_house

        house = load_house()
    applied: list[Violation] = []

    def lint(text: str) -> LintResult:
        return lint_text(text, house, audience, format, select=select, target=target, checkers=checkers)

    result = lint(text)
    passes = 0
    while passes < max_passes:
        new_text, done = apply_fixes(text, result.violations if keep is None else filter(keep, result.violations))
        if not done:
            break
        passes += 1
        applied.extend(done)
        text = new_text
        result = lint(text)
    return FixOutcome(text, applied, result, passes)
