"""`variants`: one brief × audiences × formats, concurrently, resumable from DIR/manifest.jsonl.

Each finished variant is written atomically to DIR/<audience>-<format>.md and appended to the manifest;
a re-run skips variants the manifest marks finished whose file is still there (no model call). One
failed variant is recorded as "failed" and does not stop the others.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plume.backends.base import Completion, Usage
from plume.errors import InputError, PlumeError
from plume.write.loop import adrive, drive
from plume.write.output import document, write_atomic
from plume.write.result import WriteResult
from plume.write.schemas import DEFAULT_CTA, Brief, schema_for

MANIFEST = "manifest.jsonl"
BATCH_INFO = "batch.json"
FINISHED = ("clean", "violations")


@dataclass(frozen=True)
class Variant:
    audience: str
    format: str

    @property
    def id(self) -> str:
        return f"{self.audience}-{self.format}"

    @property
    def file(self) -> str:
        return f"{self.id}.md"


@dataclass
class VariantsReport:
    out_dir: Path
    records: list[dict[str, Any]] = field(default_factory=list)  # manifest lines, in variant order
    skipped: list[str] = field(default_factory=list)  # ids already finished before this run
    index: Path | None = None
    index_error: str | None = None

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r["status"] == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed


def plan(audiences: list[str], formats: list[str], house) -> list[Variant]:
    for a in audiences:
        house.audience(a)
    for f in formats:
        house.format(f)
    return [Variant(a, f) for a in audiences for f in formats]


def effective_concurrency(backend, asked: int) -> int:
    """Jobs in flight: as asked, except on the embedded model, a single-slot server on the same cores,
    where a queued request only waits (and its wait counts against the timeout) — one at a time there."""
    slots = getattr(backend, "parallel_slots", None)
    if isinstance(slots, int) and slots > 0:
        return max(1, min(asked, slots))
    if getattr(backend, "name", None) == "embedded":
        return 1
    return max(1, asked)


def held_brief(brief: Brief) -> Brief:
    """The brief every variant gets: the call to action is fixed once so all variants share it."""
    return brief if brief.cta else brief.model_copy(update={"cta": DEFAULT_CTA})


def read_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Last record per variant id; a line that does not parse (cut by a kill) is ignored."""
    path = Path(out_dir) / MANIFEST
    records: dict[str, dict[str, Any]] = {}
    if not path.is_file():
        return records
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(rec, dict) and "id" in rec:
            records[rec["id"]] = rec
    return records


