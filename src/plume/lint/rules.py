"""Rule declarations (provisional: the lint engine owner replaces this with the full rule model)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Rule(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    kind: str
    severity: Literal["error", "warning", "suggestion"] = "warning"
    message: str
