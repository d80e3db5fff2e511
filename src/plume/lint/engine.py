"""The engine: run the house rules that apply to an audience and a format over a text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plume.lint.context import Context
from plume.lint.kinds import Compiled
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
) -> LintResult:
    """Lint `text` (frontmatter allowed, never linted) for an audience and a format.

    Rules scoped to audiences or formats need the matching `audience`/`format`: with None they are
    skipped, general rules still apply. `select` restricts to some rule ids. Unknown audience or format:
    InputError. `house` may also be a LintPlan (plume.lint.plan.load_plan: what `plume lint` uses).
    """
    if house is None:
        from plume.house import load_house

        house = load_house()
    plan = house if isinstance(house, LintPlan) else plan_for(house)
    plan.check_scope(audience, format)
    ctx = Context(text, audience, format)
    violations: list[Violation] = []
    for c in plan.rules:
        rule = c.rule
        if (select is not None and rule.id not in select) or not rule.applies(audience, format):
            continue
        violations.extend(c.check(c, ctx))
    violations.sort(key=_order)
    return LintResult(_drop_nested_fixes(violations), audience, format)


def _drop_nested_fixes(violations: list[Violation]) -> list[Violation]:
    """A fixable match inside a wider fixable match ("part time" in "en part time") is the same problem:
    keep the wider, more specific one."""
    kept: list[Violation] = []
    cover_start, cover_end = -1, -1
    for v in sorted(violations, key=lambda v: (v.start, -v.end)):
        nested = v.fix is not None and cover_start <= v.start and v.end <= cover_end
        if nested and (v.start, v.end) != (cover_start, cover_end):
            continue
        if v.fix is not None and v.end > cover_end:
            cover_start, cover_end = v.start, v.end
        kept.append(v)
    kept.sort(key=_order)
    return kept
