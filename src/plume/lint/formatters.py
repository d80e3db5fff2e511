"""Output formats for `plume lint`, apart from the engine: text, JSON, SARIF 2.1.0, GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from plume.lint.violation import LintResult, Violation

FORMATS = ("text", "json", "sarif", "github")
_SARIF_LEVEL = {"error": "error", "warning": "warning", "suggestion": "note"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "suggestion": "notice"}
# ANSI SGR codes of the text format on a terminal (bold path, severity by colour, dim rule id).
_COLOURS = {"path": "1", "error": "1;31", "warning": "1;33", "suggestion": "36", "rule": "2", "summary": "1"}

Report = Sequence[tuple[str, LintResult]]  # (file name, result) per linted file


def use_colour(stream: Any, environ: dict[str, str] | None = None) -> bool:
    """Colour on a terminal unless NO_COLOR is set (https://no-color.org); FORCE_COLOR forces it."""
    import os

    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", ""):
        return False
    if env.get("FORCE_COLOR", ""):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and env.get("TERM") != "dumb"


def _paint(text: str, what: str, colour: bool) -> str:
    return f"\x1b[{_COLOURS[what]}m{text}\x1b[0m" if colour else text


def format_text(report: Report, colour: bool = False) -> str:
    """`file:line:col: severity rule message` (ruff's shape: editors' `%f:%l:%c:%m` reads it), one line
    per violation, then a French summary and the checkers that could not run."""
    lines = [
        f"{_paint(file, 'path', colour)}:{v.line}:{v.column}: {_paint(v.severity, v.severity, colour)} "
        f"{_paint(v.rule, 'rule', colour)} {v.message}"
        for file, result in report
        for v in result.violations
    ]
    lines.append(_paint(summary(report), "summary", colour))
    lines.extend(f"note : {name} non exécuté ({reason})" for name, reason in skipped(report).items())
    return "\n".join(lines) + "\n"


def skipped(report: Report) -> dict[str, str]:
    """The checkers that could not run on some file, and why (first reason given)."""
    found: dict[str, str] = {}
    for _, result in report:
        for name, reason in result.skipped.items():
            found.setdefault(name, reason)
    return found


def summary(report: Report) -> str:
    errors = sum(r.errors for _, r in report)
    warnings = sum(r.warnings for _, r in report)
    suggestions = sum(r.suggestions for _, r in report)
    fixable = sum(r.fixable for _, r in report)
    files = len(report)
    if not errors and not warnings and not suggestions:
        return f"{_n(files, 'fichier')} : aucun problème."
    parts = [_n(errors, "erreur"), _n(warnings, "avertissement"), _n(suggestions, "suggestion")]
    tail = f" ({fixable} corrigeable{'s' if fixable > 1 else ''} avec --fix)" if fixable else ""
    return f"{_n(files, 'fichier')} : {', '.join(parts)}{tail}."


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def violation_json(file: str, v: Violation) -> dict[str, Any]:
    """One violation: file, rule, severity, line, column, start, end, text, message, fix, safe (whether
    `--fix` applies the fix: False when there is no fix or it needs a human)."""
    return {**v.to_dict(file=file), "safe": bool(v.safe and v.fix is not None)}


def to_json(report: Report) -> dict[str, Any]:
    """{"violations": [...], "files": [per file: audience, format, checkers that ran, skipped, counts],
    "checkers": every checker that ran, "skipped": {checker: reason}, "summary": counts}."""
    files = [
        {
            "file": file,
            "audience": result.audience,
            "format": result.format,
            "checkers": list(result.checkers),
            "skipped": dict(result.skipped),
            "errors": result.errors,
            "warnings": result.warnings,
            "suggestions": result.suggestions,
            "fixable": result.fixable,
        }
        for file, result in report
    ]
    ran = list(dict.fromkeys(name for _, result in report for name in result.checkers))
    return {
        "violations": [violation_json(file, v) for file, result in report for v in result.violations],
        "files": files,
        "checkers": ran,
        "skipped": skipped(report),
        "summary": {k: sum(f[k] for f in files) for k in ("errors", "warnings", "suggestions", "fixable")}
        | {"files": len(files)},
    }


def format_json(report: Report) -> str:
    return json.dumps(to_json(report), ensure_ascii=False, indent=2) + "\n"


def _end_position(v: Violation) -> tuple[int, int]:
    breaks = v.text.count("\n")
    if not breaks:
        return v.line, v.column + len(v.text)
    return v.line + breaks, len(v.text) - v.text.rfind("\n")


def _sarif_result(file: str, v: Violation) -> dict[str, Any]:
    end_line, end_column = _end_position(v)
    location = {"uri": file}
    result: dict[str, Any] = {
        "ruleId": v.rule,
        "level": _SARIF_LEVEL.get(v.severity, "warning"),
        "message": {"text": v.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": {
                        "startLine": v.line,
                        "startColumn": v.column,
                        "endLine": end_line,
                        "endColumn": end_column,
                        "charOffset": v.start,
                        "charLength": v.end - v.start,
                        "snippet": {"text": v.text},
                    },
                }
            }
        ],
    }
    if v.fix is not None:
        result["fixes"] = [
            {
                "description": {"text": f"Remplacer par « {v.fix} »" if v.fix else "Supprimer"},
                "artifactChanges": [
                    {
                        "artifactLocation": location,
                        "replacements": [
                            {
                                "deletedRegion": {"charOffset": v.start, "charLength": v.end - v.start},
                                "insertedContent": {"text": v.fix},
                            }
                        ],
                    }
                ],
            }
        ]
    return result


