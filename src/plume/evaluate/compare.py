"""`plume eval --compare A B`: two runs side by side, metric by metric, with the difference B − A."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plume.evaluate.report import fmt, load_report

# key, label, format kind, +1 when higher is better / -1 when lower is better
METRICS = [
    ("publishable_first", "publishable, first pass", "pct", 1),
    ("publishable", "publishable, after repair", "pct", 1),
    ("rated_publishable", "rated publishable (reader)", "pct", 1),
    ("first_pass_compliance", "house rules, first pass (old)", "pct", 1),
    ("compliance", "house rules, after repair (old)", "pct", 1),
    ("mean_attempts", "mean attempts", "num2", -1),
    ("calls_per_output", "model calls / output", "num2", -1),
    ("seconds_per_output", "seconds / output", "int", -1),
    ("voice", "voice similarity", "num3", 1),
    ("length_error", "length error", "pct", -1),
    ("dimension_coverage", "3 dimensions (landing)", "pct", 1),
    ("sameness", "sentences said in another piece", "pct", -1),
    ("banned_per_output", "banned terms / output", "num2", -1),
    ("failed", "failed outputs", "int", -1),
    ("completion_tokens", "completion tokens", "int", -1),
    ("cost_usd", "cost (USD)", "num4", -1),
    ("duration_s", "time (s)", "int", -1),
]


def _scopes(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    s = report["summary"]
    scopes = {"overall": s["overall"]}
    scopes.update({a: v for a, v in s["by_audience"].items()})
    scopes.update({f: v for f, v in s["by_format"].items()})
    scopes.update({f"{c['audience']}/{c['format']}": c for c in s["by_variant"]})
    return scopes


def _delta(a: Any, b: Any) -> float | None:
    return None if a is None or b is None else b - a


def _strategies(report: dict[str, Any]) -> dict[str, str]:
    """format → the writer's strategy (and N) as the records say, e.g. {"landing": "compose ×3"}."""
    found: dict[str, set[str]] = {}
    for r in report.get("records", []):
        if r.get("strategy"):
            label = r["strategy"] + (f" ×{r['candidates']}" if r.get("candidates") else "")
            found.setdefault(r["format"], set()).add(label)
    return {f: ", ".join(sorted(v)) for f, v in found.items()}


def _run(report: dict[str, Any], path: Path) -> dict[str, Any]:
    s = report.get("settings", {})
    return {"path": str(path), "model": report.get("model"), "backend": report.get("backend"),
            "repair": s.get("repair"), "outputs": report["summary"]["overall"]["n"], "created": report.get("created"),
            "strategy": _strategies(report)}


# what decides a format, in order: the critic's verdict after repair, then on the first pass, then the voice
DECIDERS = (("publishable", "publishable after repair"), ("publishable_first", "publishable first pass"),
            ("voice", "voice similarity"))


