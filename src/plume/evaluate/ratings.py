"""A reader's marks, as review.html downloads them: one mark (publishable, light edit, rewrite) and a note
per output. `plume eval --ratings FILE` folds them into the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from plume.errors import InputError
from plume.evaluate.records import EvalRecord

SCHEMA = "plume-review/1"
MARKS = ("publishable", "light-edit", "rewrite")


class Mark(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mark: Literal["publishable", "light-edit", "rewrite"] | None = None
    note: str = ""


class Ratings(BaseModel):
    """The file review.html saves."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal["plume-review/1"] = Field(SCHEMA, alias="schema")
    run: str | None = None  # the run's `created` stamp, as the page was written
    reviewer: str | None = None
    saved: str | None = None  # when the reader saved the file (the browser's clock)
    marks: dict[str, Mark] = Field(default_factory=dict)
    file: str | None = Field(None, exclude=True)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=2) + "\n"

    def summary(self, records: list[EvalRecord]) -> dict[str, Any]:
        """Who rated, when, and how the marks agree with the critic."""
        rated = [r for r in records if r.rating]
        reader = {r.id for r in rated if r.rating == "publishable"}
        critic = {r.id for r in rated if r.publishable}
        return {
            "file": self.file,
            "reviewer": self.reviewer,
            "saved": self.saved,
            "rated": len(rated),
            "agree_publishable": len(reader & critic),
            "reader_only": len(reader - critic),
            "critic_only": len(critic - reader),
        }


def read_ratings(path: Path) -> Ratings:
    """The marks of a review.html download; one clear line when the file is not one."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: ratings file not found")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a JSON file ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InputError(f"{path}: not a review.html ratings file (schema {SCHEMA!r} expected)")
    try:
        ratings = Ratings.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise InputError(f"{path}: {'.'.join(map(str, problem['loc']))}: {problem['msg']}") from None
    ratings.file = path.name
    return ratings


def apply_ratings(records: list[EvalRecord], ratings: Ratings) -> list[EvalRecord]:
    """The records with the reader's mark and note (records the reader left alone are unchanged)."""
    out = []
    for r in records:
        mark = ratings.marks.get(r.id)
        if mark is not None:
            r = r.model_copy(update={"rating": mark.mark, "rating_note": mark.note or None})
        out.append(r)
    return out