def to_sarif(report: Report, rules: Iterable[Any] = ()) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run; `rules` (house rules) describe the tool's rules."""
    from plume import __version__

    descriptors = [
        {
            "id": r.id,
            "shortDescription": {"text": r.message},
            **({"fullDescription": {"text": r.description}} if getattr(r, "description", None) else {}),
            "defaultConfiguration": {"level": _SARIF_LEVEL.get(r.severity, "warning")},
            "properties": {"kind": r.kind},
        }
        for r in rules
    ]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "plume", "version": __version__, "rules": descriptors}},
                "columnKind": "unicodeCodePoints",
                "results": [_sarif_result(file, v) for file, result in report for v in result.violations],
                **_sarif_checkers(report),
            }
        ],
    }


def _sarif_checkers(report: Report) -> dict[str, Any]:
    """The checkers that ran and those skipped: run properties and tool notifications."""
    ran = list(dict.fromkeys(name for _, result in report for name in result.checkers))
    left = skipped(report)
    notes = [{"level": "warning", "descriptor": {"id": name}, "message": {"text": f"{name} not run: {reason}"}}
             for name, reason in left.items()]
    return {
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
        "properties": {"checkers": ran, "skipped": left},
    }


def format_sarif(report: Report, rules: Iterable[Any] = ()) -> str:
    return json.dumps(to_sarif(report, rules), ensure_ascii=False, indent=2) + "\n"


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def format_github(report: Report) -> str:
    """GitHub Actions workflow commands: one `::error file=…,line=…::message` annotation per violation."""
    lines = []
    for file, result in report:
        for v in result.violations:
            end_line, end_column = _end_position(v)
            props = f"file={_escape_property(file)},line={v.line},col={v.column},endLine={end_line}"
            if end_line == v.line:
                props += f",endColumn={end_column}"
            props += f",title={_escape_property('plume ' + v.rule)}"
            lines.append(f"::{_GITHUB_LEVEL.get(v.severity, 'warning')} {props}::{_escape_data(v.message)}")
    return "".join(line + "\n" for line in lines)


def render(report: Report, output_format: str, rules: Iterable[Any] = (), colour: bool = False) -> str:
    """The report in one of FORMATS (`colour`: ANSI colours in the text format)."""
    if output_format == "text":
        return format_text(report, colour)
    if output_format == "json":
        return format_json(report)
    if output_format == "sarif":
        return format_sarif(report, rules)
    if output_format == "github":
        return format_github(report)
    raise ValueError(f"unknown output format {output_format!r} (expected: {', '.join(FORMATS)})")
