"""HTML of one post as the LinkedIn feed shows it: cards cut where the linter cuts, lint marks, escaped."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from plume.preview.highlight import segments
from plume.preview.source import Post

GENERATOR = "plume preview"
SEVERITY_LABELS = {"error": "erreur", "warning": "avertissement", "suggestion": "suggestion"}
DEVICES = (("mobile", "Mobile"), ("desktop", "Ordinateur"))


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Templates shipped in the package; autoescape on for everything, undefined names are errors."""
    env = Environment(
        loader=PackageLoader("plume.preview", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    from plume import __version__

    env.globals.update(generator=GENERATOR, version=__version__)
    return env


def author_info(house: Any) -> dict[str, str]:
    """Name and headline from plume.toml [author], defaulting to the house file's author."""
    from plume.config import section

    conf = section("author")
    name = str(conf.get("name") or house.author.name)
    headline = str(conf.get("headline") or house.author.designation)
    letters = (next((c for c in word if c.isalpha()), "") for word in name.split()[:2])
    initials = "".join(letters).upper() or "?"
    return {"name": name, "headline": headline, "initials": initials}


def utf16_len(text: str) -> int:
    """Characters as LinkedIn counts them (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def lint_post(post: Post, house: Any, audience: str | None, format: str | None):
    """The linter's verdict on the whole file (frontmatter included, offsets into the full text)."""
    from plume.lint import lint_text

    return lint_text(post.text, house=house, audience=audience, format=format)


def cards(text: str) -> list[dict[str, Any]]:
    """One feed card per device, cut exactly where `plume.lint.linkedin_cut` cuts the file's text."""
    from plume.lint import linkedin_cut
    from plume.lint.linkedin import post_start

    start = post_start(text)
    out = []
    for device, label in DEVICES:
        cut = linkedin_cut(text, device=device)
        before = text[start : cut.offset]
        caption = (
            f"« voir plus » après {utf16_len(before)} caractères, {cut.lines} ligne{'s' if cut.lines > 1 else ''}"
            if cut.truncated
            else "texte entier visible, pas de « voir plus »"
        )
        out.append({
            "device": device,
            "label": label,
            "offset": cut.offset,
            "lines": cut.lines,
            "truncated": cut.truncated,
            "before": before,
            "caption": caption,
        })
    return out


def violation_rows(result: Any) -> list[dict[str, Any]]:
    rows = []
    for i, v in enumerate(result.violations):
        row = v.to_dict()
        row.update(index=i, severity_label=SEVERITY_LABELS.get(v.severity, v.severity))
        rows.append(row)
    return rows


def lint_summary(result: Any) -> dict[str, Any]:
    return {
        "errors": result.errors,
        "warnings": result.warnings,
        "suggestions": sum(1 for v in result.violations if v.severity == "suggestion"),
        "clean": result.clean,
    }


def markdown_html(text: str) -> Markup:
    """Markdown → HTML for landing copy: raw HTML shown as text, images as their alt text (nothing fetched)."""
    return Markup(_markdown().render(text))


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt
    from markdown_it.common.utils import escapeHtml

    md = MarkdownIt("commonmark", {"html": False, "typographer": False})

    def image_as_alt(self, tokens, idx, options, env):
        return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))

    md.add_render_rule("image", image_as_alt)
    return md


def post_context(post: Post, *, house: Any, audience: str | None, format: str, result: Any) -> dict[str, Any]:
    """Everything the post template needs; the frontmatter is never shown."""
    fmt = house.formats.get(format)
    body = post.body
    start, end = post.shown
    return {
        "source": post.name,
        "audience": audience,
        "format": format,
        "format_label": fmt.label if fmt else format,
        "max_chars": fmt.max_chars if fmt else None,
        "chars": utf16_len(post.text[start:end]),
        "author": author_info(house),
        "cards": cards(post.text) if format == "linkedin" else [],
        "landing_html": markdown_html(body) if format == "landing" else None,
        "segments": segments(post.text[start:end], result.violations, offset=start),
        "violations": violation_rows(result),
        "lint": lint_summary(result),
    }


def render_post(post: Post, *, house: Any = None, audience: str | None = None, format: str | None = None) -> str:
    """The preview page of one post. Audience and format default to its frontmatter; format to linkedin."""
    if house is None:
        from plume.house import load_house

        house = load_house()
    audience = audience or _meta_str(post, "audience")
    format = format or _meta_str(post, "format") or "linkedin"
    if audience is not None:
        house.audience(audience)  # InputError on an unknown audience
    house.format(format)
    result = lint_post(post, house, audience, format)
    context = post_context(post, house=house, audience=audience, format=format, result=result)
    return environment().get_template("post.html.j2").render(**context)


def _meta_str(post: Post, key: str) -> str | None:
    value = post.meta.get(key)
    return str(value) if value not in (None, "") else None
