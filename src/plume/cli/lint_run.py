"""What `plume lint` does once its options are parsed: no typer here, so the command can start without it
(plume.cli.lint_fast parses a valid command line itself; plume.cli.lint declares the command for typer,
its --help and its errors). `run(options)` returns the exit code."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from plume.cli._errors import err
from plume.errors import InputError, PlumeError

OUTPUT_FORMATS = ("text", "json", "sarif", "github")
SEVERITIES = ("error", "warning", "suggestion")
_BOOL_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0"})


@dataclass(frozen=True)
class LintOptions:
    """The options of one `plume lint` command line (see `plume lint --help`)."""

    files: tuple[str, ...]
    audience: str | None = None
    fmt: str | None = None
    fix: bool = False
    diff: bool = False
    output_format: str = "text"
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    min_severity: str | None = None
    stdin_filename: str | None = None
    house_path: Path | None = None
    cta: str | None = None
    words: int | None = None
    no_grammar: bool = False


def run(o: LintOptions) -> int:
    """Lint the files of `o`; the exit code: 0 no error; 1 errors found (with --diff: changes to make);
    2 usage or input error."""
    from plume.lint import fix_text, lint_text
    from plume.files import rewrite_text
    from plume.lint.files import STDIN, expand_paths, frontmatter_target, read_source, unified_diff
    from plume.lint.formatters import render, use_colour
    from plume.lint.plan import load_plan
    from plume.lint.selection import from_flags
    from plume.lint.sources import default_checkers

    if not o.no_grammar and os.environ.get("PLUME_NO_GRAMMAR", "") in ("", "0"):
        from plume.lint.grammar import warm_up

        warm_up()  # Grammalecte starts while the house rules load and run
    try:
        house = load_plan(o.house_path)
        flags = from_flags(list(o.select) if o.select else None, list(o.ignore) if o.ignore else None,
                           o.min_severity)
        config = _lint_config()
        defaults = _defaults()
        rule_ids = [c.rule.id for c in house.rules]
        if o.no_grammar:  # no checker made, no client loaded; its rule ids stay known to --select/--ignore
            from plume.lint.grammar import GrammalecteChecker

            checkers, names = [], {GrammalecteChecker.name: GrammalecteChecker.rule_ids}
        else:
            checkers = list(default_checkers())
            names = {c.name: tuple(getattr(c, "rule_ids", ())) for c in checkers}  # a checker may list its rule ids
        flags.check(rule_ids, names, "--select/--ignore")
        for where, selection in config.selections():
            selection.check(rule_ids, names, where)
        paths = expand_paths(list(o.files))
    except PlumeError as exc:
        err(f"error: {exc}")
        return exc.exit_code
    except OSError as exc:
        if exc.filename is None:
            raise
        err(f"error: {exc.filename}: {exc.strerror or type(exc).__name__}")
        return 2

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
    if failed and (o.fix or o.diff):
        return 2

    report, applied, changed = [], 0, False
    for name, text in sources:
        shown = o.stdin_filename if (name == STDIN and o.stdin_filename) else name
        try:
            selection = flags.over(config.for_file(shown))
            target = _target(frontmatter_target(text, shown), o.audience, o.fmt, o.cta, o.words)
            target = target.with_(audience=target.audience or defaults.get("audience"),
                                  format=target.format or defaults.get("format"))
            scope = (target.audience, target.format)
            if o.output_format == "text":  # machine formats stay clean; their files carry the audience
                _note_skipped_audience_rules(shown, house, scope[0])
            run_checkers = [c for c in checkers if c.name not in selection.checkers_off(names)]
            only = selection.house_rules(rule_ids)
            if not (o.fix or o.diff):
                result = _scoped(shown, lambda: lint_text(text, house, *scope, select=only, target=target, checkers=run_checkers))
                report.append((shown, selection.filter(result)))
                continue
            outcome = _scoped(shown, lambda: fix_text(text, house, *scope, select=only, keep=selection.keep, target=target,
                                                      checkers=run_checkers))
            report.append((shown, selection.filter(outcome.result)))
            applied += len(outcome.applied)
            changed = changed or outcome.text != text
            if o.diff:
                sys.stdout.write(unified_diff(shown, text, outcome.text))
            elif name == STDIN:
                sys.stdout.write(outcome.text)
            elif outcome.changed:
                rewrite_text(name, outcome.text)  # BOM, line endings and symlinks kept; read-only refused
        except PlumeError as exc:
            err(f"error: {exc}")
            failed = True
    if not o.diff and (report or not failed):
        stream = sys.stderr if (o.fix and STDIN in paths) else sys.stdout
        output = render(report, o.output_format, house.rule_views, colour=use_colour(stream))
        if o.fix and o.output_format == "text" and applied:
            output = f"{applied} correction{'s' if applied > 1 else ''} appliquée{'s' if applied > 1 else ''}.\n" + output
        stream.write(output)
    _notice_skipped(report)
    if failed:
        return 2
    if o.diff:
        return 1 if changed else 0
    return 1 if any(result.errors for _, result in report) else 0


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
