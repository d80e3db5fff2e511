"""DIR/index.html for `plume variants --out DIR`: every variant in an audience × format grid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from plume.errors import InputError
from plume.preview.output import write_atomic
from plume.preview.render import author_info, cards, environment, lint_summary, markdown_html
from plume.preview.source import read_post

MANIFEST = "manifest.jsonl"
INDEX = "index.html"
FIELDS = ("file", "status", "attempts", "errors", "warnings", "prompt_tokens", "completion_tokens", "cost_usd",
          "duration_s", "error")  # docs/architecture.md; a missing one reads as None


def read_manifest(out_dir: Path) -> list[dict[str, Any]]:
    """The manifest's entries, the last one per id winning (a resumed run appends); bad lines skipped."""
    path = out_dir / MANIFEST
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no manifest (run `plume variants --out {out_dir}` first)") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    entries: dict[str, dict[str, Any]] = {}
    for line in lines:
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by an interrupted run
        if isinstance(entry, dict) and entry.get("audience") and entry.get("format"):
            entry.setdefault("id", f"{entry['audience']}-{entry['format']}")
            for key in FIELDS:
                entry.setdefault(key, None)
            entries[entry["id"]] = entry
    return list(entries.values())


def _ordered(keys: list[str], preferred: list[str]) -> list[str]:
    seen = list(dict.fromkeys(keys))
    return [k for k in preferred if k in seen] + [k for k in seen if k not in preferred]


def _variant_file(out_dir: Path, entry: dict[str, Any]) -> Path:
    name = entry.get("file") or f"{entry['id']}.md"
    path = Path(name)
    if not path.is_absolute():
        path = out_dir / path
        if not path.exists():
            path = out_dir / Path(name).name
    return path


def variant_cell(out_dir: Path, entry: dict[str, Any], house: Any) -> dict[str, Any]:
    """One grid cell: the manifest's figures, the file linted again, a feed card or a landing section."""
    from plume.lint import lint_text

    cell: dict[str, Any] = {"entry": entry, "status": entry.get("status") or "failed", "error": entry.get("error")}
    path = _variant_file(out_dir, entry)
    cell["file"] = path.name
    if cell["status"] == "failed" and not path.is_file():
        cell["kind"] = "failed"
        return cell
    try:
        post = read_post(path)
    except InputError as exc:
        cell.update(kind="missing", error=cell["error"] or str(exc))
        return cell
    fmt = str(entry["format"])
    known_audience = entry["audience"] if entry["audience"] in house.audiences else None
    result = lint_text(post.text, house=house, audience=known_audience,
                       format=fmt if fmt in house.formats else None)
    cell["lint"] = lint_summary(result)
    start, end = post.shown
    cell["body"] = post.text[start:end]
    if fmt == "linkedin":
        cell.update(kind="linkedin", card=cards(post.text)[0])
    elif fmt == "landing":
        cell.update(kind="landing", landing_html=markdown_html(post.body))
    else:
        cell.update(kind="text")
    return cell


def render_variants_index(out_dir: Path, *, house: Any = None) -> Path:
    """Write DIR/index.html from DIR/manifest.jsonl and the variant files; return its path."""
    out_dir = Path(out_dir)
    if house is None:
        from plume.house import load_house

        house = load_house()
    entries = read_manifest(out_dir)
    audiences = _ordered([e["audience"] for e in entries], list(house.audiences))
    formats = _ordered([e["format"] for e in entries], list(house.formats))
    grid = {(e["audience"], e["format"]): variant_cell(out_dir, e, house) for e in entries}
    html = environment().get_template("index.html.j2").render(
        folder=out_dir.name or str(out_dir),
        audiences=[(a, house.audiences[a].label if a in house.audiences else a) for a in audiences],
        formats=[(f, house.formats[f].label if f in house.formats else f) for f in formats],
        grid=grid,
        author=author_info(house),
        totals=_totals(entries),
    )
    return write_atomic(out_dir / INDEX, html.encode("utf-8"))


def _totals(entries: list[dict[str, Any]]) -> dict[str, Any]:
    def total(key: str) -> float:
        return sum(e.get(key) or 0 for e in entries if isinstance(e.get(key) or 0, (int, float)))

    return {
        "variants": len(entries),
        "clean": sum(1 for e in entries if e.get("status") == "clean"),
        "failed": sum(1 for e in entries if e.get("status") == "failed"),
        "tokens": int(total("prompt_tokens") + total("completion_tokens")),
        "cost_usd": total("cost_usd"),
    }
