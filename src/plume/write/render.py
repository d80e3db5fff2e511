"""Structured answers → text: LinkedIn-ready plain text (or Markdown for the vault), landing Markdown."""

from __future__ import annotations

import json
import re

from plume.write.schemas import DimensionCopy, LandingCopy, LinkedInPost

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)
_LEADING_BULLET = re.compile(r"^\s*(?:[-*+•→]|\d+[.)])\s+")


_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def clean_line(text: str) -> str:
    """One line of copy: whitespace collapsed, a leading list marker dropped, typographic apostrophes."""
    return _APOSTROPHE.sub("’", _LEADING_BULLET.sub("", " ".join(str(text).split())))


_SENTENCE_END = re.compile(r"[.!?…»)](?=\s)")


def _uncut(text: str, limit: int) -> str:
    """A string the grammar stopped at its length limit ends mid-sentence: keep it up to its last sentence
    end, or drop it (never a « … » in the middle of the copy)."""
    if len(text) < limit - 1 or text.endswith((".", "?", "!", "…", "»", ")")):
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    return text[: ends[-1]].strip() if ends else ""


def _limit(model, field: str) -> int:
    """The maxLength the schema gives a string field (or its list items)."""
    extra = model.model_fields[field].json_schema_extra or {}
    return int(extra.get("maxLength") or (extra.get("items") or {}).get("maxLength") or 10**6)


def _hashtag(tag: str) -> str:
    word = re.sub(r"[\s#]+", "", str(tag))
    return f"#{word}" if word else ""


_LABEL = re.compile(r"^(?:appel à l['’]action|question|cta|conclusion)\s*:\s*", re.IGNORECASE)


def _with_cta(closing: str, cta: str | None) -> list[str]:
    """The post's last words: the brief's call to action word for word when there is one (the model's
    closing is then left out: a question before it, or a paraphrase of it, would close the post twice);
    otherwise the model's closing."""
    closing = _LABEL.sub("", clean_line(closing))
    if cta and cta.strip():
        return [cta.strip()]
    return [closing] if closing else []


def _repeats(text: str, cta: str | None) -> bool:
    """`text` is, or contains, the call to action (or a near copy of it)."""
    from difflib import SequenceMatcher

    if not cta or not cta.strip() or not text:
        return False
    a, b = text.lower(), cta.strip().lower()
    return b in a or SequenceMatcher(None, a, b).ratio() >= 0.75


def render_linkedin(post: LinkedInPost, *, markdown: bool = False, cta: str | None = None) -> str:
    """Plain text LinkedIn shows as written (• bullets); `markdown` keeps a bold hook and - bullets."""
    hook = _uncut(clean_line(post.hook), _limit(LinkedInPost, "hook"))
    hook = "" if _repeats(hook, cta) else hook
    blocks = [f"**{hook}**" if markdown and hook else hook]
    paragraphs = [p for p in (_uncut(clean_line(p), _limit(LinkedInPost, "paragraphs")) for p in post.paragraphs) if p]
    paragraphs = [p for p in paragraphs if not _repeats(p, cta)]  # the call to action closes the post, once
    blocks += paragraphs
    bullets = [b for b in (_uncut(clean_line(b), _limit(LinkedInPost, "bullets")) for b in post.bullets) if b]
    bullets = [b for b in bullets if not _repeats(b, cta)]
    if bullets:
        mark = "- " if markdown else "• "
        blocks.append("\n".join(mark + b for b in bullets))
    blocks += _with_cta(_uncut(clean_line(post.closing), _limit(LinkedInPost, "closing")), cta)
    tags = list(dict.fromkeys(t for t in (_hashtag(t) for t in post.hashtags) if t))[:5]
    if tags:
        blocks.append(" ".join(tags))
    return "\n\n".join(b for b in blocks if b) + "\n"


def render_landing(copy: LandingCopy, *, house=None, cta: str | None = None) -> str:
    """Landing copy as Markdown; a house dimension the model left out is filled from the house file."""
    dimensions = list(copy.dimensions)
    if house is not None:
        have = {d.name for d in dimensions}
        dimensions = [d for d in dimensions if d.name in {h.name for h in house.dimensions}]
        dimensions += [DimensionCopy(name=h.name, role=h.role) for h in house.dimensions if h.name not in have]

    def cut(text: str, field: str, model=LandingCopy) -> str:
        return _uncut(clean_line(text), _limit(model, field))

    def items(values: list[str], field: str) -> list[str]:
        return [x for x in (cut(v, field) for v in values) if x and not _repeats(x, cta)]

    lines = [f"# {cut(copy.title, 'title')}", "", cut(copy.subtitle, "subtitle"), ""]
    if pains := items(copy.pains, "pains"):
        lines += ["### Vous vous reconnaissez ?", "", *(f"- {p}" for p in pains), ""]
    lines += ["### Trois dimensions", "",
              *(f"- **{d.name}** : {cut(d.role, 'role', DimensionCopy)}" for d in dimensions), ""]
    if benefits := items(copy.benefits, "benefits"):
        lines += ["### Ce que vous y gagnez", "", *(f"- {b}" for b in benefits), ""]
    if steps := items(copy.how_it_works, "how_it_works"):
        lines += ["### Comment ça se passe", "", *(f"{i}. {x}" for i, x in enumerate(steps, 1)), ""]
    action = cta.strip() if cta and cta.strip() else cut(copy.call_to_action, "call_to_action")
    lines += [f"**{action}**", ""]
    return "\n".join(lines)


def parse_structured(text: str, schema):
    """The model's JSON answer as `schema`, or None when it is not JSON of that shape."""
    from pydantic import ValidationError

    raw = _FENCE.sub("", text.strip())
    start, end = raw.find("{"), raw.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        return schema.model_validate(json.loads(raw[start : end + 1]))
    except (json.JSONDecodeError, ValidationError):
        return None


def to_markdown(text: str) -> str:
    """LinkedIn plain text back to vault Markdown: • and → bullets become list items."""
    return re.sub(r"^[•→]\s+", "- ", text, flags=re.MULTILINE)
