"""The outcome of a writing job, as the CLI, the variants manifest and `plume eval` read it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from plume.write.candidates import Candidate
from plume.write.schemas import Brief, LandingCopy, LinkedInPost


class WriteResult(BaseModel):
    """Text after the lint/repair loop, what remains wrong with it, and what it cost.

    `first_pass_violations`: the lint of the first model answer after the safe deterministic fixes,
    before any repair prompt. `violations`: what remains in `text`. `attempts`: model calls made.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    text: str
    audience: str
    format: str | None = None
    brief: Brief | None = None
    source: str | None = None  # rewrite: the draft as given
    violations: list[dict[str, Any]] = Field(default_factory=list)
    first_pass_violations: list[dict[str, Any]] = Field(default_factory=list)
    attempts: int = 0
    errors: int = 0
    warnings: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    duration_s: float = 0.0
    model: str | None = None
    backend: str | None = None
    history_ids: list[Any] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)  # corpus notes shown to the model as exemplars
    landing: LandingCopy | None = None
    post: LinkedInPost | None = None
    strategy: str = "free"  # "free": the model writes the piece; "compose": the author's sentences
    candidates: list[Candidate] = Field(default_factory=list)  # every version judged, in order drawn
    winner: int | None = None  # index of the chosen candidate
    winner_reason: str | None = None
    model_calls: int = 0  # completions asked for (all candidates and repairs)
    field_repairs: int = 0  # fields asked again alone
    dropped_fields: int = 0  # fields left out because the piece stood without them
    repair_tokens: int = 0  # completion tokens spent on repairs
    tokens_saved: int = 0  # estimate: whole-text repairs avoided, minus what the field repairs cost
    lints: int = 0  # texts the critic linted (each once)

    @property
    def first_candidate(self) -> Candidate | None:
        """The first answer of the model as judged (what eval reports as the raw first pass)."""
        return next((c for c in self.candidates if c.origin == "model"), None)

    @property
    def clean(self) -> bool:
        """No error- or warning-level violation left."""
        return self.errors == 0 and self.warnings == 0

    @property
    def status(self) -> str:
        return "clean" if self.clean else "violations"

    def to_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["clean"] = self.clean
        data["status"] = self.status
        return data
