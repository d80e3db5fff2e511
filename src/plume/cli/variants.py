"""`plume variants`: one brief × audiences × formats, concurrently and resumable; `variants import` for Batch API results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional


import typer
from typer.core import TyperGroup

from plume.cli._app import app, err, print_json, user_errors


class RunByDefault(TyperGroup):
    """`plume variants "sujet" …` means `plume variants run "sujet" …`; `import` stays a subcommand."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


variants_app = typer.Typer(cls=RunByDefault, no_args_is_help=True,
                           help="One brief × audiences × formats, concurrently, resumable (run | import).")
app.add_typer(variants_app, name="variants")


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _table(report) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(f"variants → {report.out_dir}"))
    for col in ("variant", "lint", "attempts", "tokens", "cost"):
        table.add_column(col, justify="right" if col in ("attempts", "tokens", "cost") else "left")
    for r in report.records:
        status = r["status"] if r["status"] != "violations" else f"violations ({r['errors']}E {r['warnings']}W)"
        if r["id"] in report.skipped:
            status += " (kept)"
        if r["status"] == "failed":
            status = f"failed: {r['error']}"
        table.add_row(escape(r["id"]), escape(status), str(r["attempts"]), str(r["prompt_tokens"] + r["completion_tokens"]),
                      f"${r['cost_usd']:.4f}")
    Console(stderr=True).print(table)


class _Progress:
    """A rich progress bar fed by the library's events."""

    def __init__(self, total: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=False)
        self.task = self.bar.add_task("variants", total=total)

    def __call__(self, kind: str, variant, record) -> None:
        if kind in ("skip", "done"):
            self.bar.advance(self.task)
        if kind == "start":
            self.bar.update(self.task, description=f"variants: {variant.id}")
        if kind == "done" and record and record["status"] == "failed":
            from rich.markup import escape

            self.bar.console.print(f"[red]{escape(variant.id)} failed:[/red] {escape(str(record['error']))}")


@variants_app.command("run")
def variants_run(
    topic: Annotated[str, typer.Argument(help="The subject, or a BRIEF.yaml (topic, angle, facts, cta, words).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for <audience>-<format>.md and manifest.jsonl.")],
    audiences: Annotated[str, typer.Option(help="Comma-separated audience keys.")] = "pme,cos,coo",
    formats: Annotated[str, typer.Option(help="Comma-separated formats.")] = "linkedin,landing",
    angle: Annotated[Optional[str], typer.Option()] = None,
    words: Annotated[Optional[int], typer.Option(min=20)] = None,
    cta: Annotated[Optional[str], typer.Option("--cta", help="Call to action held across variants.")] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=32, help="Variants in flight at once.")] = 2,
    attempts: Annotated[int, typer.Option(min=1, max=10)] = 3,
    candidates: Annotated[Optional[int], typer.Option("--candidates", "-n", min=1, max=8, help="Answers drawn at once per variant; the critic keeps the best (default: 3 with compose, 1 with free).")] = None,
    strategy: Annotated[Optional[str], typer.Option("--strategy", help="compose or free (default: per format).")] = None,
    openai_batch: Annotated[Optional[Path], typer.Option("--openai-batch", help="Write Batch API requests (JSONL) instead of calling.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing --openai-batch file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Manifest records as JSON.")] = False,
    model: Annotated[Optional[str], typer.Option(help="Model name (or local:/path/model.gguf).")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="OpenAI-compatible server URL.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when errors or warnings remain (for scripts and CI).")] = False,
    restart: Annotated[bool, typer.Option("--restart", help="Start over in --out: the earlier run's files move to OUT/previous-<time>/.")] = False,
) -> None:
    """Write every audience × format variant of one brief; a re-run only does the missing ones."""
    from plume.cli.generate import load_brief
    from plume.write.variants import plan, run_variants, write_batch

    with user_errors():
        brief = load_brief(topic, angle, words, cta)
        auds, fmts = _split(audiences), _split(formats)
        if openai_batch is not None:
            import os

            name = model or os.environ.get("PLUME_MODEL") or "gpt-4o-mini"
            ids = write_batch(brief, auds, fmts, out, openai_batch, model=name, force=force)
            err(f"wrote {len(ids)} request(s) to {openai_batch}; after the batch: plume variants import RESULTS.jsonl --out {out}")
            raise typer.Exit(0)
        from plume.house import load_house
        from plume.write.variants import check_out_dir

        check_out_dir(out)  # a file or a read-only folder: one line, exit 2, before any call
        total = len(plan(auds, fmts, load_house()))
        progress = _Progress(total)
        from plume.cli.generate import needed_tokens, open_backend

        need = needed_tokens(fmts, brief.words)
        backend = _LazyBackend(lambda: open_backend(model, base_url, need))
        try:
            with progress.bar:
                report = run_variants(brief, auds, fmts, out, backend, concurrency=concurrency, attempts=attempts,
                                      on_event=progress, restart=restart, strategy=strategy,
                                      candidates=candidates)
        finally:
            backend.close()
    if as_json:
        print_json(report.records)
    else:
        _table(report)
        if report.index:
            err(f"preview: {report.index}")
        if report.index_error:
            err(f"warning: no preview index: {report.index_error}")
        _report_remaining(report)
    raise typer.Exit(_exit_code(report, strict))


def _report_remaining(report) -> None:
    """One line per variant the linter still flags, with the command that lists the violations."""
    for r in report.records:
        if r["status"] == "violations" and r.get("file"):
            err(f"{r['id']}: {r['errors']} error(s), {r['warnings']} warning(s) remain; "
                f"see: plume lint {Path(report.out_dir) / r['file']}")


def _exit_code(report, strict: bool) -> int:
    """1 when a variant failed, or with --strict when one keeps errors or warnings; else 0."""
    if report.failed:
        return 1
    if strict and any(r["status"] == "violations" for r in report.records):
        return 1
    return 0


class _LazyBackend:
    """Resolves (and, for the embedded model, starts) the backend only if a variant needs a model call."""

    def __init__(self, factory):
        self._factory = factory
        self._backend = None

    def __getattr__(self, name):
        if self._backend is None:
            self._backend = self._factory()
        return getattr(self._backend, name)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()

    async def aclose(self) -> None:
        if self._backend is not None:
            await self._backend.aclose()


@variants_app.command("import")
def variants_import(
    results: Annotated[Path, typer.Argument(help="The Batch API output file (JSONL).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The folder given to --openai-batch.")],
    as_json: Annotated[bool, typer.Option("--json", help="Manifest records as JSON.")] = False,
) -> None:
    """Turn OpenAI Batch API results into the same files and manifest as a live run."""
    from plume.write.variants import import_batch

    with user_errors():
        report = import_batch(results, out)
    if as_json:
        print_json(report.records)
    else:
        _table(report)
        if report.index_error:
            err(f"warning: no preview index: {report.index_error}")
    raise typer.Exit(1 if report.failed else 0)
