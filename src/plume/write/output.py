"""Files the jobs write: Markdown with YAML frontmatter (back into an Obsidian vault), written atomically."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from plume import files
from plume.errors import InputError
from plume.write.result import WriteResult


def frontmatter(result: WriteResult, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"audience": result.audience, "format": result.format}
    if result.brief is not None:
        data["brief"] = result.brief.model_dump(exclude_none=True, exclude_defaults=True) or {"topic": result.brief.topic}
    data.update({
        "model": result.model,
        "backend": result.backend,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "lint": {"status": result.status, "errors": result.errors, "warnings": result.warnings},
        "attempts": result.attempts,
        "history_id": result.history_ids[-1] if result.history_ids else None,
    })
    data.update(extra)
    return data


def document(result: WriteResult, **extra: Any) -> str:
    """The result as Markdown with YAML frontmatter (a rewrite of a draft that has its own keeps it)."""
    import yaml

    meta = yaml.safe_dump(frontmatter(result, **extra), allow_unicode=True, sort_keys=False).strip()
    body = result.text
    if body.startswith("---\n"):
        return body
    return f"---\n{meta}\n---\n\n{body.rstrip()}\n"


def write_atomic(path: Path, text: str, *, force: bool = True) -> Path:
    """Write via a temp file in the same folder and os.replace; refuse to overwrite unless `force`."""
    path = Path(path)
    if path.exists() and not force:
        raise InputError(f"{path}: already exists (use --force to overwrite)")
    return files.write_atomic(path, text)
