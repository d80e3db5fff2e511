"""The evaluation briefs (eval/briefs.yaml): topic, angle, facts, call to action, words per format."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from plume.errors import InputError


class EvalBrief(BaseModel):
    """One brief of the evaluation set; `words` is one target for every format or one per format."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    topic: str = Field(min_length=1)
    angle: str | None = None
    facts: list[str] = Field(default_factory=list)
    cta: str | None = None
    words: int | dict[str, int] | None = None

    @field_validator("words")
    @classmethod
    def _positive(cls, value):
        counts = value.values() if isinstance(value, dict) else [value] if value is not None else []
        if any(n <= 0 for n in counts):
            raise ValueError("word targets must be positive")
        return value

    def words_for(self, format: str, default: int | None = None) -> int | None:
        """The requested length for a format (the format's default when the brief names none)."""
        if isinstance(self.words, dict):
            return self.words.get(format, default)
        return self.words if self.words is not None else default


class BriefSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    briefs: list[EvalBrief] = Field(min_length=1)


def default_briefs_file() -> Path:
    from plume.paths import eval_dir

    return eval_dir() / "briefs.yaml"


def load_briefs(path: Path | None = None) -> list[EvalBrief]:
    """The briefs of `path` (default: eval/briefs.yaml of the house folder); ids must be unique."""
    path = Path(path) if path else default_briefs_file()
    if not path.is_file():
        raise InputError(f"{path}: briefs file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable YAML file ({str(exc).splitlines()[0]})") from None
    if isinstance(data, list):
        data = {"briefs": data}
    try:
        briefs = BriefSet.model_validate(data).briefs
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(f"{path}: {problems}") from None
    seen: set[str] = set()
    dupes = [b.id for b in briefs if b.id in seen or seen.add(b.id)]
    if dupes:
        raise InputError(f"{path}: duplicate brief ids: {', '.join(dupes)}")
    return briefs
