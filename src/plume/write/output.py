"""Files the jobs write: Markdown with YAML frontmatter (back into an Obsidian vault), written atomically."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from plume import files
from plume.errors import InputError
from plume.write.result import WriteResult


GENERATOR = "plume"  # the marker plume.corpus reads: a generated file is never loaded as the author's note


def frontmatter(result: WriteResult, **extra: Any) -> dict[str, Any]:
    """Flat properties Obsidian shows (no nested maps): what was asked, what it drew on, what remains."""
    brief = result.brief
    data: dict[str, Any] = {"audience": result.audience, "format": result.format}
    if brief is not None:
        data["topic"] = brief.topic
        if brief.angle:
            data["angle"] = brief.angle
        if brief.cta:
            data["cta"] = brief.cta
        data["words"] = brief.words or _default_words(result.format)
    data["tags"] = ["plume", *(t for t in (result.audience, result.format) if t)]
    if result.sources:
        data["sources"] = [f"[[{note}]]" for note in result.sources]
    data.update({
        "model": result.model,
        "backend": result.backend,
        "lint_errors": result.errors,
        "lint_warnings": result.warnings,
        "created": datetime.now().strftime("%Y-%m-%dT%H:%M:%S"),
        "generator": GENERATOR,
        "attempts": result.attempts,
        "history_id": result.history_ids[-1] if result.history_ids else None,
    })
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def _default_words(format: str | None) -> int | None:
    if not format:
        return None
    from plume.house import load_house

    return load_house().format(format).default_words


def _render(meta: dict[str, Any], body: str) -> str:
    import yaml

    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000).strip()
    return f"---\n{head}\n---\n\n{body.rstrip()}\n"


def document(result: WriteResult, *, markdown: bool = False, **extra: Any) -> str:
    """The result as Markdown with YAML frontmatter (a rewrite of a draft that has its own keeps it).

    `lint_errors`/`lint_warnings` are what `plume lint` reports on the file as written (the same rules,
    the same target read back from these properties), not the counts of the text before it was framed.
    `markdown`: the body is Markdown on purpose (`generate --markdown`, for the vault); each paragraph the
    format's Markdown rules flag gets a `<!-- plume ignore … -->` comment, so the file passes `plume lint`
    for its format and Obsidian still shows the Markdown."""
    body = result.text
    if body.startswith("---\n"):
        return body
    meta = frontmatter(result, **extra)
    text = _render(meta, body)
    lint = lint_document(text, meta)
    if lint is not None and markdown:
        marked = _mark_intended_markdown(text, lint)
        if marked != text:
            text, lint = marked, lint_document(marked, meta)
    if lint is not None and (lint.errors, lint.warnings) != (meta["lint_errors"], meta["lint_warnings"]):
        meta.update(lint_errors=lint.errors, lint_warnings=lint.warnings)
        head, _, rest = text[4:].partition("\n---\n")
        text = _render(meta, "") .rstrip("\n") + "\n" + rest
    return text


def _mark_intended_markdown(text: str, lint) -> str:
    from plume.lint.plan import load_plan

    ids = sorted(r.id for r in load_plan().rule_views if getattr(r, "measure", None) == "markdown")
    starts = sorted({max(text.rfind("\n\n", 0, v.start) + 2, 0) for v in lint.violations if v.rule in ids},
                    reverse=True)
    for start in starts:
        text = text[:start] + f"<!-- plume ignore {' '.join(ids)} -->\n" + text[start:]
    return text


def lint_document(text: str, meta: dict[str, Any]):
    """The linter's verdict on a written file, as `plume lint FILE` gives it (None without an audience)."""
    from plume.lint import lint_text
    from plume.lint.plan import load_plan
    from plume.lint.target import Target

    if not meta.get("audience"):
        return None
    target = Target(meta.get("audience"), meta.get("format"), meta.get("cta"), meta.get("words"))
    return lint_text(text, load_plan(), target.audience, target.format, target=target)


def write_atomic(path: Path, text: str, *, force: bool = True) -> Path:
    """Write via a temp file in the same folder and os.replace; refuse to overwrite unless `force`."""
    path = Path(path)
    if path.exists() and not force:
        raise InputError(f"{path}: already exists (use --force to overwrite)")
    return files.write_atomic(path, text)
