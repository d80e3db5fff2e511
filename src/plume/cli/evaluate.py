"""`plume eval`: generate every brief × audience × format, judge it, report; `--compare A B` two runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from plume.cli._app import app, err, print_json, user_errors
from plume.errors import InputError


def _split(values: list[str] | None) -> list[str] | None:
    """`--audiences pme,cos --audiences coo` → [pme, cos, coo]."""
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _default_out() -> Path:
    from datetime import datetime

    return Path("eval-runs") / datetime.now().strftime("%Y%m%d-%H%M%S")


@app.command("eval")
def eval_command(
    briefs: Annotated[Optional[Path], typer.Option("--briefs", help="Briefs YAML (default: eval/briefs.yaml of the house).")] = None,
    audiences: Annotated[Optional[list[str]], typer.Option("--audiences", help="Audiences, comma-separated (default: all).")] = None,
    formats: Annotated[Optional[list[str]], typer.Option("--formats", help="Formats, comma-separated (default: all).")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only the first N briefs.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Run folder (default: eval-runs/<timestamp>); re-running into it resumes.")] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=32, help="Outputs generated at the same time.")] = 2,
    no_repair: Annotated[bool, typer.Option("--no-repair", help="Turn the repair loop off: one model call per output.")] = False,
    attempts: Annotated[int, typer.Option(min=1, max=10, help="Model calls at most per output (with repair).")] = 3,
    strategy: Annotated[Optional[str], typer.Option("--strategy", help="compose (the author's sentences) or free (the model writes all); default: per format.")] = None,
    candidates: Annotated[Optional[int], typer.Option("--candidates", "-n", min=1, max=8, help="Answers drawn at once per output; the critic keeps the best.")] = None,
    model: Annotated[Optional[str], typer.Option(help="Model name (or local:/path/model.gguf).")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="OpenAI-compatible server URL.")] = None,
    compare: Annotated[Optional[tuple[Path, Path]], typer.Option("--compare", help="Compare two run folders: --compare A B.")] = None,
    rescore: Annotated[Optional[Path], typer.Option("--rescore", help="Judge the outputs of a run folder again with today's critic and rewrite its report (no model call).")] = None,
    ratings: Annotated[Optional[Path], typer.Option("--ratings", help="Fold the marks saved from review.html into the report of the run named by --out.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Measure copy quality: rule compliance, closeness to the house voice, length, dimensions, cost."""
    if compare:
        _compare(compare[0], compare[1], as_json)
        return
    if rescore or ratings:
        _rebuild(rescore, ratings, out, briefs, as_json)
        return
    from plume.backends import get_backend
    from plume.evaluate.briefs import load_briefs
    from plume.evaluate.run import run_eval

    out = out or _default_out()
    with user_errors():
        from plume.install import EVAL_MODULES, require

        require("plume eval", "eval", EVAL_MODULES)
        chosen = load_briefs(briefs)
        total = len(chosen)
        chosen = chosen[:limit] if limit else chosen
        backend = get_backend(model=model, base_url=base_url)
        settings = {"model": getattr(backend, "model", model), "base_url": base_url, "limit": limit,
                    "briefs_total": total, "briefs_file": str(briefs) if briefs else "eval/briefs.yaml"}
        try:
            report = _run(run_eval, chosen, out=out, backend=backend, audiences=_split(audiences),
                          formats=_split(formats), concurrency=concurrency, repair=not no_repair,
                          attempts=attempts, settings=settings, quiet=as_json, strategy=strategy,
                          candidates=candidates)
        finally:
            backend.close()
    if as_json:
        print_json(report)
        return
    _show(report, out)


def _run(run_eval, briefs, *, quiet: bool, audiences, formats, **kwargs):
    """run_eval with a rich progress bar on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from plume.house import load_house

    house = load_house()
    n = len(briefs) * len(audiences or house.audiences) * len(formats or house.formats)
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=quiet, transient=False) as progress:
        task = progress.add_task("eval", total=n)

        def done(record) -> None:
            mark = {"clean": "ok", "violations": "violations", "failed": "FAILED"}[record.status]
            progress.console.print(f"  {record.id}: {mark} ({record.attempts} call(s), {record.duration_s:.0f} s)")
            progress.advance(task)

        report = run_eval(briefs, audiences=audiences, formats=formats, house=house, on_record=done, **kwargs)
        progress.update(task, completed=n)
    return report


def _rebuild(rescore: Path | None, ratings: Path | None, out: Path | None, briefs: Path | None, as_json: bool) -> None:
    """--rescore DIR (today's critic) and/or --ratings FILE (a reader's marks): the report, no model call."""
    from plume.evaluate.rescore import fold_ratings, rescore_run

    with user_errors():
        if rescore and out and out.resolve() != rescore.resolve():
            raise InputError(f"--rescore {rescore} and --out {out}: name one run folder")
        folder = rescore or out
        if folder is None:
            raise InputError("--ratings needs the run folder: --out DIR")
        report = rescore_run(folder, briefs=briefs) if rescore else None
        if ratings:
            report = fold_ratings(folder, ratings)
    if as_json:
        print_json(report)
        return
    _show(report, folder)


def _show(report: dict, out: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from plume.evaluate.report import fmt, headline

    COLUMNS = [("n", "n", "int"), ("publishable_first", "pub.\n1st", "pct"),
               ("publishable", "pub.\nfinal", "pct"), ("compliance", "old\nrules", "pct"),
               ("calls_per_output", "calls", "num1"), ("seconds_per_output", "s/out", "int"),
               ("voice", "voice", "num3")]

    console = Console()
    table = Table(title=f"plume eval — {report.get('model')}", title_justify="left")
    table.add_column("audience")
    table.add_column("format")
    for _, header, _ in COLUMNS:
        table.add_column(header, justify="right")
    summary = report["summary"]
    for cell in summary["by_variant"]:
        table.add_row(cell["audience"], cell["format"], *(fmt(cell[k], kind) for k, _, kind in COLUMNS))
    o = summary["overall"]
    table.add_row("all", "all", *(fmt(o[k], kind) for k, _, kind in COLUMNS), style="bold")
    console.print(table)
    console.print(headline(report).replace("**", ""))
    b = report["baseline"]
    console.print(f"voice: outputs {fmt(o['voice'], 'num3')} · generic reference {fmt(b.get('reference_voice'), 'num3')}"
                  f" · author's notes (leave one out) {fmt(b.get('corpus_voice_loo'), 'num3')}")
    err(f"wrote {out}/report.md, report.json, chart.png, review.html" + ("" if report["settings"].get("rescored") else " and outputs/"))
    if o["failed"]:
        err(f"{o['failed']} output(s) failed (see report.json)")


def _compare(a: Path, b: Path, as_json: bool) -> None:
    from plume.evaluate.compare import compare_reports, print_comparison

    with user_errors():
        data = compare_reports(a, b)
    if as_json:
        print_json(data)
    else:
        print_comparison(data)
