"""`plume generate`: a LinkedIn post or landing copy for one audience, linted and repaired."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from plume.cli._app import app, err, print_json, user_errors


def load_brief(topic: str, angle: str | None = None, words: int | None = None, cta: str | None = None):
    """A brief from the command line: the topic itself, or a BRIEF.yaml file (flags override its fields)."""
    from plume.errors import InputError
    from plume.write import Brief

    path = Path(topic)
    if path.suffix.lower() in (".yaml", ".yml", ".md") and "\n" not in topic and not path.is_file():
        # a mistyped brief file name is not a topic: no model call on it
        what = "is a folder, not a brief file" if path.is_dir() else "brief file not found"
        raise InputError(f"{topic}: {what} (a topic ending in {path.suffix} is read as a file name)")
    if path.suffix.lower() in (".yaml", ".yml"):
        brief = Brief.from_file(path)
    else:
        brief = Brief(topic=topic)
    updates = {k: v for k, v in {"angle": angle, "words": words, "cta": cta}.items() if v is not None}
    return brief.model_copy(update=updates) if updates else brief


def write_out(out: Path, text: str, force: bool) -> str | None:
    """Write `text` to --out; when that fails after the model call, keep the copy in a recovery file and
    return the error line naming both (the caller prints the copy too). None when written."""
    from plume import files
    from plume.errors import PlumeError
    from plume.write.output import write_atomic

    try:
        write_atomic(out, text, force=force)
    except PlumeError as exc:
        kept = files.keep_recovery(text, out.name)
        return f"{exc}; the copy is on stdout and kept in {kept}"
    return None


def check_out(out: Path | None, force: bool) -> None:
    """--out checked before any model call: not an existing file without --force, not a folder, writable."""
    from plume import files
    from plume.errors import InputError

    if out is None:
        return
    if out.exists() and not out.is_dir() and not force:
        raise InputError(f"{out}: already exists (use --force to overwrite)")
    files.check_writable(out)


def call_progress(stream=None):
    """A line on stderr before each model request, with the time spent so far (an embedded call takes
    about a minute on two cores): on a terminal only, so pipes, --json and CI logs stay as they were."""
    import time

    stream = stream or sys.stderr
    if not stream.isatty():
        return None
    started = time.monotonic()

    def on_call(n: int, call) -> None:
        many = f", {len(call)} answers at once" if isinstance(call, list) and len(call) > 1 else ""
        spent = f", {time.monotonic() - started:.0f} s so far" if n > 1 else ""
        print(f"plume: model call {n}{many}{spent}…", file=stream, flush=True)

    return on_call


def open_backend(model: str | None, base_url: str | None, needed: int):
    """The configured backend, with room for `needed` completion tokens (see write.generate.backend_for)."""
    from plume.write.generate import backend_for

    return backend_for(needed, model, base_url)


def needed_tokens(formats: list[str], words: int | None) -> int:
    from plume.house import load_house
    from plume.write.generate import max_tokens_for

    house = load_house()
    return max(max_tokens_for(f, words or house.format(f).default_words) for f in formats)


def report_violations(violations: list[dict], where: str = "") -> None:
    """Remaining error/warning violations on stderr, one line each (suggestions are not listed)."""
    shown = [v for v in violations if v["severity"] in ("error", "warning")]
    if not shown:
        return
    err(f"{len(shown)} violation(s) remain{where}:")
    for v in shown:
        print(f"  {v['line']}:{v['column']} {v['severity']} {v['rule']} {v['message']}", file=sys.stderr)


def note_unsaid_topic(topic: str, text: str) -> None:
    """A note on stderr when the piece says none of its topic's words (a topic the author's notes do not
    cover gets the house's generic piece): what would make it say them."""
    from plume.write.material import topic_unsaid

    words = topic_unsaid(topic, text) if text else None
    if words:
        said = ", ".join(f"« {w} »" for w in words)
        err(f"note: the piece says none of its topic's words ({said}): the author's material for this reader "
            "holds nothing closer; facts in a BRIEF.yaml, notes on it in the corpus or a stronger model "
            "(--base-url) would")


@app.command("generate")
def generate_command(
    topic: Annotated[str, typer.Argument(help="The subject of the piece (a landing page's title; a post's first line when it is a question), or a BRIEF.yaml (topic, angle, facts, cta, words).")],
    audience: Annotated[str, typer.Option("--audience", "-a", help="Audience key of the house file (pme, cos, coo…).")],
    format: Annotated[str, typer.Option("--format", "-f", help="linkedin or landing.")] = "linkedin",
    angle: Annotated[Optional[str], typer.Option(help="The angle to take on the subject.")] = None,
    words: Annotated[Optional[int], typer.Option(min=20, help="Target length in words.")] = None,
    cta: Annotated[Optional[str], typer.Option("--cta", help="Call to action, word for word.")] = None,
    attempts: Annotated[int, typer.Option(min=1, max=10, help="Rounds of model calls at most (first answers + repairs).")] = 3,
    candidates: Annotated[Optional[int], typer.Option("--candidates", "-n", min=1, max=8, help="Answers drawn at once; the critic keeps the best (default: 3 with compose, 1 with free).")] = None,
    strategy: Annotated[Optional[str], typer.Option("--strategy", help="compose (the author's sentences; the model writes title/hook) or free (the model writes all). Default: per format.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write Markdown with YAML frontmatter here.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite --out if it exists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The whole result as JSON.")] = False,
    stream: Annotated[bool, typer.Option(help="Show the model's first answer on stderr as it arrives.")] = False,
    markdown: Annotated[bool, typer.Option(help="LinkedIn: keep Markdown (for the vault) instead of plain text.")] = False,
    model: Annotated[Optional[str], typer.Option(help="Model name (or local:/path/model.gguf).")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="OpenAI-compatible server URL.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when errors or warnings remain (for scripts and CI).")] = False,
) -> None:
    """Write a LinkedIn post or landing copy for one audience; exit 0 with the copy (what remains on stderr), 1 with --strict when violations remain."""
    from plume.write import generate
    from plume.write.output import document

    with user_errors():
        check_out(out, force)
        brief = load_brief(topic, angle, words, cta)
        on_delta = (lambda piece: print(piece, end="", file=sys.stderr, flush=True)) if stream else None
        backend = open_backend(model, base_url, needed_tokens([format], brief.words))
        try:
            result = generate(brief, audience, format, backend, attempts=attempts, markdown=markdown, on_delta=on_delta,
                              candidates=candidates, strategy=strategy, on_call=None if stream else call_progress())
        finally:
            backend.close()
            if stream:  # end the streamed text's line, also when the stream failed: the error gets its own
                print(file=sys.stderr)
        failed = write_out(out, document(result, markdown=markdown), force) if out is not None else None
    if as_json:
        print_json(result.to_dict())
    else:
        sys.stdout.write(result.text if result.text.endswith("\n") else result.text + "\n")
        report_violations(result.violations)
        if out is not None and failed is None:
            err(f"wrote {out}")
    note_unsaid_topic(brief.topic, result.text)
    if failed is not None:
        err(f"error: {failed}")
        raise typer.Exit(2)
    raise typer.Exit(1 if strict and not result.clean else 0)
