"""`plume lint` without typer: a command line that is valid as it stands is parsed here, with argparse,
into the same LintOptions that plume.cli.lint builds, so the most frequent command starts in the time
of the interpreter and the linter (typer and pydantic cost more than the whole lint of a post).

Anything else — --help, a value typer would reject, an option unknown here — gives None, and the typer
command parses it, so there is one --help and one set of error messages. tests/test_cli_lint_fast.py
holds the two parsers to the same result on every option.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from plume.cli.lint_run import OUTPUT_FORMATS, SEVERITIES, LintOptions

_HELP = frozenset({"-h", "--help"})


class _Unparsed(Exception):
    """argparse would print an error: typer says it instead."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # noqa: D102 - argparse's hook, raised instead of exiting
        raise _Unparsed(message)


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise ValueError(value)
    return n


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="plume lint", add_help=False, allow_abbrev=False)
    p.add_argument("files", nargs="+")
    p.add_argument("--audience", "-a")
    p.add_argument("--format", "-f", dest="fmt")
    p.add_argument("--fix", action="store_true")
    p.add_argument("--diff", action="store_true")
    p.add_argument("--output-format", "-o", choices=OUTPUT_FORMATS, default="text")
    p.add_argument("--json", dest="as_json", action="store_true")
    p.add_argument("--select", action="append")
    p.add_argument("--ignore", action="append")
    p.add_argument("--min-severity", choices=SEVERITIES)
    p.add_argument("--stdin-filename")
    p.add_argument("--house", dest="house_path", type=Path)
    p.add_argument("--cta")
    p.add_argument("--words", type=_positive)
    p.add_argument("--no-grammar", action="store_true")
    return p


def parse(argv: list[str]) -> LintOptions | None:
    """`argv` after the word `lint`, as LintOptions; None when typer must parse it."""
    if any(a in _HELP or a == "--" for a in argv):
        return None
    try:
        ns = _parser().parse_intermixed_args(argv)
    except _Unparsed:
        return None
    return LintOptions(
        files=tuple(ns.files), audience=ns.audience, fmt=ns.fmt, fix=ns.fix, diff=ns.diff,
        output_format="json" if ns.as_json else ns.output_format,
        select=tuple(ns.select) if ns.select else None, ignore=tuple(ns.ignore) if ns.ignore else None,
        min_severity=ns.min_severity, stdin_filename=ns.stdin_filename, house_path=ns.house_path,
        cta=ns.cta, words=ns.words, no_grammar=ns.no_grammar)
