"""`plume house` and `plume rules`: the positioning and the lint rules of the house file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from plume.cli._app import app, print_json, user_errors

HouseOption = Annotated[Optional[Path], typer.Option("--house", help="House file (default: prompts/house.yaml).")]


def _rule_row(rule) -> dict:
    return rule.model_dump(mode="json", exclude_defaults=False)


@app.command("house")
def house_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    house_path: HouseOption = None,
) -> None:
    """Show the house: audiences, formats, the three dimensions, the five verbs and the rules."""
    from plume.house import load_house

    from plume.lint.plan import rules_of

    with user_errors():
        house = load_house(house_path)
        rules = rules_of(house)  # a broken rule is reported here too
    if as_json:
        print_json(house.model_dump(mode="json"))
        return
    from rich.console import Console
    from rich.markup import escape as e
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{e(house.name)}[/bold] — {e(house.author.designation)}")
    audiences = Table("audience", "lecteur", "ton", title="Audiences", show_lines=True)
    for key, a in house.audiences.items():
        audiences.add_row(f"[bold]{e(key)}[/bold]\n{e(a.label)}", e(a.reader), e(a.tone))
    console.print(audiences)
    formats = Table("format", "description", "mots", "max. caractères", title="Formats")
    for key, f in house.formats.items():
        formats.add_row(e(key), e(f.description), str(f.default_words), str(f.max_chars or "—"))
    console.print(formats)
    dims = Table("dimension", "rôle", title="Dimensions")
    for d in house.dimensions:
        dims.add_row(e(d.name), e(d.role))
    console.print(dims)
    console.print("[bold]Verbes :[/bold] " + e(", ".join(house.verbs)))
    _rules_table(console, rules, detail=False)


def _rules_table(console, rules, detail: bool = True) -> None:
    from rich.markup import escape as e
    from rich.table import Column, Table

    from plume.lint.docs import rule_detail, scope_label

    columns = [Column("id", no_wrap=True), "type", "gravité", "portée"] + (["cherche"] if detail else [])
    table = Table(*columns, title=f"Règles ({len(rules)})")
    colors = {"error": "red", "warning": "yellow", "suggestion": "cyan"}
    for r in rules:
        cells = [e(r.id), r.kind, f"[{colors[r.severity]}]{r.severity}[/]", e(scope_label(r))]
        table.add_row(*cells, *([e(rule_detail(r))] if detail else []))
    console.print(table)


@app.command("rules")
def rules_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="The rule reference in Markdown (docs/rules.md).")] = False,
    house_path: HouseOption = None,
) -> None:
    """List the lint rules of the house file."""
    from plume.house import load_house

    from plume.lint.plan import rules_of

    with user_errors():
        house = load_house(house_path)
        rules = rules_of(house)
    if as_json:
        print_json([_rule_row(r) for r in rules])
    elif markdown:
        from plume.lint.docs import rules_markdown

        typer.echo(rules_markdown(house), nl=False)
    else:
        from rich.console import Console

        _rules_table(Console(), rules)
