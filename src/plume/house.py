"""The house file: positioning as data (audiences, formats, dimensions, verbs, vocabulary, rules).

Validated by pydantic; a broken file gives one error naming the file, the field and the problem.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from plume.errors import InputError
from plume.lint.rules import Rule


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Author(Strict):
    name: str
    designation: str
    earlier_designations: list[str] = Field(default_factory=list)
    offer: str
    voice: list[str] = Field(default_factory=list)


class Audience(Strict):
    label: str
    reader: str
    pains: list[str]
    vocabulary: list[str] = Field(default_factory=list)
    avoid: list[str] = Field(default_factory=list)
    tone: str
    offer: str


class Format(Strict):
    label: str
    description: str
    default_words: int
    max_chars: int | None = None
    guidance: list[str] = Field(default_factory=list)


class Dimension(Strict):
    name: str
    role: str


class NoteRole(Strict):
    status: Literal["current", "earlier"] = "current"
    superseded_by: str | None = None
    use: list[Literal["exemplar", "before_after"]] = Field(default_factory=lambda: ["exemplar"])
    audiences: list[str] = Field(default_factory=list)


class House(Strict):
    name: str
    language: str = "fr"
    author: Author
    audiences: dict[str, Audience]
    formats: dict[str, Format]
    dimensions: list[Dimension]
    verbs: list[str]
    benefits: list[str] = Field(default_factory=list)
    preferred: list[str] = Field(default_factory=list)
    notes: dict[str, NoteRole] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)

    _lint_cache: Any = PrivateAttr(default=None)  # the rules compiled by plume.lint, built on first use

    @model_validator(mode="after")
    def _rules_are_consistent(self):
        seen: set[str] = set()
        for i, rule in enumerate(self.rules):
            if rule.id in seen:
                raise ValueError(f"rules.{i}.id: duplicate rule id {rule.id!r}")
            seen.add(rule.id)
            for key in rule.scope.audiences:
                if key not in self.audiences:
                    raise ValueError(f"rules.{i}.scope.audiences: unknown audience {key!r} in rule {rule.id!r}")
            for key in rule.scope.formats:
                if key not in self.formats:
                    raise ValueError(f"rules.{i}.scope.formats: unknown format {key!r} in rule {rule.id!r}")
        return self

    def audience(self, key: str) -> Audience:
        try:
            return self.audiences[key]
        except KeyError:
            raise InputError(f"unknown audience {key!r} (house has: {', '.join(self.audiences)})") from None

    def format(self, key: str) -> Format:
        try:
            return self.formats[key]
        except KeyError:
            raise InputError(f"unknown format {key!r} (house has: {', '.join(self.formats)})") from None

    def note_role(self, note_id: str) -> NoteRole:
        return self.notes.get(note_id, NoteRole())


def _field_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _problem(error: dict) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if not error["loc"] and message.startswith("rules."):
        return message  # a whole-house check that names its own field
    return f"{_field_path(error['loc'])}: {message}"


def parse_house(text: str, path: Path) -> House:
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise InputError(f"{path}: invalid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: the house file must be a YAML mapping")
    try:
        return House.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_problem(e) for e in exc.errors())
        raise InputError(f"{path}: {problems}") from None


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int) -> House:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8") from None
    return parse_house(text, path)


def load_house(path: Path | None = None) -> House:
    """The house file (default: prompts/house.yaml of the house folder)."""
    if path is None:
        from plume.paths import house_file

        path = house_file()
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: house file not found")
    return _load_cached(path.resolve(), path.stat().st_mtime_ns)
