"""The engine: run the house rules that apply to an audience and a format over a text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Sequence

from plume.lint.context import Context
from plume.lint.sources import Checker, default_checkers
from plume.lint.target import Target
from plume.lint.kinds import Compiled
from plume.lint.markdown import unsuppressed
from plume.lint.plan import LintPlan, plan_for
from plume.lint.violation import SEVERITY_RANK, LintResult, Violation

if TYPE_CHECKING:
    from plume.house import House


def compiled_rules(house: House | LintPlan) -> list[Compiled]:
    """The house's rules compiled once (kept on the House object)."""
    return (house if isinstance(house, LintPlan) else plan_for(house)).rules


def _order(v: Violation) -> tuple:
    return (v.start, v.end, SEVERITY_RANK.get(v.severity, 9), v.rule)


def lint_text(
    text: str,
    house: House | LintPlan | None = None,
    audience: str | None = None,
    format: str | None = None,
    *,
    select: set[str] | None = None,
    target: Target | None = None,
    checkers: Sequence[Checker] | None = None,
) -> LintResult:
    """Lint `text` (frontmatter allowed, never linted) for an audience and a format.

    Rules scoped to audiences or formats need the matching `audience`/`format`: with None they are
    skipped, general rules still apply. `select` restricts to some rule ids. Unknown audience or format:
    InputError. `house` may also be a LintPlan (plume.lint.plan.load_plan: what `plume lint` uses).
    `target` carries what the brief asked (call to action, words); `audience`/`format` override its own.
    `checkers`: external checkers to run after the house rules (default: `default_checkers()`; `[]`
    for the house rules only).
    """
    if house is None:
        from plume.house import load_house

        house = load_house()
    plan = house if isinstance(house, LintPlan) else plan_for(house)
    target = (target or Target()).with_(audience=audience or (target and target.audience),
                                          format=format or (target and target.format))
    audience, format = target.audience, target.format
    plan.check_scope(audience, format)
    ctx = Context(text, audience, format, target, plan)
    violations: list[Violation] = []
    contains = None
    for c in plan.rules_for(audience, format):
        if select is not None and c.rule.id not in select:
            continue
        gate = c.gate
        if gate is not None:  # a term rule: skipped, with no call, when the text has none of its needles
            if c.gate_in_text:
                if not any(map(ctx.text_contains, gate)):
                    continue
            else:
                if contains is None:
                    contains = ctx.contains
                if not any(map(contains, gate)):
                    continue
        violations.extend(c.check(c, ctx))
    ran, skipped = ["house"], {}
    for checker in default_checkers() if checkers is None else checkers:
        reason = checker.status()
        if reason is not None:
            skipped[checker.name] = reason
            continue
        ran.append(checker.name)
        found = checker.check(ctx, target)
        violations.extend(v for v in found if select is None or v.rule in select)
    violations = unsuppressed(text, ctx.start, violations)  # <!-- plume off/on/ignore --> comments
    violations.sort(key=_order)
    return LintResult(_drop_nested_fixes(violations), audience, format, ran, skipped)


def _drop_nested_fixes(violations: list[Violation]) -> list[Violation]:
    """A fixable match inside a wider fixable match ("part time" in "en part time") is the same problem:
    keep the wider, more specific one. `violations` come sorted by position and stay in that order; only
    fixable ones can cover or be dropped."""
    dropped: set[int] = set()
    cover_start, cover_end = -1, -1
    for v in sorted((v for v in violations if v.fix is not None), key=lambda v: (v.start, -v.end)):
        if cover_start <= v.start and v.end <= cover_end and (v.start, v.end) != (cover_start, cover_end):
            dropped.add(id(v))
            continue
        if v.end > cover_end:
            cover_start, cover_end = v.start, v.end
    return [v for v in violations if id(v) not in dropped] if dropped else violations
