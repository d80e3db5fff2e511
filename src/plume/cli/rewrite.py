"""`plume rewrite`: a draft in house vocabulary and voice for an audience, with a diff."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from plume.cli._app import app, err, print_json, user_errors


def _draft_meta(text: str) -> dict:
    """The draft's frontmatter (plume.markdown's reader); a broken one is ignored: the rewrite keeps it."""
    from plume.errors import InputError
    from plume.markdown import read_frontmatter

    try:
        return read_frontmatter(text)[0]
    except InputError:
        return {}


@app.command("rewrite")
def rewrite_command(
    draft: Annotated[Path, typer.Argument(help="The draft (Markdown; frontmatter kept).")],
    audience: Annotated[Optional[str], typer.Option("--audience", "-a", help="Audience key (default: the draft's frontmatter).")] = None,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="linkedin or landing (default: the draft's frontmatter).")] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Only the deterministic substitutions; no model.")] = False,
    attempts: Annotated[int, typer.Option(min=1, max=10, help="Model calls at most (rewrite + repairs).")] = 3,
    candidates: Annotated[int, typer.Option("--candidates", "-n", min=1, max=8, help="Rewrites drawn at once; the critic keeps the best.")] = 1,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the result here.")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Replace the draft (after writing DRAFT.bak).")] = False,
    force: Annotated[bool, typer.Option(help="Overwrite --out or an existing .bak.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The whole result as JSON.")] = False,
    model: Annotated[Optional[str], typer.Option(help="Model name (or local:/path/model.gguf).")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="OpenAI-compatible server URL.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when errors or warnings remain (for scripts and CI).")] = False,
) -> None:
    """Rewrite a draft for an audience; the diff goes to stderr; the draft is kept unless --in-place."""
    from plume.cli.generate import report_violations
    from plume.errors import InputError
    from plume.lint.files import read_source
    from plume.write import rewrite
    from plume.write.rewrite import unified_diff

    with user_errors():
        if out is not None and in_place:
            raise InputError("--out and --in-place exclude each other")
        if out is not None and out.exists() and not force:
            raise InputError(f"{out}: already exists (use --force to overwrite)")
        backup = draft.with_name(draft.name + ".bak")
        if in_place and backup.exists() and not force:
            raise InputError(f"{backup}: already exists (use --force to overwrite the backup)")
        from plume import files

        if in_place:  # a read-only draft (or folder) is refused before any model call
            files.check_writable(draft)
            files.check_writable(backup)
        elif out is not None:
            files.check_writable(out)
        text = read_source(str(draft))
        meta = _draft_meta(text)
        audience = audience or meta.get("audience")
        format = format or meta.get("format")
        if not audience:
            raise InputError(f"{draft}: no audience (pass --audience or set audience: in the frontmatter)")
        if no_llm:
            result = rewrite(text, audience, format, llm=False)
        else:
            from plume.cli.generate import call_progress, open_backend

            backend = open_backend(model, base_url, 1600)
            try:
                result = rewrite(text, audience, format, backend, attempts=attempts, candidates=candidates,
                                 on_call=call_progress())
            finally:
                backend.close()
        if in_place:
            files.write_atomic(backup, files.target_of(draft).read_bytes(), redact=False)  # the exact bytes
            files.rewrite_text(draft, result.text)
        failed = None
        if out is not None and not in_place:
            from plume.cli.generate import write_out

            failed = write_out(out, result.text, force)  # on failure the copy is kept and printed
    diff = unified_diff(text, result.text, draft.name)
    if as_json:
        print_json({**result.to_dict(), "diff": diff})
    else:
        sys.stderr.write(diff or "plume: no change\n")
        if (out is None and not in_place) or failed is not None:
            sys.stdout.write(result.text)
        report_violations(result.violations)
        if result.winner is not None and result.candidates[result.winner].origin == "draft":
            err(f"note: kept the draft with the safe fixes alone: no answer of the model was better "
                f"({result.winner_reason})")
        if in_place:
            err(f"rewrote {draft} (backup: {backup})")
        elif out is not None and failed is None:
            err(f"wrote {out}")
    if failed is not None:
        err(f"error: {failed}")
        raise typer.Exit(2)
    raise typer.Exit(1 if strict and not result.clean else 0)
