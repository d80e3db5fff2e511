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
    from plume.corpus import load_corpus, profile, role_reason, unmatched_roles
    from plume.house import load_house

    with user_errors():
        corpus = load_corpus(path)
        house = load_house()
        roles = house.notes if path is None else {}
        warnings = unmatched_roles(house, corpus) if path is None else []
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
                    "use": role_reason(house, n.id) if path is None else None,
                }
                for n in corpus.notes
            ],
            "skipped": [{"path": str(s.path), "reason": s.reason} for s in corpus.skipped],
            "warnings": warnings,
        }
        if show_profile:
            data["profile"] = profile(corpus.notes)
        print_json(data)
        return

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    table = Table(title=escape(f"Corpus — {corpus.root}"), title_justify="left")
    table.add_column("note", no_wrap=True)
    for col in ("title", "words", "used as", "tags", "wikilinks"):
        table.add_column(col)
    for n in corpus.notes:
        used = role_reason(house, n.id) if path is None else "-"
        table.add_row(*(escape(v) for v in (n.id, n.title, str(n.word_count), used, ", ".join(n.tags),
                                             ", ".join(n.wikilinks))))
    console.print(table)
    for s in corpus.skipped:
        err(f"skipped {s}")
    for w in warnings:
        err(f"warning: {w}")
    if show_profile:
        prof = profile(corpus.notes)
        ptable = Table(title="Style profile", title_justify="left", show_header=False)
        for key, value in prof.items():
            if key == "top_lexicon":
                value = ", ".join(f"{w} ({c})" for w, c in value)
            ptable.add_row(key.replace("_", " "), str(value))
        console.print(ptable)
