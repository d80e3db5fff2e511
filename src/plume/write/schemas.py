"""What the model is asked to return (structured output), and the brief it writes from.

String and list bounds live in the JSON schema (a llama.cpp grammar enforces them while decoding) but are
not re-validated on parse: a model that overshoots still gives a usable draft, and the linter reports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from plume.errors import InputError


# Latin letters, digits, French punctuation and spaces only: the grammar cannot sample « 部分 » or a
# line break inside a field. (llama.cpp's llguidance applies `pattern` together with `maxLength`.)
LATIN = "^[ -~\u00a0-\u017f\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u202f\u20ac]*$"
DEFAULT_CTA = "Parlons-en : un premier échange de 30 minutes, sans engagement."


def bounded(description: str, **schema: Any) -> Any:
    """A field whose bounds (maxLength, minItems, maxItems…) appear in the schema only; strings (and
    string items) get the Latin-script `pattern`."""
    if "maxLength" in schema:
        schema.setdefault("pattern", LATIN)
    items = schema.get("items")
    if isinstance(items, dict) and items.get("type") == "string":
        schema["items"] = {**items, "pattern": LATIN}
    return Field(description=description, json_schema_extra=schema)


class LinkedInPost(BaseModel):
    model_config = ConfigDict(extra="ignore")

    hook: str = bounded("Accroche : une question ou une douleur du lecteur.", maxLength=140)
    paragraphs: list[str] = bounded("2 ou 3 paragraphes courts.", minItems=2, maxItems=3,
                                    items={"type": "string", "maxLength": 420})
    bullets: list[str] = bounded("0 à 4 puces courtes.", maxItems=4, items={"type": "string", "maxLength": 140})
    closing: str = bounded("Une question au lecteur ou un appel à l'action.", maxLength=220)
    hashtags: list[str] = bounded("3 à 5 hashtags.", maxItems=5, items={"type": "string", "maxLength": 40})


class DimensionCopy(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str
    role: str = bounded("Son rôle pour ce lecteur.", maxLength=220)


class LandingCopy(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str = bounded("Titre.", maxLength=90)
    subtitle: str = bounded("Sous-titre.", maxLength=220)
    pains: list[str] = bounded("Douleurs du lecteur.", minItems=2, maxItems=4, items={"type": "string", "maxLength": 180})
    dimensions: list[DimensionCopy] = bounded("Les trois dimensions.", minItems=3, maxItems=3)
    benefits: list[str] = bounded("Bénéfices concrets.", minItems=3, maxItems=5, items={"type": "string", "maxLength": 180})
    how_it_works: list[str] = bounded("Étapes, dont un test à temps partagé.", minItems=2, maxItems=4,
                                      items={"type": "string", "maxLength": 200})
    call_to_action: str = bounded("Un seul appel à l'action.", maxLength=160)


def landing_schema(house) -> type[LandingCopy]:
    """LandingCopy whose dimension names are the house's own (an enum the grammar enforces)."""
    names = tuple(d.name for d in house.dimensions)
    dimension = create_model("Dimension", __base__=DimensionCopy, name=(Literal[names], ...))  # type: ignore[valid-type]
    return create_model(
        "LandingCopy",
        __base__=LandingCopy,
        dimensions=(list[dimension], bounded("Les trois dimensions.", minItems=len(names), maxItems=len(names))),
    )


def post_schema(words: int) -> type[LinkedInPost]:
    """LinkedInPost sized for `words`: paragraphs and their length follow the requested length."""
    paragraphs = max(2, min(5, round(words / 55)))
    chars = max(220, min(480, int(words * 6.5 / paragraphs) + 60))
    return create_model(
        "LinkedInPost",
        __base__=LinkedInPost,
        paragraphs=(list[str], bounded(f"{paragraphs} paragraphes courts.", minItems=paragraphs,
                                       maxItems=paragraphs, items={"type": "string", "maxLength": chars})),
    )


def schema_for(format: str, house, words: int | None = None) -> type[BaseModel] | None:
    """The structured-output model for a format (None: free text), sized for `words` when given."""
    if format == "linkedin":
        return post_schema(words) if words else LinkedInPost
    if format == "landing":
        return landing_schema(house)
    return None


class LandingHead(BaseModel):
    """What the model writes of a composed landing page: the rest is the author's."""

    model_config = ConfigDict(extra="ignore")

    title: str = bounded("Titre de la page, 10 mots au plus.", maxLength=80)
    subtitle: str = bounded("Sous-titre : une phrase au lecteur, 25 mots au plus.", maxLength=180)


class PostHead(BaseModel):
    """What the model writes of a composed LinkedIn post: the rest is the author's."""

    model_config = ConfigDict(extra="ignore")

    hook: str = bounded("Accroche : une question courte au lecteur.", maxLength=120)
    bridge: str = bounded("Une phrase courte qui relie l'accroche aux phrases de l'auteur.", maxLength=170)


def field_schema(max_chars: int) -> type[BaseModel]:
    """One field asked again alone (targeted repair)."""
    return create_model("FieldAnswer", value=(str, bounded("Le passage réécrit.", maxLength=max_chars)))


class Brief(BaseModel):
    """What to write about; the same brief (facts, call to action) is held across variants."""

    model_config = ConfigDict(extra="forbid")

    topic: str
    angle: str | None = None
    words: int | None = Field(default=None, gt=0)
    facts: list[str] = Field(default_factory=list)
    cta: str | None = None

    @classmethod
    def from_file(cls, path: Path) -> Brief:
        """A brief from YAML (topic, angle, facts, cta, words)."""
        import yaml
        from pydantic import ValidationError

        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read the brief: {exc}") from None
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
        if not isinstance(data, dict):
            raise InputError(f"{path}: a brief is a YAML mapping (topic, angle, facts, cta, words)")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'brief'}: {e['msg']}" for e in exc.errors())
            raise InputError(f"{path}: {problems}") from None
