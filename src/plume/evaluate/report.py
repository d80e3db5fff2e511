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

HEADLINE = [  # (key, header, kind): the critic's verdict, next to the old house-rule compliance
    ("n", "n", "int"),
    ("publishable_first", "publishable, first pass", "pct"),
    ("publishable", "publishable, after repair", "pct"),
    ("first_pass_compliance", "house rules, first pass (old)", "pct"),
    ("compliance", "house rules, after repair (old)", "pct"),
    ("calls_per_output", "model calls/output", "num1"),
    ("seconds_per_output", "s/output", "int"),
]
DETAILS = [
    ("n", "n", "int"),
    ("voice", "voice", "num3"),
    ("length_error", "length error", "pct"),
    ("dimension_coverage", "3 dimensions", "pct"),
    ("sameness", "said in another piece", "pct"),
    ("banned_per_output", "banned/output", "num2"),
    ("mean_attempts", "attempts", "num1"),
    ("completion_tokens", "tokens out", "int"),
    ("duration_s", "time (s)", "int"),
]
RATED = [
    ("rated", "rated", "int"),
    ("rated_publishable", "rated publishable", "pct"),
    ("rated_light_edit", "light edit", "pct"),
    ("rated_rewrite", "rewrite", "pct"),
    ("publishable", "publishable by the critic", "pct"),
]
COLUMNS = HEADLINE + DETAILS[1:]  # the console table


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


def critic_counts(records: list[EvalRecord], final: bool = True) -> dict[str, int]:
    """Outputs with at least one error/warning of each critic rule (final text, or first answer)."""
    counts = Counter(rule for r in records
                     for rule in {v.get("rule") for v in ((r.critic_final if final else r.critic_first) or [])
                                  if v.get("severity") in BLOCKING})
    return dict(counts.most_common())


