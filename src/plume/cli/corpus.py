"""`plume corpus`: what was loaded, what was skipped and why, and the style profile."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from plume.cli._app import app, err, print_json, user_errors


@app.command("corpus")
def corpus_command(
    path: Annotated[Optional[Path], typer.Argument(help="Corpus folder (default: the house corpus/).")] = None,
    show_profile: Annotated[bool, typer.Option("--profile", help="Style profile: sentences, bold, lists, headings, hooks, lexicon.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the notes of the corpus, the files skipped (with the reason), and optionally the style profile."""
    from plume.corpus import load_corpus, profile
    from plume.house import load_house

    with user_errors():
        corpus = load_corpus(path)
        roles = load_house().notes if path is None else {}
    if as_json:
        data = {
            "root": str(corpus.root),
            "notes": [
                {
                    "id": n.id,
                    "path": str(n.path),
                    "title": n.title,
                    "tags": n.tags,
                    "wikilinks": n.wikilinks,
                    "word_count": n.word_count,
                    "status": roles[n.id].status if n.id in roles else "current",
                    "superseded_by": roles[n.id].superseded_by if n.id in roles else None,
                }
                for n in corpus.notes
            ],
            "skipped": [{"path": str(s.path), "reason": s.reason} for s in corpus.skipped],
        }
        if show_profile:
            data["profile"] = profile(corpus.notes)
        print_json(data)
        return

    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Corpus — {corpus.root}", title_justify="left")
    table.add_column("note", no_wrap=True)
    for col in ("title", "words", "status", "tags", "wikilinks"):
        table.add_column(col)
    for n in corpus.notes:
        role = roles.get(n.id)
        status = "current" if role is None else role.status
        if role is not None and role.superseded_by:
            status += f" → {role.superseded_by}"
        table.add_row(n.id, n.title, str(n.word_count), status, ", ".join(n.tags), ", ".join(n.wikilinks))
    console.print(table)
    for s in corpus.skipped:
        err(f"skipped {s}")
    if show_profile:
        prof = profile(corpus.notes)
        ptable = Table(title="Style profile", title_justify="left", show_header=False)
        for key, value in prof.items():
            if key == "top_lexicon":
                value = ", ".join(f"{w} ({c})" for w, c in value)
            ptable.add_row(key.replace("_", " "), str(value))
        console.print(ptable)
