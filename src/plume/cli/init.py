"""`plume init`: make a vault (a folder of Markdown notes) the house: plume.toml + an editable house folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from plume.cli._app import app, err, user_errors


@app.command("init")
def init_command(
    vault: Annotated[Path, typer.Option("--vault", help="The folder of notes (an Obsidian vault); default: here.")] = Path("."),
    author: Annotated[Optional[str], typer.Option("--author", help="Your name, for plume.toml [author].")] = None,
    templates: Annotated[bool, typer.Option("--templates", help="Also copy the prompt templates, to edit them.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing plume.toml and house.yaml.")] = False,
) -> None:
    """Write VAULT/plume.toml and VAULT/plume-house/ (house.yaml, eval/) seeded from the shipped house."""
    import os

    from plume.corpus import load_corpus
    from plume.vault import init_vault

    with user_errors():
        done = init_vault(vault, author=author, force=force, templates=templates)
        os.environ.pop("PLUME_HOUSE_DIR", None)
        here = Path.cwd()
        try:
            os.chdir(done.vault)
            corpus = load_corpus()
        finally:
            os.chdir(here)
    for path in done.written:
        err(f"wrote {path}")
    err(f"corpus: {len(corpus.notes)} note(s) of {done.vault.resolve()}, {len(corpus.skipped)} left out "
        f"(see `plume corpus`); edit {done.house / 'prompts' / 'house.yaml'} for audiences, rules and notes")
