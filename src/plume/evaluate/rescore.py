"""`plume eval --rescore DIR` and `--ratings FILE`: the report of an existing run, rebuilt without a model call.

The outputs (DIR/outputs/*.json, *.md) are read and never written: rescoring judges their texts again with
today's critic, folding ratings attaches a reader's marks; both rewrite report.json, report.md, chart.png
and review.html only.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from plume.errors import InputError
from plume.evaluate.records import Asked, EvalRecord
from plume.evaluate.report import build_report, load_report, write_report
from plume.evaluate.run import RESUME_KEYS, SETTINGS
from plume.evaluate.store import OUTPUTS, read_record

RATINGS = "ratings.json"


def load_records(out: Path, report: dict[str, Any], *, verdicts: bool = False) -> list[EvalRecord]:
    """The run's records, in the report's order (then any output the report does not list). `verdicts`:
    with the critic's verdicts of the report (a rescore keeps them there, not in the outputs)."""
    folder = Path(out) / OUTPUTS
    if not folder.is_dir():
        raise InputError(f"{out}: no {OUTPUTS}/ folder (is this a `plume eval` output folder?)")
    by_id = {r["id"]: r for r in report.get("records", [])}
    order = list(by_id)
    files = {p.stem: p for p in sorted(folder.glob("*.json"))}
    records = []
    for id_ in order + sorted(set(files) - set(order)):
        if id_ not in files:
            continue
        record = read_record(files[id_])
        if record is None:
            raise InputError(f"{files[id_]}: not a readable eval record")
        if verdicts and (row := by_id.get(id_)) and row.get("critic_final") is not None:
            critic = report.get("critic", {})
            record = record.model_copy(update={
                "critic_final": row["critic_final"], "critic_first": row.get("critic_first"),
                "critic_checkers": critic.get("checkers", []), "critic_skipped": critic.get("skipped", {})})
        records.append(record)
    if not records:
        raise InputError(f"{folder}: no eval records")
    return records


def _briefs_by_id(report: dict[str, Any], briefs: Path | None) -> dict[str, Any]:
    from plume.evaluate.briefs import default_briefs_file, load_briefs

    named = report.get("settings", {}).get("briefs_file")
    path = briefs or (Path(named) if named and Path(named).is_file() else default_briefs_file())
    return {b.id: b for b in load_briefs(path)}


def with_briefs(records: list[EvalRecord], report: dict[str, Any], briefs: Path | None) -> list[EvalRecord]:
    """Older records did not keep what the brief asked: its call to action and wording come from the
    briefs file (the requested words from the record)."""
    if all(r.asked is not None for r in records):
        return records
    known = _briefs_by_id(report, briefs)
    out = []
    for r in records:
        if r.asked is None:
            if r.brief not in known:
                raise InputError(f"brief {r.brief!r} of the run is not in the briefs file (name it with --briefs)")
            r = r.model_copy(update={"asked": Asked.of(known[r.brief], r.requested_words)})
        out.append(r)
    return out


def rebuild(out: Path, records: list[EvalRecord], report: dict[str, Any], **settings: Any) -> dict[str, Any]:
    """A fresh report from the records and the old report's settings, baseline and wall time; with the
    ratings of DIR/ratings.json when present. Writes report.json, report.md, chart.png, review.html."""
    from plume.evaluate.ratings import apply_ratings, read_ratings

    out = Path(out)
    ratings = read_ratings(out / RATINGS) if (out / RATINGS).is_file() else None
    if ratings is not None:
        records = apply_ratings(records, ratings)
    new = build_report(records, settings={**report.get("settings", {}), **settings},
                       baseline=report.get("baseline", {}), wall_time_s=report.get("wall_time_s") or 0.0)
    new["generated"] = report.get("generated") or report.get("created")
    if ratings is not None:
        new["ratings"] = ratings.summary(records)
    write_report(out, new, records=records)
    return new


def _run_settings(out: Path) -> dict[str, Any]:
    import json

    path = Path(out) / SETTINGS
    if not path.is_file():
        raise InputError(f"{out}: no report.json and no {SETTINGS} (is this a `plume eval` output folder?)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(f"{path}: not valid JSON") from None
    return data


def unfinished_report(out: Path, voice) -> dict[str, Any]:
    """What a report needs from a run that has not finished (still going, or stopped): its settings and
    planned outputs from run.json, the voice baseline computed now."""
    data = _run_settings(out)
    settings = data.get("settings") or {k: data.get(k) for k in RESUME_KEYS}
    return {"settings": settings, "baseline": voice.baseline(), "wall_time_s": 0.0,
            "records": [{"id": i} for i in data.get("planned", [])]}


def _with_voice(records: list[EvalRecord], voice) -> list[EvalRecord]:
    """Outputs of an unfinished run have no voice score yet (it is computed at the end): score them."""
    todo = [r for r in records if not r.failed and r.voice is None]
    if not todo:
        return records
    scores = voice.score([r.text for r in todo])
    scored = {r.id: r.model_copy(update={"voice": round(c, 4), "voice_max": round(m, 4)})
              for r, c, m in zip(todo, scores.centroid, scores.closest)}
    return [scored.get(r.id, r) for r in records]


def rescore_run(out: Path, *, house=None, briefs: Path | None = None, checkers=None, voice=None) -> dict[str, Any]:
    """Judge every output of DIR again with today's critic and rewrite its report (no model call). A run
    that has not finished (no report.json yet) is reported on as far as it went."""
    from plume.evaluate.critic import judged
    from plume.house import load_house

    out = Path(out)
    report = load_report(out) if (out / "report.json").is_file() else None
    planned = _run_settings(out).get("planned", []) if (out / SETTINGS).is_file() else []
    finished = (report is not None and not report["settings"].get("partial")
                and set(planned) <= {r["id"] for r in report.get("records", [])})
    if not finished:
        if voice is None:
            from plume.evaluate.voice import house_voice_model

            voice = house_voice_model()
        report = unfinished_report(out, voice)
    house = house or load_house()
    records = with_briefs(load_records(out, report), report, briefs)
    if voice is not None:
        records = _with_voice(records, voice)
    records = [judged(r, house, checkers) for r in records]
    done = {r.id for r in records}
    planned = planned or [r["id"] for r in report.get("records", [])]
    extra = {}
    if not finished:
        missing = [i for i in planned if i not in done]
        extra = {"not_run": missing, "partial": bool(missing)}
    return rebuild(out, records, report, rescored=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   **extra)


def fold_ratings(out: Path, ratings_file: Path) -> dict[str, Any]:
    """Copy a review.html download into DIR/ratings.json and rebuild the report with it."""
    from plume.evaluate.ratings import read_ratings
    from plume.files import write_atomic

    out = Path(out)
    report = load_report(out)
    records = load_records(out, report, verdicts=True)
    ratings = read_ratings(Path(ratings_file))
    unknown = sorted(set(ratings.marks) - {r.id for r in records})
    if unknown:
        raise InputError(f"{ratings_file}: {len(unknown)} rated output(s) are not in {out}: {', '.join(unknown[:3])}")
    write_atomic(out / RATINGS, ratings.to_json())
    return rebuild(out, records, report)
