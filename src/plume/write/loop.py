"""The lint-in-the-loop pipeline, written once without I/O and driven sync or async.

A job is a generator: it yields a `Call` (messages and options for the model), receives the backend's
`Completion`, and returns a `WriteResult`. `drive` runs it with `backend.complete` (or `stream` for the
first call), `adrive` with `await backend.acomplete`, so generate, rewrite and variants share one loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from plume.write.result import WriteResult

BLOCKING = ("error", "warning")
MAX_QUOTED = 8  # violations quoted in one repair prompt (the prompt budget is short)


@dataclass
class Call:
    messages: list[dict[str, str]]
    max_tokens: int
    schema: type | None = None
    temperature: float = 0.7
    meta: dict[str, Any] = field(default_factory=dict)

    def kwargs(self) -> dict[str, Any]:
        return {"max_tokens": self.max_tokens, "temperature": self.temperature, "schema": self.schema, "meta": self.meta}


Job = Generator[Call, Any, WriteResult]


@dataclass
class Unusable:
    """An answer that could not be read as the schema asked (broken or cut JSON): worth asking again."""

    error: Exception
    text: str = ""
    usage: Any = None
    history_id: Any = None


def unusable(exc: Exception) -> bool:
    """A BackendError caused by the answer's shape (not by the server): pydantic or length errors."""
    cause = exc.__cause__
    return cause is not None and type(cause).__name__ in ("ValidationError", "LengthFinishReasonError",
                                                           "ContentFilterFinishReasonError", "JSONDecodeError")


@dataclass
class Pass:
    """One model answer after the deterministic fixes, and its lint."""

    text: str
    lint: Any
    parsed: Any = None

    @property
    def score(self) -> tuple[int, int]:
        return (self.lint.errors, self.lint.warnings)


def lint(text: str, house, audience: str, format: str | None):
    from plume.lint import lint_text

    return lint_text(text, house=house, audience=audience, format=format)


def fix(text: str, house, audience: str, format: str | None, rounds: int = 3) -> tuple[str, Any]:
    """Apply the safe fixes until nothing changes; the text and its final lint."""
    from plume.lint import apply_fixes

    result = lint(text, house, audience, format)
    for _ in range(rounds):
        fixed, applied = apply_fixes(text, result.violations)
        if not applied or fixed == text:
            break
        text = fixed
        result = lint(text, house, audience, format)
    return text, result


def blocking(violations) -> list:
    return [v for v in violations if v.severity in BLOCKING][:MAX_QUOTED]


def as_dicts(violations) -> list[dict[str, Any]]:
    return [v.to_dict() if hasattr(v, "to_dict") else dict(v) for v in violations]


def lint_summary(result) -> dict[str, Any]:
    return {
        "errors": result.errors,
        "warnings": result.warnings,
        "clean": result.clean,
        "rules": sorted({v.rule for v in result.violations if v.severity in BLOCKING}),
    }


def record_lint(history_id: Any, result) -> None:
    """Attach the lint result to the history row of the call, when history is available."""
    if history_id is None:
        return
    try:
        from plume.history import set_lint
    except ImportError:
        return
    try:
        set_lint(history_id, lint_summary(result))
    except Exception:  # the log is a convenience; never lose the copy over it
        pass


class Tally:
    """Usage, cost, time and history ids over the calls of one job."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.prompt_tokens = self.completion_tokens = 0
        self.cost_usd = 0.0
        self.history_ids: list[Any] = []
        self.model: str | None = None
        self.backend: str | None = None

    def add(self, c) -> None:
        usage = getattr(c, "usage", None)
        self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
        self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)
        self.cost_usd += float(getattr(c, "cost_usd", 0.0) or 0.0)
        self.model = getattr(c, "model", None) or self.model
        self.backend = getattr(c, "backend", None) or self.backend
        if getattr(c, "history_id", None) is not None:
            self.history_ids.append(c.history_id)

    def fields(self) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "duration_s": round(time.perf_counter() - self.start, 3),
            "model": self.model,
            "backend": self.backend,
            "history_ids": self.history_ids,
        }


def lint_loop(
    first: Call,
    *,
    read: Callable[[Any], tuple[str, Any] | None],
    repair_call: Callable[[str, list], Call],
    house,
    audience: str,
    format: str | None,
    attempts: int,
    repair: bool,
    finish: Callable[[Pass], str] = lambda p: p.text,
    **result_fields: Any,
) -> Job:
    """Ask, fix, lint; while error/warning violations remain and attempts are left, ask for a repair.

    `read(completion)` gives (text, parsed) or None when the answer is unusable (broken JSON): the same
    call is then made again, as one of the attempts. The best pass (fewest errors, then warnings) wins.
    """
    tally = Tally()
    attempts = max(1, attempts)
    call, made = first, 0
    best: Pass | None = None
    first_pass: list = []
    while made < attempts:
        completion = yield call
        made += 1
        tally.add(completion)
        if isinstance(completion, Unusable):
            if made < attempts:
                continue
            if best is None:
                raise completion.error
            break
        got = read(completion)
        if got is None:
            if made < attempts:
                continue
            if best is not None:
                break
            got = (getattr(completion, "text", "") or "", None)
        text, lint_result = fix(got[0], house, audience, format)
        record_lint(getattr(completion, "history_id", None), lint_result)
        current = Pass(text, lint_result, got[1])
        if best is None:
            first_pass = as_dicts(lint_result.violations)
        if best is None or current.score < best.score:
            best = current
        if best.lint.clean or not repair or made >= attempts:
            break
        call = repair_call(best.text, blocking(best.lint.violations))
    assert best is not None
    return WriteResult(
        text=finish(best),
        audience=audience,
        format=format,
        violations=as_dicts(best.lint.violations),
        first_pass_violations=first_pass,
        attempts=made,
        errors=best.lint.errors,
        warnings=best.lint.warnings,
        **tally.fields(),
        **result_fields,
        **_parsed_fields(best.parsed),
    )


def _parsed_fields(parsed) -> dict[str, Any]:
    from plume.write.schemas import LandingCopy, LinkedInPost

    if isinstance(parsed, LandingCopy):
        return {"landing": parsed}
    if isinstance(parsed, LinkedInPost):
        return {"post": parsed}
    return {}


def drive(job: Job, backend, on_delta: Callable[[str], None] | None = None) -> WriteResult:
    """Run a job with the synchronous backend; `on_delta` streams the first answer as it comes."""
    call = next(job)
    streaming = on_delta is not None
    while True:
        if streaming:
            completion = _stream(backend, call, on_delta)
            streaming = False
        else:
            completion = _call(backend.complete, call)
        try:
            call = job.send(completion)
        except StopIteration as stop:
            return stop.value


async def adrive(job: Job, backend) -> WriteResult:
    """Run a job with the asynchronous backend."""
    call = next(job)
    while True:
        try:
            completion = await backend.acomplete(call.messages, **call.kwargs())
        except Exception as exc:
            if call.schema is None or not unusable(exc):
                raise
            completion = Unusable(exc)
        try:
            call = job.send(completion)
        except StopIteration as stop:
            return stop.value


def _call(complete, call: Call):
    try:
        return complete(call.messages, **call.kwargs())
    except Exception as exc:
        if call.schema is None or not unusable(exc):
            raise
        return Unusable(exc)


def _stream(backend, call: Call, on_delta: Callable[[str], None]):
    def complete(messages, **kw):
        stream = backend.stream(messages, **kw)
        for piece in stream:
            on_delta(piece)
        return stream.last

    return _call(complete, call)