def _brief_violations(violations: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if violations is None:
        return None
    keep = ("rule", "severity", "line", "column", "start", "end", "text", "message")
    return [{k: v.get(k) for k in keep} for v in violations]


def critic_block(records: list[EvalRecord]) -> dict[str, Any]:
    """Which checkers the critic ran (and which it could not), over the judged outputs."""
    ran = sorted({c for r in records for c in r.critic_checkers})
    skipped: dict[str, str] = {}
    for r in records:
        skipped.update(r.critic_skipped)
    judged = sum(1 for r in records if r.critic_final is not None)
    return {"checkers": ran, "skipped": skipped, "judged": judged}


def compact(record: EvalRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "brief": record.brief,
        "audience": record.audience,
        "format": record.format,
        "status": record.status,
        "publishable_first": record.publishable_first,
        "publishable": record.publishable,
        "attempts": record.attempts,
        "strategy": record.strategy,
        "candidates": record.candidates,
        "model_calls": record.model_calls,
        "field_repairs": record.field_repairs,
        "dropped_fields": record.dropped_fields,
        "calls_saved": record.calls_saved,
        "tokens_saved": record.tokens_saved,
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
        "rating": record.rating,
        "rating_note": record.rating_note,
        "critic_first": _brief_violations(record.critic_first),
        "critic_final": _brief_violations(record.critic_final),
    }


def build_report(records: list[EvalRecord], *, settings: dict[str, Any], baseline: dict[str, Any],
                 wall_time_s: float, dimensions: int = 3) -> dict[str, Any]:
    ok = next((r for r in records if not r.failed), None)
    return {
        "schema": SCHEMA,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": settings.get("model") or (ok.model if ok else None),
        "backend": next((r.backend for r in records if r.backend), settings.get("backend")),
        "settings": settings,
        "baseline": baseline,
        "wall_time_s": round(wall_time_s, 2),
        "critic": critic_block(records),
        "summary": group_summaries(records, dimensions),
        "critic_rules_first_pass": critic_counts(records, final=False),
        "critic_rules_final": critic_counts(records),
        "rules_first_pass": rule_counts(records),
        "rules_final": rule_counts(records, final=True),
        "records": [compact(r) for r in records],
    }


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def table(report: dict[str, Any], columns: list[tuple[str, str, str]] = HEADLINE) -> str:
    """Audience × format rows, then one row per audience, one per format and the overall row."""
    summary = report["summary"]
    head = ["audience", "format"] + [h for _, h, _ in columns]
    lines = [_row(head), _row(["---"] * 2 + ["--:"] * len(columns))]

    def cells(s: dict[str, Any], bold: bool = False) -> list[str]:
        return [f"**{fmt(s.get(k), kind)}**" if bold else fmt(s.get(k), kind) for k, _, kind in columns]

    for cell in summary["by_variant"]:
        lines.append(_row([cell["audience"], cell["format"]] + cells(cell)))
    for audience, s in summary["by_audience"].items():
        lines.append(_row([f"**{audience}**", "all"] + cells(s)))
    for format_, s in summary["by_format"].items():
        lines.append(_row(["all", f"**{format_}**"] + cells(s)))
    lines.append(_row(["**all**", "**all**"] + cells(summary["overall"], bold=True)))
    return "\n".join(lines)


def headline(report: dict[str, Any]) -> str:
    """The one sentence a reader needs first."""
    o = report["summary"]["overall"]
    first = fmt(o.get("publishable_first"), "pct")
    after = fmt(o.get("publishable"), "pct")
    old = fmt(o.get("compliance"), "pct")
    c = report.get("critic", {})
    ran = ", ".join(c.get("checkers", [])) or "none"
    per = o.get("seconds_per_output")
    time = f", {per:.0f} s per output" if per else ""
    line = (f"**Publishable by the critic: {after} after repair ({first} first pass)** of {o['n']} outputs{time}; "
            f"the old house-rule compliance said {old}. Critic: {ran}")
    skipped = c.get("skipped") or {}
    if skipped:
        line += "; **not run: " + "; ".join(f"{k} ({v})" for k, v in skipped.items()) + "**"
    if o.get("first_pass_unjudged"):
        line += (f". {o['first_pass_unjudged']} output(s) were repaired and their first answer was not kept: "
                 "left out of the first-pass share")
    return line + "."


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


def writer_lines(report: dict[str, Any]) -> list[str]:
    """How the writer worked, when its results said so."""
    rows = [r for r in report.get("records", []) if r.get("strategy") or r.get("candidates")]
    if not rows:
        return []
    by_format = sorted({f"{r['format']} {r.get('strategy')}" for r in rows})
    candidates = sorted({r.get("candidates") for r in rows if r.get("candidates")})
    o = report["summary"]["overall"]
    saved = ""
    if o.get("field_repairs") is not None:
        saved = (f"; targeted repair: {o['field_repairs']} field(s) asked again alone, {o.get('dropped_fields') or 0} "
                 f"dropped without a call ({o.get('calls_saved') or 0} model call(s) saved), "
                 f"~{fmt(o.get('tokens_saved'), 'int')} completion tokens saved over whole-text repairs")
    return [f"- writer: strategy {', '.join(by_format)}; candidates N = {', '.join(map(str, candidates)) or '–'}; "
            f"{fmt(o.get('calls_per_output'), 'num1')} model calls per output{saved}"]


def describe_run(report: dict[str, Any]) -> str:
    s, o = report["settings"], report["summary"]["overall"]
    planned = (s.get("briefs") or 0) * len(s.get("audiences", [])) * len(s.get("formats", []))
    repair = f"on (up to {s.get('attempts')} model calls)" if s.get("repair") else "off (`--no-repair`)"
    subset = ""
    if s.get("limit"):
        subset = f" — **subset: the first {s['limit']} of {s.get('briefs_total', '?')} briefs (`--limit {s['limit']}`)**"
    model = f"`{report.get('model')}`" + (f" via {report['backend']}" if report.get("backend") else "")
    if o.get("model_calls") == 0 and o["n"]:  # every piece was the author's material alone
        model = f"none called (every piece is the author's material alone; configured: {model})"
    return "\n".join([
        f"- model: {model}; repair loop {repair}",
        f"- {s.get('briefs')} briefs × {len(s.get('audiences', []))} audiences ({', '.join(s.get('audiences', []))}) "
        f"× {len(s.get('formats', []))} formats ({', '.join(s.get('formats', []))}) = {planned} outputs planned, "
        f"{o['n']} judged, {o['failed']} of them failed{subset}",
        f"- tokens: {fmt(o['prompt_tokens'], 'int')} prompt + {fmt(o['completion_tokens'], 'int')} completion; "
        f"cost ${o['cost_usd']:.4f}; wall time {fmt(report['wall_time_s'], 'int')} s "
        f"(sum of output times {fmt(o['duration_s'], 'int')} s, concurrency {s.get('concurrency')}"
        + (f", {s['resumed']} outputs resumed from an earlier invocation" if s.get("resumed") else "") + ")",
        *writer_lines(report),
        f"- created {report.get('generated') or report.get('created')}"
        + (f"; **re-scored {s['rescored']}** with today's critic (outputs unchanged, no model call)"
           if s.get("rescored") else ""),
    ] + ([f"- **{len(s['not_run'])} planned outputs not run** (the run was stopped): "
          + ", ".join(f"`{i}`" for i in s["not_run"])] if s.get("not_run") else []))


DEFINITIONS = """\
- **publishable** (the headline): share of outputs with no error- or warning-level violation from the
  whole critic — house rules, machine-copy defects, length band and every external checker that ran
  (Grammalecte: grammar and spelling) — judged by `plume eval` itself with the brief's audience, format,
  call to action and requested words, as `plume lint --cta … --words …` would. **first pass** is the
  first answer (after the safe fixes, before any repair prompt), **after repair** the final text. A failed
  output (backend error, no copy) counts as not publishable.
- **house rules (old)**: the compliance the writing loop reported with the linter it ran at the time:
  the share of outputs with no error- or warning-level violation in the first model answer
  (after the linter's safe fixes, before any repair prompt) and after the lint/repair loop. Failed
  outputs are left out of these shares and of every metric below.
- **model calls/output**, **attempts**: model calls per output (candidates, repairs, re-asks).
- **s/output**: mean seconds per output (generation, repair and the writer's own lint).
- **voice**: cosine similarity of the output to the centroid of the corpus notes (TF-IDF over character
  3–5-grams, fitted on corpus + reference set). Read it against the baseline below, not on its own.
- **length error**: mean of |produced words / requested words − 1|.
- **3 dimensions**: share of landing outputs that name Sparring Partner, Architecte and Éclaireur.
- **said in another piece**: mean share of an output's sentences (six words or more) that another output
  of the same audience and format, written for another brief, says word for word. The critic judges one
  piece at a time; a reader who posts the pieces one after another sees the same sentences again.
- **banned/output**: banned-term and term-substitution violations per output in the raw first answer,
  before any fix."""


def _top(counts: dict[str, int], n: int = 10) -> str:
    return ", ".join(f"`{k}` {v}" for k, v in list(counts.items())[:n]) or "none"


def ratings_section(report: dict[str, Any]) -> list[str]:
    if not report["summary"]["overall"].get("rated"):
        return []
    r = report.get("ratings", {})
    return [
        "## A reader's ratings (review.html)",
        "",
        f"Marks from `{r.get('file', 'ratings.json')}` ({r.get('reviewer') or 'reviewer not named'}, "
        f"{r.get('saved') or 'date not given'}), folded in with `plume eval --ratings`. Shares are of the "
        "rated outputs.",
        "",
        table(report, RATED),
        "",
        f"- rated publishable and publishable by the critic: {r.get('agree_publishable', 0)}; rated publishable "
        f"but failed by the critic: {r.get('reader_only', 0)}; passed by the critic but not rated publishable: "
        f"{r.get('critic_only', 0)}",
        "",
    ]


def _mark(value: bool | None) -> str:
    return "–" if value is None else ("yes" if value else "no")


def outputs_table(report: dict[str, Any]) -> str:
    """One row per output: the critic's verdict and the rules it hit on the final text."""
    lines = [_row(["output", "publishable, first pass", "after repair", "words / asked", "critic rules (final)"]),
             _row(["---", ":-:", ":-:", "--:", "---"])]
    for r in report["records"]:
        rules = sorted({v["rule"] for v in (r.get("critic_final") or []) if v.get("severity") in BLOCKING})
        asked = f"{r.get('words')} / {r.get('requested_words') or '–'}"
        lines.append(_row([f"[{r['id']}](outputs/{r['id']}.md)", _mark(r.get("publishable_first")),
                           _mark(r.get("publishable")), asked,
                           ", ".join(f"`{x}`" for x in rules) or ("failed" if r.get("status") == "failed" else "")]))
    return "\n".join(lines)


def render_markdown(report: dict[str, Any]) -> str:
    return "\n".join([
        "# Plume eval report",
        "",
        headline(report),
        "",
        describe_run(report),
        "",
        "## Publishable by the critic, by audience × format",
        "",
        table(report, HEADLINE),
        "",
        *ratings_section(report),
        "## Other measures",
        "",
        table(report, DETAILS),
        "",
        "## Closeness to the house voice",
        "",
        voice_lines(report),
        "",
        "## What the critic found",
        "",
        "Outputs with at least one error or warning of each rule:",
        "",
        f"- final text: {_top(report.get('critic_rules_final', {}))}",
        f"- first answer: {_top(report.get('critic_rules_first_pass', {}))}",
        f"- the writing loop's own lint (old): first pass {_top(report['rules_first_pass'], 8)}; "
        f"left after the loop {_top(report['rules_final'], 8)}",
        "",
        "![publishable and voice](chart.png)",
        "",
        "## Every output",
        "",
        outputs_table(report),
        "",
        "## How to read it",
        "",
        DEFINITIONS,
        "",
        "Every output, with its lint result, is in `outputs/` (`<brief>-<audience>-<format>.md` and `.json`);"
        " the critic's findings per output are in `report.json` (`records[].critic_final`). `review.html` is a"
        " sheet to rate each output by hand.",
        "",
    ])


def write_report(out: Path, report: dict[str, Any], chart: bool = True,
                 records: list[EvalRecord] | None = None) -> None:
    """report.json, report.md, chart.png and (given the records) review.html."""
    out = Path(out)
    write_atomic(out / "report.json", json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    write_atomic(out / "report.md", render_markdown(report))
    if chart:
        from plume.evaluate.chart import write_chart

        write_chart(report, out / "chart.png")
    if records is not None:
        from plume.evaluate.review import write_review

        write_review(out, records, report)


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
