"""The one result type of the linter, and the result of linting one text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITY_RANK = {"error": 0, "warning": 1, "suggestion": 2}


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule at one span of the text (`start`/`end` are character offsets, line/column 1-based)."""

    rule: str
    severity: str
    start: int
    end: int
    line: int
    column: int
    text: str
    message: str
    fix: str | None = None
    safe: bool = False
    source_rule: str | None = None  # an external checker's own rule id (Grammalecte's), when it has one

    def to_dict(self, file: str | None = None) -> dict[str, Any]:
        """The JSON object of `plume lint --output-format json`."""
        return {
            "file": file,
            "rule": self.rule,
            "severity": self.severity,
            "line": self.line,
            "column": self.column,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "message": self.message,
            "fix": self.fix,
            **({"source_rule": self.source_rule} if self.source_rule is not None else {}),
        }


_FIELDS = ("rule", "severity", "start", "end", "line", "column", "text", "message", "fix", "safe", "source_rule")
(_rule, _severity, _start, _end, _line, _column, _text, _message, _fix, _safe, _source_rule) = (
    Violation.__dict__[name].__set__ for name in _FIELDS)  # the slots' own setters


def new_violation(rule: str, severity: str, start: int, end: int, line: int, column: int, text: str,
                  message: str, fix: str | None, safe: bool) -> Violation:
    """Violation(rule, ..., safe), built by setting its slots directly: the frozen dataclass's __init__
    goes through object.__setattr__ once per field, and a lint run makes thousands of violations."""
    v = object.__new__(Violation)
    _rule(v, rule)
    _severity(v, severity)
    _start(v, start)
    _end(v, end)
    _line(v, line)
    _column(v, column)
    _text(v, text)
    _message(v, message)
    _fix(v, fix)
    _safe(v, safe)
    _source_rule(v, None)
    return v


@dataclass(slots=True)
class LintResult:
    """The violations found in one text, sorted by position."""

    violations: list[Violation] = field(default_factory=list)
    audience: str | None = None
    format: str | None = None
    checkers: list[str] = field(default_factory=lambda: ["house"])  # the checkers that ran
    skipped: dict[str, str] = field(default_factory=dict)  # checkers that could not run, and why

    def count(self, severity: str) -> int:
        return sum(1 for v in self.violations if v.severity == severity)

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def warnings(self) -> int:
        return self.count("warning")

    @property
    def suggestions(self) -> int:
        return self.count("suggestion")

    @property
    def clean(self) -> bool:
        """No error- or warning-level violation (suggestions do not count)."""
        return not any(v.severity in ("error", "warning") for v in self.violations)

    @property
    def fixable(self) -> int:
        return sum(1 for v in self.violations if v.safe and v.fix is not None)

    def summary(self) -> dict[str, Any]:
        """A compact record (for the history log): counts and the rules hit."""
        return {
            "errors": self.errors,
            "warnings": self.warnings,
            "suggestions": self.suggestions,
            "rules": sorted({v.rule for v in self.violations}),
        }
