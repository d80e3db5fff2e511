"""The house file: positioning as data (audiences, formats, dimensions, verbs, vocabulary, rules).

Validated by pydantic; a broken file gives one error naming the file, the field and the problem. The
`rules:` list is the linter's data: plume.lint validates it against its rule kinds when it builds its
plan (plume.lint.plan), so this module does not depend on the linter.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from plume.errors import InputError


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
    steps: list[str] = Field(default_factory=list)  # how it works, first step first (landing composition)
    hashtags: list[str] = Field(default_factory=list)  # CamelCase French words, without « # »
    hooks: list[str] = Field(default_factory=list)  # the reader's pains as opening questions (post composition)
    # who the reader is when a brief's topic names them (« Le COO qui… »): a topic about another audience's
    # role does not make the title of this reader's page
    roles: list[str] = Field(default_factory=list)
    # the people this reader works beside, whom a brief's fact may name (« Le CEO porte la casquette de COO… »
    # to a Chief of Staff, the CEO's right hand) though a title about them speaks to someone else
    works_with: list[str] = Field(default_factory=list)


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
    rules: list[dict[str, Any]] = Field(default_factory=list)  # validated by plume.lint.plan

    _path: Path | None = PrivateAttr(default=None)  # the file it was read from, for error messages

    @property
    def path(self) -> Path | None:
        return self._path

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


def _problem(error: dict, prefix: str = "") -> str:
    message = error["msg"].removeprefix("Value error, ")
    loc = (prefix, *error["loc"]) if prefix else error["loc"]
    return f"{_field_path(loc)}: {message}"


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
        house = House.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{path}: {problems_of(exc)}") from None
    house._path = path
    return house


def problems_of(exc: ValidationError, prefix: str = "") -> str:
    """A pydantic error as one line: `field.path: problem; …` (`prefix` names the list validated)."""
    return "; ".join(_problem(e, prefix) for e in exc.errors())


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int) -> House:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the house file ({exc.strerror or exc})") from None
    return parse_house(text, path)


def load_house(path: Path | None = None) -> House:
    """The house file (default: prompts/house.yaml of the house folder)."""
    if path is None:
        from plume.paths import house_file

        path = house_file()
    path = Path(path)
    try:
        st = path.stat()
        resolved = path.resolve()
    except FileNotFoundError:
        raise InputError(f"{path}: house file not found") from None
    except (OSError, RuntimeError) as exc:  # a folder it cannot enter, a symlink loop: say so, not "not found"
        raise InputError(f"{path}: cannot read the house file ({getattr(exc, 'strerror', None) or exc})") from None
    if not path.is_file():
        raise InputError(f"{path}: house file not found (not a regular file)")
    return _load_cached(resolved, st.st_mtime_ns)
