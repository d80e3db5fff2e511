"""Whether `variants --out DIR` may resume: only the same brief, audiences, formats and settings.

DIR/run.json records what the run in DIR was asked for. A re-run that asks for something else is an
InputError naming what differs (exit 2); `--restart` moves the earlier run's files into
DIR/previous-<time>/ (nothing written before is lost) and starts over.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from plume import files
from plume.errors import InputError

RUN_FILE = "run.json"


def run_spec(brief, audiences: list[str], formats: list[str], **settings: Any) -> dict[str, Any]:
    return {"brief": brief.model_dump(mode="json", exclude_none=True), "audiences": list(audiences),
            "formats": list(formats), "settings": {k: v for k, v in sorted(settings.items())}}


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out = []
    for key in ("brief", "audiences", "formats", "settings"):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            for sub in sorted(set(a) | set(b)):
                if a.get(sub) != b.get(sub):
                    out.append(f"{key}.{sub} {a.get(sub)!r} → {b.get(sub)!r}")
        else:
            out.append(f"{key} {a!r} → {b!r}")
    return out


def prepare(out_dir: Path, spec: dict[str, Any], restart: bool = False, keep: tuple[str, ...] = ()) -> Path | None:
    """Check (or, with `restart`, set aside) the earlier run in `out_dir`, then record this one.
    Returns the folder the earlier run was moved to, if any."""
    out_dir = Path(out_dir)
    path = out_dir / RUN_FILE
    moved = None
    if path.is_file():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = {}
        diff = _differences(old, spec)
        if diff and not restart:
            raise InputError(f"{out_dir}: holds the variants of another run ({'; '.join(diff[:3])}); "
                             "use --restart to start over (the earlier files are kept aside) or another --out")
        if diff or restart:
            moved = set_aside(out_dir, keep)
    elif restart:
        moved = set_aside(out_dir, keep)
    files.write_atomic(path, json.dumps(spec, ensure_ascii=False, indent=2) + "\n")
    return moved


def set_aside(out_dir: Path, keep: tuple[str, ...] = ()) -> Path | None:
    """Move every file of `out_dir` (not its earlier previous-* folders) into out_dir/previous-<time>/."""
    entries = [p for p in Path(out_dir).iterdir() if not p.name.startswith("previous-") and p.name not in keep]
    if not entries:
        return None
    target = Path(out_dir) / f"previous-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}"
    target.mkdir()
    for entry in entries:
        entry.rename(target / entry.name)
    return target
