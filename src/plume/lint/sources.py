"""The seam for checkers that are not house rules (Grammalecte today): one protocol, one list.

A checker judges the body of a text and returns Plume `Violation`s like any house rule. The engine
runs the house rules, then every checker of the list it is given (`lint_text(..., checkers=...)`);
`default_checkers()` is what `plume lint`, the writing jobs and eval use. A checker that cannot run
(not installed) says so through `status()`; the engine records it in `LintResult.skipped`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from plume.lint.context import Context
    from plume.lint.target import Target
    from plume.lint.violation import Violation


@runtime_checkable
class Checker(Protocol):
    """An external checker: `name` (recorded in results), `status()` (None when it can run, else the
    reason it cannot, one line), `check()` (the violations of the text in `ctx`)."""

    name: str

    def status(self) -> str | None: ...

    def check(self, ctx: Context, target: Target) -> list[Violation]: ...


_disabled: set[str] = set()


def disable(name: str) -> None:
    """Turn a default checker off for this process (`--no-grammar`, PLUME_NO_GRAMMAR=1)."""
    _disabled.add(name)


def default_checkers() -> Sequence[Checker]:
    """The checkers every job runs by default (those disabled in this process left out)."""
    import os

    found: list[Checker] = []
    off = set(_disabled)
    if os.environ.get("PLUME_NO_GRAMMAR", "") not in ("", "0"):
        off.add("grammalecte")  # read each time: the environment, not this process's history, decides
    try:
        from plume.lint.grammar import grammalecte_checker
    except ImportError:
        return found
    if "grammalecte" not in off:
        found.append(grammalecte_checker())
    return found
