"""The outcome of a writing job, as the CLI, the variants manifest and `plume eval` read it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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
