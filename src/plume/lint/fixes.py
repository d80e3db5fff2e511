"""Applying fixes: safe ones only, right to left, overlapping edits skipped, a fix that brings an error\nleft out, re-lint until stable."""

from __future__ import annotations

from collections import Counter
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


def fix_pass(
    text: str, result: LintResult, lint: Callable[[str], LintResult], keep: Callable[[Violation], bool] | None = None
) -> tuple[str, LintResult, list[Violation]]:
    """One pass of safe fixes over `text` (whose lint is `result`; `lint` lints a text): (new text, its
    lint, the fixes applied). A fix that a new error no safe fix takes points at (on its replacement, or
    saying its words again nearby) is not safe there: the pass is made again without it (« chef operating officer ou directeur des
    opérations » → « directeur des opérations ou directeur des opérations », a repeated group)."""
    offered = [v for v in result.violations if keep is None or keep(v)]
    while True:
        new_text, done = apply_fixes(text, offered)
        if not done:
            return text, result, []
        new_result = lint(new_text)
        unsafe = _fixes_bringing_errors(new_text, done, result, new_result)
        if not unsafe:
            return new_text, new_result, done
        offered = [v for v in offered if all(v is not u for u in unsafe)]  # (shorter each time: bounded)


def _fixes_bringing_errors(new_text: str, done: list[Violation], before: LintResult, after: LintResult) -> list[Violation]:
    """The applied fixes (`done`, in text order) that a new error with no safe fix points at: it overlaps
    the fix's replacement in `new_text`, or says its words again in the same paragraph (a rule that has
    more errors in `after` than in `before`)."""
    more = Counter(v.rule for v in after.violations if v.severity == "error")
    more.subtract(Counter(v.rule for v in before.violations if v.severity == "error"))
    # (an error with a safe fix of its own is taken by the next pass: markup removed from « **Un COS
    # externe** » shows « COS externe », which becomes the house's title)
    fresh = [v for v in after.violations if v.severity == "error" and more[v.rule] > 0 and not (v.safe and v.fix)]
    if not fresh:
        return []
    unsafe, shift = [], 0
    for v in done:  # where each replacement stands in the new text
        start = v.start + shift
        end = start + len(v.fix)
        paragraph = new_text.rfind("\n\n", 0, start)
        words = v.fix.strip()
        if any((f.start < end and start < f.end) or (words and any(c.isalnum() for c in words) and words in f.text
                                                      and new_text.rfind("\n\n", 0, f.start) == paragraph)
               for f in fresh):
            unsafe.append(v)
        shift += len(v.fix) - (v.end - v.start)
    return unsafe


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
        text, result, done = fix_pass(text, result, lint, keep)
        if not done:
            break
        passes += 1
        applied.extend(done)
    return FixOutcome(text, applied, result, passes)
