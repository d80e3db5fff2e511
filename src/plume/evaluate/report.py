"""The report of a run: report.json (everything), report.md (tables a person reads), chart.png."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from plume.evaluate.metrics import group_summaries
from plume.evaluate.records import BLOCKING, EvalRecord, blocking, length_error_of
from plume.evaluate.store import write_atomic

SCHEMA = "plume-eval/1"

COLUMNS = [  # (key, header, kind)
    ("n", "n", "int"),
    ("first_pass_compliance", "first pass", "pct"),
    ("compliance", "after repair", "pct"),
    ("mean_attempts", "attempts", "num1"),
    ("voice", "voice", "num3"),
    ("length_error", "length error", "pct"),
    ("dimension_coverage", "3 dimensions", "pct"),
    ("banned_per_output", "banned/output", "num2"),
    ("completion_tokens", "tokens out", "int"),
    ("duration_s", "time (s)", "int"),
]


def fmt(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "pct":
        return f"{100 * value:.0f} %"
    if kind == "int":
        return f"{value:,.0f}".replace(",", " ")
    return f"{value:.{kind[-1]}f}"


def rule_counts(records: list[EvalRecord], final: bool = False) -> dict[str, int]:
    """Error/warning violations per rule, over all outputs, first pass (or after repair)."""
    counts = Counter(v.get("rule") for r in records for v in (r.violations if final else r.first_pass)
                     if v.get("severity") in BLOCKING)
    return dict(counts.most_common())


def compact(record: EvalRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "brief": record.brief,
        "audience": record.audience,
        "format": record.format,
        "status": record.status,
        "attempts": record.attempts,
        "first_pass_blocking": blocking(record.first_pass),
        "final_blocking": blocking(record.violations),
        "words": record.words,
        "requested_words": record.requested_words,
        "length_error": None if record.failed else length_error_of(record),
        "voice": record.voice,
        "voice_max": record.voice_max,
        "dimensions": record.dimensions,
        "banned_first_pass": record.banned_first_pass,
        "banned_final": record.banned_final,
        "prompt_tokens": record.prompt_tokens,
        "completion_tokens": record.completion_tokens,
        "cost_usd": record.cost_usd,
        "duration_s": record.duration_s,
        "error": record.error,
    }


def build_report(records: list[EvalRecord], *, settings: dict[str, Any], baseline: dict[str, Any],
                 wall_time_s: float, dimensions: int = 3) -> dict[str, Any]:
    ok = next((r for r in records if not r.failed), None)
    return {
        "schema": SCHEMA,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": settings.get("model") or (ok.model if ok else None),
        "backend": ok.backend if ok else settings.get("backend"),
        "settings": settings,
        "baseline": baseline,
        "wall_time_s": round(wall_time_s, 2),
        "summary": group_summaries(records, dimensions),
        "rules_first_pass": rule_counts(records),
        "rules_final": rule_counts(records, final=True),
        "records": [compact(r) for r in records],
    }


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def table(report: dict[str, Any]) -> str:
    """Audience × format rows, then one row per audience and the overall row."""
    summary = report["summary"]
    head = ["audience", "format"] + [h for _, h, _ in COLUMNS]
    lines = [_row(head), _row(["---"] * 2 + ["--:"] * len(COLUMNS))]
    for cell in summary["by_variant"]:
        lines.append(_row([cell["audience"], cell["format"]] + [fmt(cell[k], kind) for k, _, kind in COLUMNS]))
    for audience, s in summary["by_audience"].items():
        lines.append(_row([f"**{audience}**", "all"] + [fmt(s[k], kind) for k, _, kind in COLUMNS]))
    for format_, s in summary["by_format"].items():
        lines.append(_row(["all", f"**{format_}**"] + [fmt(s[k], kind) for k, _, kind in COLUMNS]))
    o = summary["overall"]
    lines.append(_row(["**all**", "**all**"] + [f"**{fmt(o[k], kind)}**" for k, _, kind in COLUMNS]))
    return "\n".join(lines)


def voice_lines(report: dict[str, Any]) -> str:
    b, o = report["baseline"], report["summary"]["overall"]
    return "\n".join([
        f"- generated copy: **{fmt(o['voice'], 'num3')}** (mean cosine to the corpus centroid)",
        f"- reference set of generic French business copy ({b.get('reference_texts')} texts): "
        f"**{fmt(b.get('reference_voice'), 'num3')}**",
        f"- the author's own notes, each against the other notes (leave one out): "
        f"**{fmt(b.get('corpus_voice_loo'), 'num3')}**",
        f"- method: {b.get('method')}",
    ])


def describe_run(report: dict[str, Any]) -> str:
    s, o = report["settings"], report["summary"]["overall"]
    planned = (s.get("briefs") or 0) * len(s.get("audiences", [])) * len(s.get("formats", []))
    repair = f"on (up to {s.get('attempts')} model calls)" if s.get("repair") else "off (`--no-repair`)"
    subset = ""
    if s.get("limit"):
        subset = f" — **subset: the first {s['limit']} of {s.get('briefs_total', '?')} briefs (`--limit {s['limit']}`)**"
    return "\n".join([
        f"- model: `{report.get('model')}` via {report.get('backend')}; repair loop {repair}",
        f"- {s.get('briefs')} briefs × {len(s.get('audiences', []))} audiences ({', '.join(s.get('audiences', []))}) "
        f"× {len(s.get('formats', []))} formats ({', '.join(s.get('formats', []))}) = {planned} outputs planned, "
        f"{o['n']} judged, {o['failed']} of them failed{subset}",
        f"- tokens: {fmt(o['prompt_tokens'], 'int')} prompt + {fmt(o['completion_tokens'], 'int')} completion; "
        f"cost ${o['cost_usd']:.4f}; wall time {fmt(report['wall_time_s'], 'int')} s "
        f"(sum of output times {fmt(o['duration_s'], 'int')} s, concurrency {s.get('concurrency')}"
        + (f", {s['resumed']} outputs resumed from an earlier invocation" if s.get("resumed") else "") + ")",
        f"- created {report.get('created')}",
    ] + ([f"- **{len(s['not_run'])} planned outputs not run** (the run was stopped): "
          + ", ".join(f"`{i}`" for i in s["not_run"])] if s.get("not_run") else []))


DEFINITIONS = """\
- **first pass**: share of outputs with no error- or warning-level violation in the first model answer
  (after the linter's safe fixes, before any repair prompt). **after repair**: the same after the
  lint/repair loop. Failed outputs (backend errors) are counted apart and left out of every share.
- **attempts**: mean model calls per output.
- **voice**: cosine similarity of the output to the centroid of the corpus notes (TF-IDF over character
  3–5-grams, fitted on corpus + reference set). Read it against the baseline below, not on its own.
- **length error**: mean of |produced words / requested words − 1|.
- **3 dimensions**: share of landing outputs that name Sparring Partner, Architecte and Éclaireur.
- **banned/output**: banned-term and term-substitution violations per output in the raw first answer,
  before any fix."""


def render_markdown(report: dict[str, Any]) -> str:
    rules = report["rules_first_pass"]
    top = ", ".join(f"`{k}` {v}" for k, v in list(rules.items())[:8]) or "none"
    final = ", ".join(f"`{k}` {v}" for k, v in list(report["rules_final"].items())[:8]) or "none"
    return "\n".join([
        "# Plume eval report",
        "",
        describe_run(report),
        "",
        "## Results by audience × format",
        "",
        table(report),
        "",
        "## Closeness to the house voice",
        "",
        voice_lines(report),
        "",
        "## Rules hit",
        "",
        f"- first pass (error/warning): {top}",
        f"- left after the loop: {final}",
        "",
        "![compliance and voice by audience](chart.png)",
        "",
        "## How to read it",
        "",
        DEFINITIONS,
        "",
        "Every output, with its lint result, is in `outputs/` (`<brief>-<audience>-<format>.md` and `.json`).",
        "",
    ])


def write_report(out: Path, report: dict[str, Any], chart: bool = True) -> None:
    out = Path(out)
    write_atomic(out / "report.json", json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    write_atomic(out / "report.md", render_markdown(report))
    if chart:
        from plume.evaluate.chart import write_chart

        write_chart(report, out / "chart.png")


def load_report(folder: Path) -> dict[str, Any]:
    """report.json of a run folder (or the file itself)."""
    from plume.errors import InputError

    path = Path(folder)
    path = path / "report.json" if path.is_dir() else path
    if not path.is_file():
        raise InputError(f"{path}: no report.json (is this a `plume eval` output folder?)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid report ({exc})") from None
    if data.get("schema") != SCHEMA:
        raise InputError(f"{path}: not a plume eval report (schema {data.get('schema')!r})")
    return data
