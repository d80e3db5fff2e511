"""Rule declarations: the data half of the linter (the house file's `rules:` list).

Each kind of rule is one pydantic model; `Rule` is their union, discriminated by `kind`, so a broken
rule in the house file reports the rule index, the kind and the field at fault.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Severity = Literal["error", "warning", "suggestion"]
SEVERITIES: tuple[str, ...] = ("error", "warning", "suggestion")


class Scope(BaseModel):
    """Where a rule applies; an empty list means every audience (or format)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    audiences: list[str] = Field(default_factory=list)
    formats: list[str] = Field(default_factory=list)


class _AnyField(dict):
    def __missing__(self, key: str) -> str:
        return ""


class BaseRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    severity: Severity = "warning"
    message: str = Field(min_length=1)
    description: str | None = None
    scope: Scope = Field(default_factory=Scope)

    @model_validator(mode="after")
    def _message_template(self):
        """The message is a str.format template ({text}, {fix}…): a stray brace is found when the house
        loads, naming the rule, not when the rule first fires."""
        if "{" in self.message:  # (lint formats only such messages)
            try:
                self.message.format_map(_AnyField())
            except (ValueError, IndexError, AttributeError, TypeError) as exc:
                raise ValueError(f"rule {self.id!r}: message template {self.message!r} is broken ({exc}); "
                                 f"write a literal brace as {{{{ or }}}}") from None
        return self

    def applies(self, audience: str | None, format: str | None) -> bool:
        """A scoped rule needs its audience/format to be known and listed."""
        audiences, formats = self.scope.audiences, self.scope.formats
        if audiences and audience not in audiences:
            return False
        if formats and format not in formats:
            return False
        return True


class TermRule(BaseRule):
    """Shared by rules that look for house terms (variants are generated from each term)."""

    terms: list[str] = Field(default_factory=list)
    regex: list[str] = Field(default_factory=list)
    exceptions: list[str] = Field(default_factory=list)
    case_sensitive: bool = False

    @model_validator(mode="after")
    def _has_patterns(self):
        if not self.terms and not self.regex:
            raise ValueError("needs at least one entry in `terms` or `regex`")
        return self

    @field_validator("regex")
    @classmethod
    def _valid_regex(cls, value: list[str]) -> list[str]:
        import re

        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
        return value


class Substitution(TermRule):
    """A variant of a house term → the preferred wording (fixable)."""

    kind: Literal["substitution"]
    fix: str = Field(min_length=1)
    fix_plural: str | None = None
    safe: bool = True


class Banned(TermRule):
    """A term to avoid; no automatic fix (the right wording depends on the sentence)."""

    kind: Literal["banned"]
    # also inside quotes and italics, which are otherwise mentions (a wrapper's guillemet is a use)
    in_quotes: bool = False


class Occurrence(TermRule):
    """A term that may appear at most `max` times; every later occurrence is flagged."""

    kind: Literal["occurrence"]
    max: int = Field(ge=0)


class Required(BaseRule):
    """Terms the text must name (`all` of them, or `any` one); one violation per missing term."""

    kind: Literal["required"]
    terms: list[str] = Field(min_length=1)
    require: Literal["all", "any"] = "all"
    case_sensitive: bool = False


Measure = Literal["chars_utf16", "words", "hashtags", "hook", "markdown", "ending"]


class Metric(BaseRule):
    """A measure of the text against a limit: length, words, hashtags, the hook, Markdown markup, the
    ending (a question, or one of `terms`: calls to action)."""

    kind: Literal["metric"]
    measure: Measure
    max: int | None = Field(default=None, ge=0)
    min: int | None = Field(default=None, ge=0)
    device: Literal["mobile", "desktop"] = "mobile"
    terms: list[str] = Field(default_factory=list)
    safe: bool = True

    @model_validator(mode="after")
    def _has_limit(self):
        if self.measure in ("chars_utf16", "words", "hashtags") and self.max is None and self.min is None:
            raise ValueError(f"measure {self.measure!r} needs `max` or `min`")
        return self


TypoCheck = Literal["space-before", "nbsp", "guillemets", "ellipsis", "apostrophe"]


class Typography(BaseRule):
    """French typography: spaces before : ; ! ?, « » spacing, "..." → "…", ' → ’."""

    kind: Literal["typography"]
    check: TypoCheck
    safe: bool = True


class Repetition(BaseRule):
    """The same said twice. `check: sentences`: two sentences or list items whose word `n`-grams overlap
    by `threshold` or more (shared n-grams over those of the shorter one, and at least `min_shared` of
    them; sentences of fewer than `min_words` words are not compared). `check: phrase`: a group of words repeated back to back
    (« de motivation, et de motivation »: twice in a row, or joined by one of `joins`), `allow` listing
    the words that may be doubled (« vous vous »)."""

    kind: Literal["repetition"]
    check: Literal["sentences", "phrase"]
    n: int = Field(default=3, ge=1, le=8)
    threshold: float = Field(default=0.6, gt=0, le=1)
    min_words: int = Field(default=6, ge=2)
    min_shared: int = Field(default=4, ge=1)
    allow: list[str] = Field(default_factory=list)
    joins: list[str] = Field(default_factory=lambda: ["et", "ou", "ni", "puis", "voire"])


class Script(BaseRule):
    """Letters outside the Latin script (« à temps部分 »): a model switching language mid-word."""

    kind: Literal["script"]


class Cut(BaseRule):
    """A paragraph, list item or heading that stops on « … » or mid-sentence: on one of `endings`
    (words a French sentence cannot end on), or a list item that ends on « : » with nothing after it."""

    kind: Literal["cut"]
    endings: list[str] = Field(default_factory=list)


class CallToAction(BaseRule):
    """The brief's call to action (Target.cta) present more than `max` times, in any field. A passage
    counts when `threshold` of the call's words are in a window of the call's length (case, accents
    kept; punctuation and apostrophes ignored)."""

    kind: Literal["cta"]
    max: int = Field(default=1, ge=1)
    threshold: float = Field(default=0.8, gt=0, le=1)


class Length(BaseRule):
    """The word count (the linter's own count) outside `band` (a share: 0.25 = ±25 %) of the length the
    brief asked for (Target.words)."""

    kind: Literal["length"]
    band: float = Field(default=0.25, gt=0, lt=1)


class Leak(BaseRule):
    """A run of `min_words` words or more copied from the prompt's instructions (Target.instructions;
    for a file, the house's own instructions to the writer: reader, tone, what to avoid, format
    guidance) that is not also in the author's material (notes, pains, dimensions, benefits, offers,
    preferred wording): reusing the author's sentences is welcome, reciting the prompt is not."""

    kind: Literal["leak"]
    min_words: int = Field(default=8, ge=3)


Rule = Annotated[
    Union[Substitution, Banned, Occurrence, Required, Metric, Typography, Repetition, Script, Cut, CallToAction, Length, Leak],
    Field(discriminator="kind"),
]

KINDS: tuple[str, ...] = (
    "substitution", "banned", "occurrence", "required", "metric", "typography",
    "repetition", "script", "cut", "cta", "length", "leak",
)