def repair_manifest(out_dir: Path) -> Path | None:
    """A last line cut by a kill (no final newline) is moved to DIR/manifest.jsonl.cut and the manifest
    truncated to its last complete line, so the next record starts a line of its own. Returns the .cut
    file when something was set aside."""
    path = Path(out_dir) / MANIFEST
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return None
    if not data or data.endswith(b"\n"):
        return None
    keep = data.rfind(b"\n") + 1
    aside = path.with_name(MANIFEST + ".cut")
    with open(aside, "ab") as fh:
        fh.write(data[keep:] + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    with open(path, "r+b") as fh:
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    return aside


def clean_temp_files(out_dir: Path) -> list[Path]:
    """Temporary files a kill left before their final rename (.NAME.XXXX.tmp from plume.files)."""
    removed = []
    for tmp in Path(out_dir).glob(".*.tmp"):
        try:
            tmp.unlink()
            removed.append(tmp)
        except OSError:
            pass
    return removed


def check_out_dir(out_dir: Path) -> None:
    """--out must be a folder Plume can write (created if missing): checked before any model call."""
    from plume import files

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: is a file; --out takes a folder")
    files.check_writable(out_dir / MANIFEST)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot create the folder ({exc.strerror or exc})") from None


def finished(out_dir: Path, records: dict[str, dict[str, Any]], variant: Variant) -> bool:
    rec = records.get(variant.id)
    return bool(rec and rec.get("status") in FINISHED and (Path(out_dir) / variant.file).is_file())


def append_manifest(out_dir: Path, record: dict[str, Any]) -> None:
    """One complete line per record, written by a single O_APPEND write (secrets masked)."""
    from plume.redact import redact

    path = Path(out_dir) / MANIFEST
    line = (redact(json.dumps(record, ensure_ascii=False)) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        if os.fstat(fd).st_size:  # a line cut since the run began: never glue this record onto it
            with open(path, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    line = b"\n" + line
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def record_for(variant: Variant, result: WriteResult | None = None, error: str | None = None) -> dict[str, Any]:
    r = result
    return {
        "id": variant.id,
        "audience": variant.audience,
        "format": variant.format,
        "file": variant.file if r is not None else None,
        "status": r.status if r is not None else "failed",
        "attempts": r.attempts if r is not None else 0,
        "errors": r.errors if r is not None else 0,
        "warnings": r.warnings if r is not None else 0,
        "prompt_tokens": r.prompt_tokens if r is not None else 0,
        "completion_tokens": r.completion_tokens if r is not None else 0,
        "cost_usd": r.cost_usd if r is not None else 0.0,
        "duration_s": r.duration_s if r is not None else 0.0,
        "error": error,
    }


def _save(out_dir: Path, variant: Variant, result: WriteResult) -> dict[str, Any]:
    write_atomic(Path(out_dir) / variant.file, document(result))
    record = record_for(variant, result)
    append_manifest(out_dir, record)
    return record


def _fail(out_dir: Path, variant: Variant, exc: BaseException) -> dict[str, Any]:
    message = str(exc) if isinstance(exc, PlumeError) else f"{type(exc).__name__}: {exc}"
    record = record_for(variant, error=message.splitlines()[0] if message else type(exc).__name__)
    append_manifest(out_dir, record)
    return record


def write_index(report: VariantsReport, house=None) -> None:
    """DIR/index.html through plume.preview when it is installed; variants work without it."""
    try:
        from plume.preview import render_variants_index
    except ImportError:
        return
    try:
        path = render_variants_index(Path(report.out_dir), house=house)
    except Exception as exc:  # the preview is a convenience: the variants are written already
        report.index_error = f"{type(exc).__name__}: {exc}"
        return
    report.index = Path(path) if path else Path(report.out_dir) / "index.html"


Event = Callable[[str, Variant, dict[str, Any] | None], None]


async def arun_variants(brief: Brief | str, audiences: list[str], formats: list[str], out_dir: Path, backend=None, *,
                        concurrency: int = 2, attempts: int = 3, repair: bool = True, house=None, corpus=None,
                        budget: int | None = None, on_event: Event | None = None, restart: bool = False,
                        settings: dict[str, Any] | None = None, strategy: str | None = None,
                        candidates: int | None = None) -> VariantsReport:
    """Run the missing variants with at most `concurrency` model jobs at a time. `out_dir` resumes only a run
    of the same brief, audiences, formats and `settings` (see plume.write.resume); `restart` starts over."""
    from plume.corpus import load_corpus
    from plume.house import load_house
    from plume.write.generate import generate_job

    brief = held_brief(Brief(topic=brief) if isinstance(brief, str) else brief)
    house = house or load_house()
    corpus = corpus or load_corpus()
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    variants = plan(audiences, formats, house)
    repair_manifest(out_dir)
    clean_temp_files(out_dir)
    from plume.write.resume import prepare, run_spec

    prepare(out_dir, run_spec(brief, audiences, formats, attempts=attempts, repair=repair, **(settings or {})),
            restart)
    previous = read_manifest(out_dir)
    report = VariantsReport(out_dir)
    pending = [v for v in variants if not finished(out_dir, previous, v)]
    report.skipped = [v.id for v in variants if v not in pending]
    emit = on_event or (lambda *a: None)
    for v in variants:
        if v not in pending:
            emit("skip", v, previous[v.id])
    done: dict[str, dict[str, Any]] = {}
    if pending:
        if backend is None:
            from plume.write.generate import backend_for, max_tokens_for

            backend = backend_for(max(max_tokens_for(v.format, brief.words or house.format(v.format).default_words)
                                      for v in pending))
        gate = asyncio.Semaphore(effective_concurrency(backend, concurrency))

        async def one(v: Variant) -> None:
            async with gate:
                emit("start", v, None)
                try:
                    job = generate_job(brief, v.audience, v.format, house=house, corpus=corpus, backend=backend,
                                       attempts=attempts, repair=repair, budget=budget, command="variants",
                                       strategy=strategy, candidates=candidates)
                    result = await adrive(job, backend)
                    done[v.id] = _save(out_dir, v, result)
                except Exception as exc:  # one failed variant must not stop the others
                    done[v.id] = _fail(out_dir, v, exc)
                emit("done", v, done[v.id])

        await asyncio.gather(*(one(v) for v in pending))
    report.records = [done.get(v.id) or previous[v.id] for v in variants]
    write_index(report, house)
    return report


def run_variants(brief: Brief | str, audiences: list[str], formats: list[str], out_dir: Path, backend=None,
                 **kw: Any) -> VariantsReport:
    """Synchronous entry point of arun_variants (runs and closes its own event loop)."""

    async def main() -> VariantsReport:
        try:
            return await arun_variants(brief, audiences, formats, out_dir, backend, **kw)
        finally:
            if backend is not None:
                await backend.aclose()  # inside the loop that opened its async client

    return asyncio.run(main())


# --- OpenAI Batch API -----------------------------------------------------------------------------


def write_batch(brief: Brief | str, audiences: list[str], formats: list[str], out_dir: Path, batch_file: Path, *,
                model: str, house=None, corpus=None, budget: int | None = None, force: bool = False) -> list[str]:
    """The chat requests for the OpenAI Batch API (one JSONL line per missing variant); no model call.

    DIR/batch.json keeps the brief so `import_batch` can rebuild the same files and manifest.
    """
    from plume import prompts
    from plume.corpus import load_corpus
    from plume.house import load_house
    from plume.write.generate import max_tokens_for

    brief = held_brief(Brief(topic=brief) if isinstance(brief, str) else brief)
    house = house or load_house()
    corpus = corpus or load_corpus()
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    variants = plan(audiences, formats, house)
    previous = read_manifest(out_dir) if out_dir.is_dir() else {}
    lines, ids = [], []
    for v in variants:
        if finished(out_dir, previous, v):
            continue
        p = prompts.generate_prompt(brief, v.audience, v.format, house=house, corpus=corpus,
                                    budget=budget or prompts.API_BUDGET)
        body: dict[str, Any] = {
            "model": model,
            "messages": p.messages,
            "max_tokens": max_tokens_for(v.format, brief.words or house.format(v.format).default_words),
        }
        schema = schema_for(v.format, house)
        if schema is not None:
            body["response_format"] = {"type": "json_schema", "json_schema": {
                "name": schema.__name__, "schema": schema.model_json_schema(), "strict": False}}
        lines.append(json.dumps({"custom_id": v.id, "method": "POST", "url": "/v1/chat/completions", "body": body},
                                ensure_ascii=False))
        ids.append(v.id)
    write_atomic(Path(batch_file), "".join(line + "\n" for line in lines), force=force)
    info = {"brief": brief.model_dump(), "audiences": audiences, "formats": formats, "model": model, "ids": ids}
    write_atomic(out_dir / BATCH_INFO, json.dumps(info, ensure_ascii=False, indent=2) + "\n")
    return ids


class _Answered:
    """A 'backend' that hands back one completion already obtained (from the Batch API results)."""

    def __init__(self, completion: Any):
        self.completion = completion

    def complete(self, messages, **kw):
        return self.completion


def _batch_completion(body: dict[str, Any], model: str) -> Completion:
    usage = body.get("usage") or {}
    choice = (body.get("choices") or [{}])[0]
    text = (choice.get("message") or {}).get("content") or ""
    ptoks, ctoks = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
    return Completion(text=text, parsed=None, model=body.get("model") or model, backend="openai-batch",
                      usage=Usage(ptoks, ctoks), cost_usd=_batch_cost(body.get("model") or model, ptoks, ctoks))


def _batch_cost(model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """Batch API price: half the table's price when plume.pricing knows the model, else 0."""
    try:
        from plume.pricing import cost_usd
    except ImportError:
        return 0.0
    try:
        return 0.5 * float(cost_usd(model, prompt_tokens, completion_tokens))
    except Exception:
        return 0.0


def import_batch(results_file: Path, out_dir: Path, *, house=None, on_event: Event | None = None) -> VariantsReport:
    """Batch API results → the same files and manifest as a live run (safe fixes and lint, no repair)."""
    from plume.house import load_house
    from plume.write.generate import read_structured
    from plume.write.loop import Call, lint_loop

    out_dir = Path(out_dir)
    info_path = out_dir / BATCH_INFO
    if not info_path.is_file():
        raise InputError(f"{info_path}: not found (write the batch with --openai-batch and the same --out)")
    info = json.loads(info_path.read_text(encoding="utf-8"))
    brief = Brief.model_validate(info["brief"])
    house = house or load_house()
    emit = on_event or (lambda *a: None)
    try:
        lines = Path(results_file).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{results_file}: cannot read: {exc.strerror}") from None
    report = VariantsReport(out_dir)
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            audience, format = item["custom_id"].rsplit("-", 1)
        except (json.JSONDecodeError, KeyError, ValueError, AttributeError):
            raise InputError(f"{results_file}:{n}: not a Batch API result line") from None
        v = Variant(audience, format)
        response = item.get("response") or {}
        if item.get("error") or response.get("status_code") != 200:
            error = (item.get("error") or {}).get("message") if isinstance(item.get("error"), dict) else None
            report.records.append(_fail(out_dir, v, InputError(error or f"batch status {response.get('status_code')}")))
        else:
            completion = _batch_completion(response.get("body") or {}, info.get("model") or "")
            schema = schema_for(format, house)
            job = lint_loop(Call([], 0), read=read_structured(schema, format, house, brief.cta),
                            repair_call=lambda *a: Call([], 0), house=house, audience=audience, format=format,
                            attempts=1, repair=False, brief=brief)
            report.records.append(_save(out_dir, v, drive(job, _Answered(completion))))
        emit("done", v, report.records[-1])
    write_index(report, house)
    return report