def winners(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Per format present in both runs: which run won, and on which measure."""
    fa, fb = a["summary"]["by_format"], b["summary"]["by_format"]
    out = []
    for format_ in [f for f in fa if f in fb]:
        row: dict[str, Any] = {"format": format_, "winner": "tie", "by": None}
        for key, label in DECIDERS:
            va, vb = fa[format_].get(key), fb[format_].get(key)
            if va is None or vb is None or abs(va - vb) < 1e-9:
                continue
            row.update(winner="B" if vb > va else "A", by=label, a=va, b=vb)
            break
        row["publishable"] = {"a": fa[format_].get("publishable"), "b": fb[format_].get("publishable")}
        row["voice"] = {"a": fa[format_].get("voice"), "b": fb[format_].get("voice")}
        out.append(row)
    return out


def compare_reports(dir_a: Path, dir_b: Path) -> dict[str, Any]:
    """Every metric of every scope found in either run: A, B, B − A and whether B is better."""
    a, b = load_report(Path(dir_a)), load_report(Path(dir_b))
    sa, sb = _scopes(a), _scopes(b)
    rows = []
    for scope in list(sa) + [k for k in sb if k not in sa]:
        for key, label, kind, sign in METRICS:
            va, vb = sa.get(scope, {}).get(key), sb.get(scope, {}).get(key)
            d = _delta(va, vb)
            better = None if not d else (d * sign > 0)
            rows.append({"scope": scope, "metric": key, "label": label, "kind": kind,
                         "a": va, "b": vb, "delta": d, "better": better})
    return {"a": _run(a, Path(dir_a)), "b": _run(b, Path(dir_b)),
            "baseline": {"a": a.get("baseline", {}).get("reference_voice"),
                         "b": b.get("baseline", {}).get("reference_voice")},
            "winners": winners(a, b),
            "rows": rows}


def winner_lines(data: dict[str, Any]) -> list[str]:
    """One sentence per format: which run won, on what, with both publishable rates and voices."""
    lines = []
    for w in data["winners"]:
        pa, pb = w["publishable"]["a"], w["publishable"]["b"]
        va, vb = w["voice"]["a"], w["voice"]["b"]
        detail = (f"publishable {fmt(pa, 'pct')} (A) vs {fmt(pb, 'pct')} (B), voice {fmt(va, 'num3')} vs "
                  f"{fmt(vb, 'num3')}")
        if w["winner"] == "tie":
            lines.append(f"{w['format']}: tie — {detail}")
        else:
            run = data[w["winner"].lower()]
            strategy = run.get("strategy", {}).get(w["format"])
            name = w["winner"] + (f" ({strategy})" if strategy else "")
            lines.append(f"{w['format']}: {name} won on {w['by']} — {detail}")
    return lines


def format_delta(row: dict[str, Any]) -> str:
    d = row["delta"]
    if d is None:
        return "–"
    if d == 0:
        return "="
    text = fmt(abs(d), row["kind"])
    if row["kind"] == "pct":
        text = text.replace(" %", " pts")
    return ("+" if d > 0 else "−") + text


def print_comparison(data: dict[str, Any], scopes: list[str] | None = None, console=None) -> None:
    """Rich tables: the overall metrics, then the key metrics per audience × format."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    a, b = data["a"], data["b"]
    for name, run in (("A", a), ("B", b)):
        strategy = ", ".join(f"{f} {s}" for f, s in run.get("strategy", {}).items())
        console.print(f"{name}: {run['path']} — {run['model']} (repair {'on' if run['repair'] else 'off'}, "
                      f"{run['outputs']} outputs{', ' + strategy if strategy else ''})")
    for line in winner_lines(data):
        console.print(f"winner, {line}")
    by_scope: dict[str, list[dict[str, Any]]] = {}
    for row in data["rows"]:
        by_scope.setdefault(row["scope"], []).append(row)
    wanted = scopes or ["overall"]
    for scope in wanted:
        table = Table(title=scope, title_justify="left")
        for col in ("metric", "A", "B", "B − A"):
            table.add_column(col, justify="left" if col == "metric" else "right")
        for row in by_scope.get(scope, []):
            style = "" if row["better"] is None else ("green" if row["better"] else "red")
            table.add_row(row["label"], fmt(row["a"], row["kind"]), fmt(row["b"], row["kind"]),
                          f"[{style}]{format_delta(row)}[/]" if style else format_delta(row))
        console.print(table)
    cells = [s for s in by_scope if "/" in s]
    if cells and scopes is None:
        keys = ("publishable_first", "publishable", "voice", "length_error")
        table = Table(title="by audience × format", title_justify="left")
        table.add_column("variant")
        for key in keys:
            label = next(m[1] for m in METRICS if m[0] == key)
            table.add_column(f"{label}\nA → B", justify="right")
        for scope in cells:
            rows = {r["metric"]: r for r in by_scope[scope]}
            table.add_row(scope, *(f"{fmt(rows[k]['a'], rows[k]['kind'])} → {fmt(rows[k]['b'], rows[k]['kind'])}"
                                   for k in keys))
        console.print(table)
