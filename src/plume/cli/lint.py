"""`plume lint`: the house rules, French typography and format limits over Markdown files.

The command as typer declares it: its --help, its errors and every parse of a command line that
plume.cli.lint_fast leaves to it. What the command does is plume.cli.lint_run."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from plume.cli._app import app
from plume.cli.lint_run import LintOptions, run


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class Severity(str, Enum):
    error = "error"
    warning = "warning"
    suggestion = "suggestion"


def options_from(files, audience=None, fmt=None, fix=False, diff=False, output_format=OutputFormat.text,
                 as_json=False, select=None, ignore=None, min_severity=None, stdin_filename=None,
                 house_path=None, cta=None, words=None, no_grammar=False) -> LintOptions:
    """The command's parameters, as typer parses them, into the options `run` takes."""
    return LintOptions(
        files=tuple(files), audience=audience, fmt=fmt, fix=fix, diff=diff,
        output_format="json" if as_json else OutputFormat(output_format).value,
        select=tuple(select) if select else None, ignore=tuple(ignore) if ignore else None,
        min_severity=Severity(min_severity).value if min_severity else None, stdin_filename=stdin_filename,
        house_path=house_path, cta=cta, words=words, no_grammar=no_grammar)


@app.command("lint")
def lint_command(
    files: Annotated[list[str], typer.Argument(metavar="PATH", help="Files, folders (Markdown and text files inside; .gitignore and hidden folders such as .obsidian/ skipped) or quoted globs; '-' reads stdin.")],
    audience: Annotated[Optional[str], typer.Option("--audience", "-a", help="Audience (default: the file's frontmatter `audience:`).")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="Format: linkedin, landing… (default: the frontmatter `format:`).")] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Apply safe fixes in place (stdin: print the fixed text).")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Show the safe fixes as a unified diff; write nothing. Exit 1 when there are changes.")] = False,
    output_format: Annotated[OutputFormat, typer.Option("--output-format", "-o", help="text, json, sarif or github (workflow annotations).")] = OutputFormat.text,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --output-format json (like every command that prints results).")] = False,
    select: Annotated[Optional[list[str]], typer.Option("--select", metavar="RULES", help="Only these rules: ids, prefixes (typo), globs (linkedin-*), ALL; comma-separated or repeated. Replaces plume.toml's \\[lint] select.")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", metavar="RULES", help="Leave these rules (or a checker: grammalecte) out; added to plume.toml's \\[lint] ignore.")] = None,
    min_severity: Annotated[Optional[Severity], typer.Option("--min-severity", help="Report this severity and above: error, warning or suggestion.")] = None,
    stdin_filename: Annotated[Optional[str], typer.Option("--stdin-filename", metavar="PATH", help="The name of the text read from '-' (in the output and for per-folder configuration).")] = None,
    house_path: Annotated[Optional[Path], typer.Option("--house", help="House file (default: prompts/house.yaml).")] = None,
    cta: Annotated[Optional[str], typer.Option("--cta", help="The brief's call to action (checked: written once). Default: the frontmatter's `cta` / `brief.cta`.")] = None,
    words: Annotated[Optional[int], typer.Option("--words", min=1, help="The requested length in words (checked: within the house's band). Default: the frontmatter's `words` / `requested_words`.")] = None,
    no_grammar: Annotated[bool, typer.Option("--no-grammar", help="Skip French grammar and spelling (Grammalecte).")] = False,
) -> None:
    """Lint PATHs against the house rules. Exit 0: no error; 1: errors found (with --diff: changes to
    make); 2: usage or input error. Configuration: plume.toml \\[lint] (select, ignore, min-severity) and
    \\[lint.per-folder."FOLDER"]; in a file, <!-- plume off --> … <!-- plume on --> and
    <!-- plume ignore RULE --> (the next paragraph)."""
    code = run(options_from(files, audience, fmt, fix, diff, output_format, as_json, select, ignore, min_severity,
                            stdin_filename, house_path, cta, words, no_grammar))
    if code:
        raise typer.Exit(code)
