"""The whole critic's verdict on an eval output: `plume.lint.lint_text` with the brief's `Target`.

House rules, the machine-copy defects, length and every default checker (Grammalecte when installed), as
`plume lint` would judge the piece with `--audience/--format/--cta/--words`. Eval runs it itself, on the
first answer and on the final text, so the headline does not depend on what the writing loop linted.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from plume.evaluate.records import Asked, EvalRecord

_LOCK = threading.Lock()  # one external checker process, asked one text at a time


@dataclass(frozen=True)
class Verdict:
    violations: list[dict[str, Any]]
    checkers: list[str]
    skipped: dict[str, str]


def judge(text: str, house, *, audience: str, format: str, asked: Asked, checkers: Sequence | None = None) -> Verdict:
    """Every violation the critic finds in `text` for this brief (default checkers unless given)."""
    from plume.lint import lint_text
    from plume.lint.target import Target

    target = Target(audience=audience, format=format, cta=asked.cta, words=asked.words, material=asked.material)
    with _LOCK:
        result = lint_text(text, house, target=target, checkers=checkers)
    return Verdict([v.to_dict() for v in result.violations], list(result.checkers), dict(result.skipped))


def first_text_of(record: EvalRecord) -> str | None:
    """The first answer (after the safe fixes): kept in the record, or the final text when only one
    model call was made; None for an older record whose first answer was repaired and not kept."""
    if record.first_text is not None:
        return record.first_text
    return record.text if record.attempts <= 1 else None


def judged(record: EvalRecord, house, checkers: Sequence | None = None) -> EvalRecord:
    """A copy of the record with the critic's verdict on its first answer and on its final text."""
    if record.failed:
        return record
    asked = record.asked or Asked(words=record.requested_words)
    kw = dict(audience=record.audience, format=record.format, asked=asked, checkers=checkers)
    final = judge(record.text, house, **kw)
    first_text = first_text_of(record)
    if first_text is None:
        first = None
    elif first_text == record.text:
        first = final
    else:
        first = judge(first_text, house, **kw)
    return record.model_copy(update={
        "critic_final": final.violations,
        "critic_first": None if first is None else first.violations,
        "critic_checkers": final.checkers,
        "critic_skipped": final.skipped,
    })
