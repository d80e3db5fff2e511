"""`plume lint`: the house rules, French typography and format limits over Markdown files."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from plume.cli._app import app, err, user_errors
from plume.errors import InputError, PlumeError


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class Severity(str, Enum):
    error = "error"
    warning = "warning"
    suggestion = "suggestion"


_BOOL_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0"})


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
    from plume.lint import fix_text, lint_text
    from plume.files import rewrite_text
    from plume.lint.files import STDIN, expand_paths, frontmatter_target, read_source, unified_diff
    from plume.lint.formatters import render, use_colour
    from plume.lint.plan import load_plan
    from plume.lint.selection import from_flags
    from plume.lint.sources import default_checkers

    if as_json:
        output_format = OutputFormat.json
    if not no_grammar and os.environ.get("PLUME_NO_GRAMMAR", "") in ("", "0"):
        from plume.lint.grammar import warm_up

        warm_up()  # Grammalecte starts while the house rules load and run
    with user_errors():
        house = load_plan(house_path)
        flags = from_flags(select, ignore, min_severity.value if min_severity else None)
        config = _lint_config()
        defaults = _defaults()
        rule_ids = [c.rule.id for c in house.rules]
        checkers = list(default_checkers())
        names = {c.name: tuple(getattr(c, "rule_ids", ())) for c in checkers}  # a checker may list its rule ids
        if no_grammar:
            checkers = [c for c in checkers if c.name != "grammalecte"]
        flags.check(rule_ids, names, "--select/--ignore")
        for where, selection in config.selections():
            selection.check(rule_ids, names, where)
        paths = expand_paths(files)

    # Read everything first: with --fix or --diff, nothing is written unless every input can be read
    # (`--fix true post.md` names "true" and leaves post.md alone).
    sources, failed = [], False
    for name in paths:
        try:
            sources.append((name, read_source(name)))
        except PlumeError as exc:
            hint = " (--fix and --diff are flags: they take no value)" if name.lower() in _BOOL_WORDS else ""
            err(f"error: {exc}{hint}")
            failed = True
    if failed and (fix or diff):
        raise typer.Exit(2)

    report, applied, changed = [], 0, False
    for name, text in sources:
        shown = stdin_filename if (name == STDIN and stdin_filename) else name
        try:
            selection = flags.over(config.for_file(shown))
            target = _target(frontmatter_target(text, shown), audience, fmt, cta, words)
            target = target.with_(audience=target.audience or defaults.get("audience"),
                                  format=target.format or defaults.get("format"))
            scope = (target.audience, target.format)
            if output_format is OutputFormat.text:  # machine formats stay clean; their files carry the audience
                _note_skipped_audience_rules(shown, house, scope[0])
            run_checkers = [c for c in checkers if c.name not in selection.checkers_off(names)]
            only = selection.house_rules(rule_ids)
            if not (fix or diff):
                result = _scoped(shown, lambda: lint_text(text, house, *scope, select=only, target=target, checkers=run_checkers))
                report.append((shown, selection.filter(result)))
                continue
            outcome = _scoped(shown, lambda: fix_text(text, house, *scope, select=only, keep=selection.keep, target=target,
                                                      checkers=run_checkers))
            report.append((shown, selection.filter(outcome.result)))
            applied += len(outcome.applied)
            changed = changed or outcome.text != text
            if diff:
                sys.stdout.write(unified_diff(shown, text, outcome.text))
            elif name == STDIN:
                sys.stdout.write(outcome.text)
            elif outcome.changed:
                rewrite_text(name, outcome.text)  # BOM, line endings and symlinks kept; read-only refused
        except PlumeError as exc:
            err(f"error: {exc}")
            failed = True
    if not diff and (report or not failed):
        stream = sys.stderr if (fix and STDIN in paths) else sys.stdout
        output = render(report, output_format.value, house.rule_views, colour=use_colour(stream))
        if fix and output_format is OutputFormat.text and applied:
            output = f"{applied} correction{'s' if applied > 1 else ''} appliquée{'s' if applied > 1 else ''}.\n" + output
        stream.write(output)
    _notice_skipped(report)
    if failed:
        raise typer.Exit(2)
    if diff:
        raise typer.Exit(1 if changed else 0)
    if any(result.errors for _, result in report):
        raise typer.Exit(1)


def _target(found, audience, fmt, cta, words):
    """The file's Target: command-line values win over the frontmatter's; an eval output that names its
    brief by id (`brief: essai-avant-embauche`) takes the call to action (and, when the frontmatter has
    none, the requested words) from the house's eval/briefs.yaml, when that brief is there; its topic,
    angle and facts are the asker's own words (material the copy may reuse word for word)."""
    target = found.with_(
        audience=audience or found.audience,
        format=fmt or found.format,
        cta=cta or found.cta,
        words=words or found.words,
    )
    if target.brief_id:
        brief = _eval_brief(target.brief_id)
        if brief is not None:
            target = target.with_(
                cta=target.cta or brief.cta,
                words=target.words or (brief.words_for(target.format) if target.format else None),
                material=target.material or "\n".join(t for t in (brief.topic, brief.angle, *brief.facts) if t),
            )
    return target


_briefs: dict | None = None


def _eval_brief(brief_id: str):
    """The brief of that id in the house folder's eval/briefs.yaml (None when absent or unreadable)."""
    global _briefs
    if _briefs is None:
        from plume.errors import InputError

        try:
            from plume.evaluate.briefs import load_briefs

            _briefs = {b.id: b for b in load_briefs()}
        except (InputError, ImportError, OSError):
            _briefs = {}
    return _briefs.get(brief_id)


def _lint_config():
    """plume.toml's [lint] table (folders relative to the file's folder); empty when there is none."""
    from plume import config
    from plume.lint.selection import LintConfig, load_config

    table = config.project_config().get("lint")
    if table is None:
        return LintConfig()
    path = config.find_config()
    return load_config(table, path.parent, str(path))


def _defaults() -> dict:
    """plume.toml [lint]: the audience and format used when neither the flags nor the file give one."""
    from plume.config import section

    return section("lint")


def _note_skipped_audience_rules(name: str, plan, audience: str | None) -> None:
    """Without an audience, the audience rules cannot run: say which, once per file, on stderr."""
    if audience is not None:
        return
    skipped = [r.id for r in plan.rule_views if r.audiences]
    if skipped:
        err(f"note: {name}: no audience (--audience, frontmatter `audience:` or plume.toml [lint] audience): "
            f"{len(skipped)} audience rule(s) not checked: {', '.join(skipped)}")


def _notice_skipped(report) -> None:
    """Say once that a checker could not run (Grammalecte not installed), and how to get it."""
    from plume.lint.formatters import skipped

    for name, reason in skipped(report).items():
        what = "grammar and spelling not checked" if name == "grammalecte" else f"{name} not run"
        hint = "; --no-grammar turns it off" if name == "grammalecte" else ""
        err(f"note: {what}: {reason}{hint}")


def _scoped(name, run):
    """Name the file in errors about its audience or format (e.g. an unknown audience in its frontmatter)."""
    try:
        return run()
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
