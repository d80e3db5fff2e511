"""Which violations `plume lint` reports: `--select`, `--ignore`, `--min-severity`, from the command line,
plume.toml's `[lint]` table and its per-folder overrides (`[lint.per-folder."drafts"]`).

A selector is a rule id (`designation-externe`), a prefix of ids (`typo` selects `typo-*`, like ruff's
`E4`), a glob (`linkedin-*`), `ALL`, or the name of a checker (`grammalecte`). Precedence: the command
line, then the deepest per-folder table that contains the file, then `[lint]`; `select` and
`min-severity` replace, `ignore` lists add up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from plume.errors import InputError
from plume.lint.violation import SEVERITY_RANK, LintResult, Violation

SEVERITIES = tuple(SEVERITY_RANK)  # error, warning, suggestion
KEYS = ("select", "ignore", "min-severity")


def matches(selector: str, rule: str) -> bool:
    if selector == "ALL" or selector == rule or rule.startswith(selector + "-"):
        return True
    return any(c in selector for c in "*?[") and fnmatchcase(rule, selector)


@dataclass(frozen=True, slots=True)
class Selection:
    """What to report. `select` None: every rule; `min_severity` None: every severity."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    min_severity: str | None = None

    def over(self, base: Selection) -> Selection:
        """This selection laid over `base`: select and min-severity replace, ignores add up."""
        return Selection(
            self.select if self.select is not None else base.select,
            tuple(dict.fromkeys((*base.ignore, *self.ignore))),
            self.min_severity or base.min_severity,
        )

    @property
    def everything(self) -> bool:
        return self.select is None and not self.ignore and self.min_severity in (None, "suggestion")

    def keeps(self, rule: str, severity: str) -> bool:
        if self.min_severity and SEVERITY_RANK.get(severity, 9) > SEVERITY_RANK[self.min_severity]:
            return False
        if self.select is not None and not any(matches(s, rule) for s in self.select):
            return False
        return not any(matches(s, rule) for s in self.ignore)

    def keep(self, v: Violation) -> bool:
        return self.keeps(v.rule, v.severity)

    def filter(self, result: LintResult) -> LintResult:
        if self.everything:
            return result
        return LintResult([v for v in result.violations if self.keep(v)], result.audience, result.format,
                          result.checkers, result.skipped)

    def house_rules(self, rule_ids: Iterable[str]) -> set[str] | None:
        """The house rule ids worth running (None: all of them), for `lint_text(select=...)`."""
        if self.select is None and not self.ignore:
            return None
        return {r for r in rule_ids if self.select is None or any(matches(s, r) for s in self.select)} - {
            r for r in rule_ids if any(matches(s, r) for s in self.ignore)
        }

    def checkers_off(self, checkers: dict[str, Sequence[str]]) -> set[str]:
        """Checkers ({name: the rule ids it reports}) the selection turns off: `--ignore grammalecte`, or a
        selection that leaves every one of its rules out."""
        return {name for name, rules in checkers.items()
                if name in self.ignore or (self.select is not None and name not in self.select
                                           and not any(self.keeps(r, "error") for r in rules))}

    def check(self, known: Iterable[str], checkers: dict[str, Sequence[str]], where: str) -> None:
        """InputError naming `where` for a selector that matches no rule (house rules and the checkers'
        own) and no checker."""
        known = [*known, *(r for rules in checkers.values() for r in rules)]
        for s in (*(self.select or ()), *self.ignore):
            if s not in checkers and not any(matches(s, r) for r in known):
                raise InputError(f"{where}: unknown rule or checker {s!r} (see: plume rules)")


def parse(raw: dict[str, Any], where: str) -> Selection:
    """A Selection from a `[lint]` (or per-folder) table; InputError naming `where` for bad values."""
    unknown = set(raw) - set(KEYS) - {"per-folder"}
    if unknown:
        raise InputError(f"{where}: unknown key {sorted(unknown)[0]!r} (expected: {', '.join(KEYS)}, per-folder)")

    def ids(key: str) -> tuple[str, ...] | None:
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise InputError(f"{where}: {key} must be a list of rule ids")
        return tuple(value)

    severity = raw.get("min-severity")
    if severity is not None and severity not in SEVERITIES:
        raise InputError(f"{where}: min-severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    return Selection(ids("select"), ids("ignore") or (), severity)


def from_flags(select: Sequence[str] | None, ignore: Sequence[str] | None, min_severity: str | None) -> Selection:
    """The command line's selection (`--select a,b --select c` and repeated flags both work)."""

    def split(values: Sequence[str] | None) -> tuple[str, ...] | None:
        if not values:
            return None
        return tuple(part.strip() for v in values for part in v.split(",") if part.strip())

    if min_severity is not None and min_severity not in SEVERITIES:
        raise InputError(f"--min-severity: expected one of {', '.join(SEVERITIES)}, not {min_severity!r}")
    return Selection(split(select), split(ignore) or (), min_severity)


@dataclass(slots=True)
class LintConfig:
    """The `[lint]` table of plume.toml: a base selection and per-folder ones (folders relative to `root`)."""

    base: Selection = field(default_factory=Selection)
    folders: list[tuple[Path, Selection]] = field(default_factory=list)
    root: Path = field(default_factory=Path.cwd)
    where: str = "plume.toml"

    def for_file(self, name: str) -> Selection:
        """The configured selection for one file (stdin: the base one)."""
        chosen = self.base
        if name == "-" or not self.folders:
            return chosen
        path = Path(name).resolve()
        for folder, selection in sorted(self.folders, key=lambda f: len(f[0].parts)):
            if path == folder or folder in path.parents or fnmatchcase(_rel(path, self.root), str(folder.relative_to(self.root))):
                chosen = selection.over(chosen)
        return chosen

    def selections(self) -> list[tuple[str, Selection]]:
        return [(f"{self.where}: [lint]", self.base),
                *((f"{self.where}: [lint.per-folder.{_rel(f, self.root)!r}]", s) for f, s in self.folders)]


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def load_config(table: dict[str, Any], root: Path, where: str) -> LintConfig:
    """The LintConfig of a `[lint]` table read from the config file `where` (in folder `root`)."""
    if not isinstance(table, dict):
        raise InputError(f"{where}: [lint] must be a table")
    folders: list[tuple[Path, Selection]] = []
    per_folder = table.get("per-folder", {})
    if not isinstance(per_folder, dict):
        raise InputError(f"{where}: [lint.per-folder] must be a table of folder = {{ select, ignore, min-severity }}")
    for folder, raw in per_folder.items():
        if not isinstance(raw, dict):
            raise InputError(f"{where}: [lint.per-folder.{folder!r}] must be a table")
        folders.append(((root / folder).resolve(), parse(raw, f"{where}: [lint.per-folder.{folder!r}]")))
    top = {k: v for k, v in table.items() if k not in DEFAULTS}  # the default audience/format: plume.cli.lint_run
    return LintConfig(parse(top, f"{where}: [lint]"), folders, root.resolve(), where)


DEFAULTS = ("audience", "format")  # [lint] audience/format: used when neither the flags nor the file give one
