"""Output formats for `plume lint`, apart from the engine: text, JSON, SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from plume.lint.violation import LintResult, Violation

FORMATS = ("text", "json", "sarif")
_SARIF_LEVEL = {"error": "error", "warning": "warning", "suggestion": "note"}

Report = Sequence[tuple[str, LintResult]]  # (file name, result) per linted file


def format_text(report: Report) -> str:
    """`file:line:col severity rule message`, one line per violation, then a French summary."""
    lines = [
        f"{file}:{v.line}:{v.column} {v.severity} {v.rule} {v.message}"
        for file, result in report
        for v in result.violations
    ]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


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


def to_json(report: Report) -> list[dict[str, Any]]:
    """The list of violation objects: file, rule, severity, line, column, start, end, text, message, fix."""
    return [v.to_dict(file=file) for file, result in report for v in result.violations]


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
            }
        ],
    }


def format_sarif(report: Report, rules: Iterable[Any] = ()) -> str:
    return json.dumps(to_sarif(report, rules), ensure_ascii=False, indent=2) + "\n"


def render(report: Report, output_format: str, rules: Iterable[Any] = ()) -> str:
    """The report in one of FORMATS."""
    if output_format == "text":
        return format_text(report)
    if output_format == "json":
        return format_json(report)
    if output_format == "sarif":
        return format_sarif(report, rules)
    raise ValueError(f"unknown output format {output_format!r} (expected: {', '.join(FORMATS)})")
