"""review.html: one card per output (the copy, the critic's findings, three marks and a note) that saves
the marks as a JSON file the browser downloads. Self-contained: no network, no external file."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from plume.evaluate.records import BLOCKING, EvalRecord, blocking
from plume.files import write_atomic

REVIEW = "review.html"


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from plume import __version__

    env = Environment(loader=PackageLoader("plume.evaluate", "templates"), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.globals.update(version=__version__)
    return env


def _js(value: Any):
    """A JSON literal safe inside <script> (no `</script>`, no `<!--`)."""
    from markupsafe import Markup

    return Markup(json.dumps(value, ensure_ascii=False).replace("<", "\\u003c"))


def card(record: EvalRecord) -> dict[str, Any]:
    violations = record.critic_final if record.critic_final is not None else record.violations
    text = record.text if not record.failed else f"(aucune copie : {record.error})"
    return {
        "id": record.id,
        "audience": record.audience,
        "format": record.format,
        "words": record.words,
        "requested_words": record.requested_words,
        "publishable": record.publishable,
        "blocking": blocking(violations),
        "text": text.rstrip(),
        "violations": [v for v in violations if v.get("severity") in BLOCKING]
        + [v for v in violations if v.get("severity") not in BLOCKING],
    }


def render_review(records: list[EvalRecord], report: dict[str, Any], title: str) -> str:
    run = str(report.get("generated") or report.get("created") or title)
    filename = "ratings-" + (re.sub(r"[^0-9A-Za-z]+", "", run)[:15] or "run") + ".json"
    return _environment().get_template("review.html.j2").render(
        title=title, model=report.get("model") or "?", created=run, cards=[card(r) for r in records],
        run_json=_js(run), filename=filename, filename_json=_js(filename))


def write_review(out: Path, records: list[EvalRecord], report: dict[str, Any]) -> Path:
    out = Path(out)
    return write_atomic(out / REVIEW, render_review(records, report, out.resolve().name))
