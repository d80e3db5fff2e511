"""Run the evaluation: every brief × audience × format through `plume.write`'s generate job, concurrently.

Each finished output is written at once (DIR/outputs/<brief>-<audience>-<format>.md + .json), so a run
stopped half-way resumes where it left off; the report is computed from the records at the end.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plume.errors import InputError
from plume.evaluate.briefs import EvalBrief
from plume.evaluate.critic import judged
from plume.evaluate.records import (
    Asked,
    EvalRecord,
    banned_hits,
    banned_rule_ids,
    count_words,
    dimensions_named,
)
from plume.evaluate.store import OUTPUTS, prepare_out, read_record, write_output

if TYPE_CHECKING:
    from plume.write.candidates import Candidate

SETTINGS = "run.json"
FIRST_ORIGINS = ("model", "fallback")  # candidates before any repair (plume.write.candidates.Candidate.origin)


@dataclass(frozen=True)
class Task:
    brief: EvalBrief
    audience: str
    format: str

    @property
    def id(self) -> str:
        return f"{self.brief.id}-{self.audience}-{self.format}"


def plan(briefs: list[EvalBrief], audiences: list[str], formats: list[str]) -> list[Task]:
    """Brief-major order: a run stopped part-way has whole briefs done, so `--limit` can cut it there."""
    return [Task(b, a, f) for b in briefs for a in audiences for f in formats]


def to_record(task: Task, result, *, requested: int | None, dimensions: list[str], banned: set[str],
              raw_first: list[dict] | None = None, first_text: str | None = None) -> EvalRecord:
    """A WriteResult as an evaluation record; `raw_first` is the lint of the first answer before fixes,
    `first_text` that answer after the safe fixes (the final text when no repair was asked)."""
    first_pass = list(result.first_pass_violations)
    return EvalRecord(
        brief=task.brief.id,
        audience=task.audience,
        format=task.format,
        status="clean" if result.clean else "violations",
        text=result.text,
        requested_words=requested,
        words=count_words(result.text),
        first_pass=first_pass,
        violations=list(result.violations),
        attempts=result.attempts,
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        cost_usd=result.cost_usd,
        duration_s=result.duration_s,
        model=result.model or "",
        backend=result.backend or "",
        dimensions=dimensions_named(result.text, dimensions),
        banned_first_pass=banned_hits(raw_first if raw_first is not None else first_pass, banned),
        banned_final=banned_hits(list(result.violations), banned),
        asked=Asked.of(task.brief, requested),
        first_text=first_text if first_text is not None else (result.text if result.attempts <= 1 else None),
    )


def first_pass(result) -> Candidate | None:
    """What the writer had before any repair: the best of its first answers (and, composing, of the author's
    material alone), chosen as the writer chooses. None when no answer was usable."""
    from plume.write.candidates import choose

    first = [c for c in result.candidates if c.origin in FIRST_ORIGINS]
    return choose(first)[0] if first else None


def _first_answer(task: Task, house, result) -> tuple[list[dict] | None, str | None]:
    """The first pass: its house-rule lint as drawn (before the safe fixes) and its text after them."""
    from plume.lint import lint_text

    first = first_pass(result)
    if first is None:
        return None, None
    raw = lint_text(first.draft, house=house, audience=task.audience, format=task.format, checkers=[])
    return [v.to_dict() for v in raw.violations], first.text


def writer_fields(result, candidates: int | None) -> dict[str, Any]:
    """How the writer worked, from its WriteResult: strategy, N asked, calls, what targeted repair saved
    (a failing field dropped costs no call; `tokens_saved` is the writer's own estimate)."""
    from plume.write.generate import DEFAULT_CANDIDATES

    return {
        "strategy": result.strategy,
        "candidates": candidates or DEFAULT_CANDIDATES.get(result.strategy),
        "model_calls": result.model_calls,
        "field_repairs": result.field_repairs,
        "dropped_fields": result.dropped_fields,
        "calls_saved": result.dropped_fields,
        "tokens_saved": result.tokens_saved,
    }


async def _one(task: Task, *, backend, house, corpus, attempts: int, repair: bool, strategy: str | None = None,
               candidates: int | None = None) -> EvalRecord:
    from plume.write.schemas import Brief
    from plume.write.generate import generate_job
    from plume.write.loop import adrive, drive

    requested = task.brief.words_for(task.format, house.format(task.format).default_words)
    brief = Brief(topic=task.brief.topic, angle=task.brief.angle, words=requested, facts=task.brief.facts,
                  cta=task.brief.cta)
    job = generate_job(brief, task.audience, task.format, house=house, corpus=corpus, backend=backend,
                       attempts=attempts, repair=repair, command="eval", strategy=strategy, candidates=candidates)
    if getattr(backend, "supports_async", False):
        result = await adrive(job, backend)
    else:
        result = await asyncio.to_thread(drive, job, backend)
    raw_first, first_text = await asyncio.to_thread(_first_answer, task, house, result)
    record = to_record(task, result, requested=requested, dimensions=[d.name for d in house.dimensions],
                       banned=banned_rule_ids(house), raw_first=raw_first,
                       first_text=result.text if result.attempts <= 1 else first_text)
    record = record.model_copy(update=writer_fields(result, candidates))
    return await asyncio.to_thread(judged, record, house)  # the whole critic, off the event loop


def _failed(task: Task, exc: BaseException, requested: int | None) -> EvalRecord:
    return EvalRecord(brief=task.brief.id, audience=task.audience, format=task.format, status="failed",
                      requested_words=requested, error=str(exc) or type(exc).__name__)


async def _run_all(tasks: list[Task], *, out: Path, concurrency: int, on_record, **kwargs) -> list[EvalRecord]:
    semaphore = asyncio.Semaphore(max(1, concurrency))
    house = kwargs["house"]

    async def guarded(task: Task) -> EvalRecord:
        async with semaphore:
            try:
                record = await _one(task, **kwargs)
            except Exception as exc:  # one failed output must not stop the others
                record = _failed(task, exc, task.brief.words_for(task.format, house.format(task.format).default_words))
        write_output(out, record)
        if on_record:
            on_record(record)
        return record

    try:
        return list(await asyncio.gather(*(guarded(t) for t in tasks)))
    finally:
        await kwargs["backend"].aclose()  # the async client belongs to this loop


RESUME_KEYS = ("model", "base_url", "repair", "attempts", "strategy", "candidates")


def _check_settings(out: Path, settings: dict[str, Any], planned: list[str]) -> None:
    """A folder holds one kind of run: refuse to resume with another model, repair or writer setting.
    run.json also keeps the whole settings and the planned outputs, so a run still going (or stopped)
    can be reported on with `--rescore` (the plan is the latest invocation's: `--limit` may widen or
    narrow it on a resume)."""
    path = out / SETTINGS
    keys = RESUME_KEYS
    if path.is_file():
        try:
            before = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            raise InputError(f"{path}: not valid JSON; remove it or choose another --out") from None
        diff = [k for k in keys if before.get(k) != settings.get(k)]
        if diff:
            was = ", ".join(f"{k}={before.get(k)!r}" for k in diff)
            raise InputError(f"{out}: holds a run with other settings ({was}); choose another --out")
    from plume.files import write_atomic

    data = {**{k: settings.get(k) for k in keys}, "settings": settings, "planned": planned}
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def run_eval(
    briefs: list[EvalBrief],
    *,
    out: Path,
    backend,
    audiences: list[str] | None = None,
    formats: list[str] | None = None,
    concurrency: int = 1,
    repair: bool = True,
    attempts: int = 3,
    house=None,
    corpus=None,
    voice=None,
    settings: dict[str, Any] | None = None,
    on_record: Callable[[EvalRecord], None] | None = None,
    chart: bool = True,
    strategy: str | None = None,
    candidates: int | None = None,
) -> dict[str, Any]:
    """Generate, judge and report; returns the report (also written to DIR/report.json)."""
    from plume.corpus import load_corpus
    from plume.evaluate.report import build_report, write_report
    from plume.house import load_house

    house = house or load_house()
    audiences = list(audiences or house.audiences)
    formats = list(formats or house.formats)
    for a in audiences:
        house.audience(a)
    for f in formats:
        house.format(f)
    corpus = corpus or load_corpus()
    if voice is None:
        from plume.evaluate.voice import house_voice_model

        voice = house_voice_model()
    settings = {"repair": repair, "attempts": attempts, "strategy": strategy or "auto", "candidates": candidates,
                **(settings or {})}
    out = Path(out)
    prepare_out(out)
    tasks = plan(briefs, audiences, formats)
    _check_settings(out, {**settings, "briefs": len(briefs), "audiences": audiences, "formats": formats,
                          "concurrency": concurrency}, [t.id for t in tasks])

    done = {t.id: r for t in tasks if (r := read_record(out / OUTPUTS / f"{t.id}.json")) and not r.failed}
    pending = [t for t in tasks if t.id not in done]
    started = time.perf_counter()
    fresh = asyncio.run(_run_all(pending, out=out, concurrency=concurrency, on_record=on_record, backend=backend,
                                 house=house, corpus=corpus, attempts=attempts, repair=repair, strategy=strategy,
                                 candidates=candidates)) if pending else []
    wall = time.perf_counter() - started
    by_id = {**done, **{r.id: r for r in fresh}}
    records = [by_id[t.id] for t in tasks]

    scored = [r for r in records if not r.failed]
    scores = voice.score([r.text for r in scored])
    for r, c, m in zip(scored, scores.centroid, scores.closest):
        r.voice, r.voice_max = round(c, 4), round(m, 4)
    for r in records:
        write_output(out, r)

    report = build_report(
        records,
        settings={**settings, "briefs": len(briefs), "audiences": audiences, "formats": formats,
                  "concurrency": concurrency, "resumed": len(done)},
        baseline=voice.baseline(),
        wall_time_s=wall,
        dimensions=len(house.dimensions),
    )
    write_report(out, report, chart=chart, records=records)
    return report
