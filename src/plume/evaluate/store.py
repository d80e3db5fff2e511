"""The run folder: one Markdown + one JSON file per judged output, written atomically."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from plume.errors import InputError
from plume.files import write_atomic
from plume.evaluate.records import EvalRecord, blocking

OUTPUTS = "outputs"
OURS = ("report.json", "run.json", OUTPUTS)


def prepare_out(out: Path) -> None:
    """Create the folder; refuse a non-empty folder that is not an earlier eval run (never clobber)."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not any((out / name).exists() for name in OURS):
        raise InputError(f"{out}: folder is not empty and holds no eval run; choose another --out")
    (out / OUTPUTS).mkdir(parents=True, exist_ok=True)


def read_record(path: Path) -> EvalRecord | None:
    """A finished output of an earlier run (None when absent or unreadable: it is generated again)."""
    if not path.is_file():
        return None
    try:
        return EvalRecord.model_validate_json(path.read_bytes())
    except (ValidationError, ValueError):
        return None


def lint_block(record: EvalRecord) -> dict:
    def summary(violations: list[dict]) -> dict:
        return {
            "errors": sum(1 for v in violations if v.get("severity") == "error"),
            "warnings": sum(1 for v in violations if v.get("severity") == "warning"),
            "rules": sorted({v.get("rule") for v in violations if v.get("severity") in ("error", "warning")}),
        }

    return {"first_pass": summary(record.first_pass), "final": summary(record.violations)}


def output_markdown(record: EvalRecord) -> str:
    """The output as a person reads it: frontmatter (what was asked, how it was judged), then the copy."""
    meta = {
        "brief": record.brief,
        "audience": record.audience,
        "format": record.format,
        "status": record.status,
        "attempts": record.attempts,
        "words": record.words,
        "requested_words": record.requested_words,
        "voice": record.voice,
        "dimensions": record.dimensions,
        "lint": lint_block(record),
        "model": record.model,
    }
    if record.error:
        meta["error"] = record.error
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    body = record.text if not record.failed else f"(aucune copie : {record.error})\n"
    remaining = [v for v in record.violations if v.get("severity") in ("error", "warning")]
    notes = "".join(f"- {v.get('severity')} `{v.get('rule')}` l.{v.get('line')} « {v.get('text')} » : {v.get('message')}\n"
                    for v in remaining)
    tail = f"\n---\n\n_plume eval : violations restantes ({blocking(record.violations)})_\n\n{notes}" if remaining else ""
    return f"---\n{head}---\n\n{body.rstrip()}\n{tail}"


def write_output(out: Path, record: EvalRecord) -> None:
    folder = out / OUTPUTS
    write_atomic(folder / f"{record.id}.json",
                 json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
    write_atomic(folder / f"{record.id}.md", output_markdown(record))
