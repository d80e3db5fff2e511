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

from plume.backends.base import Completion, Usage
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


Job = Generator["Call | list[Call]", Any, WriteResult]  # a list: candidates drawn concurrently


@dataclass
class Unusable:
    """An answer that could not be read as the schema asked (broken or cut JSON): worth asking again."""

    error: Exception
    text: str = ""
    usage: Usage = field(default_factory=Usage)
    history_id: int | None = None


Answer = Completion | Unusable


# llama.cpp's server answers 500 when its chat parser cannot read what the model wrote (« The model
# produced output that does not match the expected peg-native format », ggml-org/llama.cpp#26381): the
# answer's shape, not the server, failed — worth asking again like a broken JSON answer.
_PARSER_REFUSED = "does not match the expected"


def unusable(exc: Exception) -> bool:
    """A BackendError caused by the answer's shape (not by the server): pydantic or length errors, or
    llama.cpp's chat parser refusing the model's output."""
    cause = exc.__cause__
    if cause is None:
        return False
    if type(cause).__name__ == "InternalServerError" and _PARSER_REFUSED in str(cause):
        return True
    return type(cause).__name__ in ("ValidationError", "LengthFinishReasonError",
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


def fix(text: str, house, audience: str, format: str | None, target=None) -> tuple[str, Any]:
    """Apply the safe fixes until nothing changes; the text and its final lint (see write.critic)."""
    from plume.lint.target import Target
    from plume.write.critic import Critic

    return Critic(house, target or Target(audience=audience, format=format)).fix(text)


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


class Tally:
    """Usage, cost, time and history ids over the calls of one job."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.prompt_tokens = self.completion_tokens = 0
        self.cost_usd = 0.0
        self.history_ids: list[Any] = []
        self.model: str | None = None
        self.backend: str | None = None
        self.calls = 0

    def add(self, c: Answer) -> None:
        self.calls += 1
        self.prompt_tokens += c.usage.prompt_tokens
        self.completion_tokens += c.usage.completion_tokens
        if isinstance(c, Completion):
            self.cost_usd += c.cost_usd
            self.model = c.model or self.model
            self.backend = c.backend or self.backend
        if c.history_id is not None:
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
    candidates: int = 1,
    target=None,
    words: int | None = None,
    corpus=None,
    fallback: str | None = None,
    fallback_first: bool = False,
    **result_fields: Any,
) -> Job:
    """Ask (`candidates` answers at once), fix, lint; the best candidate wins; while error/warning
    violations remain and attempts are left, ask for a repair of the best.

    `fallback`: a text judged beside the answers at the end (a rewrite's draft with the safe fixes): it
    wins with fewer errors, or as many and fewer warnings, than every answer, so the model never leaves
    a piece worse than no model would; `fallback_first`: it also wins a tie (the embedded default, whose
    answers as clean as the draft still copy the prompt's headers).

    `read(completion)` gives (text, parsed) or None when the answer is unusable (broken JSON): the same
    call is then made again, as one of the attempts. The best pass (fewest errors, then warnings, then
    length deviation, then voice) wins.
    """
    from plume.lint.target import Target
    from plume.write.candidates import Candidate, choose, record, score_voice
    from plume.write.critic import Critic

    critic = Critic(house, target or Target(audience=audience, format=format, words=words))
    tally = Tally()
    attempts = max(1, attempts)
    call: Call | list[Call] = [first] * candidates if candidates > 1 else first
    made = 0
    best: Pass | None = None
    first_pass: list = []
    pool: list[Candidate] = []
    passes: list[Pass] = []
    while made < attempts:
        answers = yield call
        answers = answers if isinstance(answers, list) else [answers]
        made += 1
        origin = "model" if made == 1 else "whole"
        got_any = False
        for completion in answers:
            tally.add(completion)
            if isinstance(completion, Unusable):
                continue
            got = read(completion)
            if got is None:
                continue
            got_any = True
            text, lint_result = critic.fix(got[0])
            current = Pass(text, lint_result, got[1])
            passes.append(current)
            pool.append(Candidate(text=text, draft=got[0], errors=lint_result.errors, warnings=lint_result.warnings,
                                  words=_words(text), requested_words=critic.target.words,
                                  rules=sorted({v.rule for v in lint_result.violations if v.severity in BLOCKING}),
                                  origin=origin, history_id=completion.history_id,
                                  violations=as_dicts(lint_result.violations)))
            if not first_pass and made == 1:
                first_pass = as_dicts(lint_result.violations)
        if not got_any:
            if made < attempts:
                call = first if best is None else call
                continue
            if best is None:
                last = answers[-1]
                if isinstance(last, Unusable):
                    raise last.error
                text = last.text or ""
                text, lint_result = critic.fix(text)
                passes.append(Pass(text, lint_result, None))
                pool.append(Candidate(text=text, draft=last.text or "", errors=lint_result.errors,
                                      warnings=lint_result.warnings, words=_words(text),
                                      requested_words=critic.target.words, origin=origin,
                                      violations=as_dicts(lint_result.violations)))
                first_pass = first_pass or as_dicts(lint_result.violations)
            break
        if len(pool) > 1:
            score_voice(pool, corpus)
        winner, _ = choose(pool)
        best = passes[pool.index(winner)]
        if best.lint.clean or not repair or made >= attempts:
            break
        call = repair_call(best.text, blocking(best.lint.violations))
    assert best is not None or passes
    if best is None:
        best = passes[-1]
    if fallback is not None:
        text, lint_result = critic.fix(fallback)
        passes.append(Pass(text, lint_result, None))
        pool.append(Candidate(text=text, draft=fallback, errors=lint_result.errors, warnings=lint_result.warnings,
                              words=_words(text), requested_words=critic.target.words,
                              rules=sorted({v.rule for v in lint_result.violations if v.severity in BLOCKING}),
                              origin="draft", violations=as_dicts(lint_result.violations)))
    winner, why = choose(pool, author_first=fallback_first and fallback is not None)
    best = passes[pool.index(winner)]
    record(pool, winner, why)
    return WriteResult(
        text=finish(best),
        audience=audience,
        format=format,
        violations=as_dicts(best.lint.violations),
        first_pass_violations=first_pass,
        attempts=made,
        errors=best.lint.errors,
        warnings=best.lint.warnings,
        candidates=pool,
        winner=pool.index(winner),
        winner_reason=why,
        model_calls=tally.calls,
        lints=critic.lints,
        **tally.fields(),
        **result_fields,
        **_parsed_fields(best.parsed),
    )


def _words(text: str) -> int:
    from plume.markdown import count_words

    return count_words(text)


def _parsed_fields(parsed) -> dict[str, Any]:
    from plume.write.schemas import LandingCopy, LinkedInPost

    if isinstance(parsed, LandingCopy):
        return {"landing": parsed}
    if isinstance(parsed, LinkedInPost):
        return {"post": parsed}
    return {}


OnCall = Callable[[int, "Call | list[Call]"], None]  # (the request's number from 1, its call or batch)


def drive(job: Job, backend, on_delta: Callable[[str], None] | None = None, on_call: OnCall | None = None) -> WriteResult:
    """Run a job with the synchronous backend; a batch of calls runs concurrently (threads); `on_delta`
    streams the first answer as it comes; `on_call` hears of each request before it is sent (progress)."""
    done, call = _start(job)
    if done:  # the job needed no model call
        return call
    streaming = on_delta is not None
    sent = 0
    while True:
        sent += 1
        if on_call is not None:
            on_call(sent, call)
        if isinstance(call, list):
            answer: Any = _batch(backend, call, on_delta if streaming else None)
        elif streaming:
            answer = _stream(backend, call, on_delta)
        else:
            answer = _call(backend.complete, call)
        streaming = False
        try:
            call = job.send(answer)
        except StopIteration as stop:
            return stop.value


def _batch(backend, calls: list[Call], on_delta) -> list[Answer]:
    from concurrent.futures import ThreadPoolExecutor

    def one(call: Call, stream: bool) -> Answer | BaseException:
        try:
            return _stream(backend, call, on_delta) if stream else _call(backend.complete, call)
        except Exception as exc:  # one failed candidate does not sink the others
            return exc

    if len(calls) == 1:
        return _survivors([one(calls[0], on_delta is not None)])
    if on_delta is None and _one_request(backend, calls):  # n answers to one prompt: processed once
        return list(backend.complete_n(calls[0].messages, len(calls), **calls[0].kwargs()))
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        rest = [pool.submit(one, c, False) for c in calls[1:]]
        head = one(calls[0], on_delta is not None)
        return _survivors([head, *(f.result() for f in rest)])


def _one_request(backend, calls: list[Call]) -> bool:
    """The same call N times, to a backend that answers `n` in one request (the embedded model: parallel
    slots, the prompt computed once; OpenAI)."""
    first = calls[0]
    return bool(getattr(backend, "supports_n", False)) and all(
        c.messages == first.messages and c.max_tokens == first.max_tokens and c.schema is first.schema
        and c.temperature == first.temperature for c in calls[1:])  # meta (the candidate's number) may differ


def _survivors(answers: list) -> list[Answer]:
    """The batch's answers, a failed request standing as an unusable answer; all failed: the first error."""
    errors = [a for a in answers if isinstance(a, BaseException)]
    if len(errors) == len(answers):
        raise errors[0]
    return [Unusable(a) if isinstance(a, BaseException) else a for a in answers]


async def adrive(job: Job, backend) -> WriteResult:
    """Run a job with the asynchronous backend: a batch of calls as concurrent requests; the job's own
    steps (the critic: Grammalecte is a process) run in a thread, off the event loop."""
    import asyncio

    done, call = await asyncio.to_thread(_start, job)
    if done:  # the job needed no model call
        return call
    while True:
        if isinstance(call, list) and len(call) > 1 and _one_request(backend, call):
            answer: Any = list(await backend.acomplete_n(call[0].messages, len(call), **call[0].kwargs()))
        elif isinstance(call, list):
            answer = _survivors(list(await asyncio.gather(*(_acall(backend, c) for c in call),
                                                               return_exceptions=True)))
        else:
            answer = await _acall(backend, call)
        done, value = await asyncio.to_thread(_step, job, answer)
        if done:
            return value
        call = value


def _start(job: Job) -> tuple[bool, Any]:
    """The job's first batch of calls, or (True, its result) when it needs none."""
    try:
        return False, next(job)
    except StopIteration as stop:
        return True, stop.value


def _step(job: Job, answer) -> tuple[bool, Any]:
    try:
        return False, job.send(answer)
    except StopIteration as stop:  # cannot cross a thread's future as is
        return True, stop.value


async def _acall(backend, call: Call) -> Answer:
    try:
        return await backend.acomplete(call.messages, **call.kwargs())
    except Exception as exc:
        if call.schema is None or not unusable(exc):
            raise
        return Unusable(exc)


def _call(complete, call: Call) -> Answer:
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
