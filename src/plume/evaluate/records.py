"""One judged output of an evaluation run, and the pure functions that score its text."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, Field

from plume.voice import plain_text  # noqa: F401 - re-exported: eval scores plain text

BLOCKING = ("error", "warning")
BANNED_KINDS = ("banned", "substitution")



class Asked(BaseModel):
    """What the brief asked that the critic checks: the call to action (once), the length (band), and the
    asker's own words (topic, angle, facts), which the copy may reuse word for word."""

    cta: str | None = None
    words: int | None = None
    material: str | None = None

    @classmethod
    def of(cls, brief, words: int | None) -> Asked:
        """From an eval brief (plume.evaluate.briefs.EvalBrief) and the words requested for the format."""
        material = "\n".join(t for t in (brief.topic, brief.angle, *brief.facts) if t)
        return cls(cta=brief.cta, words=words, material=material or None)


class EvalRecord(BaseModel):
    """What the metrics need to know about one output (brief × audience × format)."""

    brief: str
    audience: str
    format: str
    status: Literal["clean", "violations", "failed"]
    text: str = ""
    requested_words: int | None = None
    words: int = 0
    first_pass: list[dict[str, Any]] = Field(default_factory=list)  # violations before any repair
    violations: list[dict[str, Any]] = Field(default_factory=list)  # violations left at the end
    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    duration_s: float = 0.0
    model: str = ""
    backend: str = ""
    error: str | None = None
    voice: float | None = None  # cosine similarity to the corpus centroid
    voice_max: float | None = None  # highest cosine similarity to one note
    dimensions: list[str] = Field(default_factory=list)  # house dimensions the text names
    banned_first_pass: int = 0  # banned / substitution hits before any repair
    banned_final: int = 0
    asked: Asked | None = None  # what the brief asked, as the critic is told (None: older record)
    first_text: str | None = None  # the first answer after the safe fixes, when repair changed it
    # the whole critic (house rules + external checkers + defects + length), run by eval itself
    critic_first: list[dict[str, Any]] | None = None  # on the first answer (None: that answer was not kept)
    critic_final: list[dict[str, Any]] | None = None  # on `text`
    critic_checkers: list[str] = Field(default_factory=list)  # the checkers that ran
    critic_skipped: dict[str, str] = Field(default_factory=dict)  # checkers that could not run, and why
    # how the writer worked (what its WriteResult exposes; None when the writer did not say)
    strategy: str | None = None
    candidates: int | None = None
    model_calls: int | None = None
    field_repairs: int | None = None  # fields asked again alone (targeted repair)
    dropped_fields: int | None = None  # failing fields left out because the piece stood without them
    calls_saved: int | None = None  # model calls targeted repair saved: a dropped field needs none
    tokens_saved: int | None = None  # completion tokens saved over whole-text repairs (writer's estimate)
    # a reader's mark from review.html (plume eval --ratings): publishable, light-edit or rewrite
    rating: Literal["publishable", "light-edit", "rewrite"] | None = None
    rating_note: str | None = None

    @property
    def id(self) -> str:
        return f"{self.brief}-{self.audience}-{self.format}"

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    @property
    def first_pass_ok(self) -> bool:
        return not blocking(self.first_pass)

    @property
    def final_ok(self) -> bool:
        return not blocking(self.violations)

    @property
    def publishable(self) -> bool | None:
        """No error or warning from the whole critic on the final text. A failed output (no copy) is not
        publishable; None: not judged by the critic."""
        if self.failed:
            return False
        if self.critic_final is None:
            return None
        return not blocking(self.critic_final)

    @property
    def publishable_first(self) -> bool | None:
        """The same on the first answer; None when that answer was not kept and cannot be judged."""
        if self.failed:
            return False
        if self.critic_first is None:
            return None
        return not blocking(self.critic_first)


def blocking(violations: list[dict[str, Any]]) -> int:
    """Error- and warning-level violations (suggestions do not count against compliance)."""
    return sum(1 for v in violations if v.get("severity") in BLOCKING)


def count_words(text: str) -> int:
    """Words of the copy as a reader counts them: plume.markdown's one word counter."""
    from plume.markdown import count_words as markdown_words

    return markdown_words(text)


def sentences_of(text: str, min_words: int = 6) -> set[str]:
    """The sentences of a piece long enough for a reader to notice them again (`min_words` or more),
    as plain lower-cased text: the blocks and sentences of plume.lint.segments, the Markdown reader
    the linter uses (frontmatter, comments and hashtag lines left out)."""
    from plume.lint.markdown import body_start, never_spans
    from plume.lint.segments import split_blocks

    start = body_start(text)
    found: set[str] = set()
    for block in split_blocks(text, start, never_spans(text, start)):
        for s, e in block.sentences:
            sentence = " ".join(plain_text(text[s:e]).lower().split())
            if count_words(sentence) >= min_words:
                found.add(sentence)
    return found


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def dimensions_named(text: str, names: list[str]) -> list[str]:
    """The dimension names the text contains (case and accents ignored: "Eclaireur" counts)."""
    folded = _fold(plain_text(text))
    return [n for n in names if re.search(rf"(?<!\w){re.escape(_fold(n))}(?!\w)", folded)]


def length_error_of(record: EvalRecord) -> float | None:
    """|produced / requested − 1|: 0 is on target, 0.5 is half again too long or half too short."""
    if not record.requested_words:
        return None
    return abs(record.words / record.requested_words - 1)


def banned_hits(violations: list[dict[str, Any]], banned_rules: set[str]) -> int:
    """Violations of banned-term or substitution rules."""
    return sum(1 for v in violations if v.get("rule") in banned_rules)


def banned_rule_ids(house) -> set[str]:
    """The ids of the house's banned-term and substitution rules (its `rules:` data, as the linter reads it)."""
    from plume.lint.plan import rules_of

    return {r.id for r in rules_of(house) if r.kind in BANNED_KINDS}
