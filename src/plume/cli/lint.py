"""`plume lint`: the house rules, French typography and format limits over Markdown files."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from plume.cli._app import app, err, user_errors
from plume.errors import PlumeError


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"


@app.command("lint")
def lint_command(
    files: Annotated[list[str], typer.Argument(help="Markdown files to lint; '-' reads stdin.")],
    audience: Annotated[Optional[str], typer.Option("--audience", "-a", help="Audience (default: the file's frontmatter `audience:`).")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="Format: linkedin, landing… (default: the frontmatter `format:`).")] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Apply safe fixes in place (stdin: print the fixed text).")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Show the safe fixes as a unified diff; write nothing.")] = False,
    output_format: Annotated[OutputFormat, typer.Option("--output-format", "-o", help="text, json or sarif.")] = OutputFormat.text,
    house_path: Annotated[Optional[Path], typer.Option("--house", help="House file (default: prompts/house.yaml).")] = None,
) -> None:
    """Lint FILES against the house rules. Exit 0: no error; 1: errors found; 2: usage or input error."""
    from plume.lint import fix_text, lint_text
    from plume.lint.plan import load_plan
    from plume.lint.files import STDIN, frontmatter_scope, read_source, unified_diff, write_atomic
    from plume.lint.formatters import render

    with user_errors():
        house = load_plan(house_path)
    report, failed, applied = [], False, 0
    for name in files:
        try:
            text = read_source(name)
            fm_audience, fm_format = frontmatter_scope(text, name)
            scope = (audience or fm_audience, fmt or fm_format)
            if not (fix or diff):
                report.append((name, _scoped(name, lambda: lint_text(text, house, *scope))))
                continue
            outcome = _scoped(name, lambda: fix_text(text, house, *scope))
            report.append((name, outcome.result))
            applied += len(outcome.applied)
            if diff:
                sys.stdout.write(unified_diff(name, text, outcome.text))
            elif name == STDIN:
                sys.stdout.write(outcome.text)
            elif outcome.changed:
                write_atomic(name, outcome.text)
        except PlumeError as exc:
            err(f"error: {exc}")
            failed = True
    if not diff and (report or not failed):
        output = render(report, output_format.value, house.rule_views)
        stream = sys.stderr if (fix and STDIN in files) else sys.stdout
        if fix and output_format is OutputFormat.text and applied:
            output = f"{applied} correction{'s' if applied > 1 else ''} appliquée{'s' if applied > 1 else ''}.\n" + output
        stream.write(output)
    if failed:
        raise typer.Exit(2)
    if any(result.errors for _, result in report):
        raise typer.Exit(1)


def _scoped(name, run):
    """Name the file in errors about its audience or format (e.g. an unknown audience in its frontmatter)."""
    from plume.errors import InputError

    try:
        return run()
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
