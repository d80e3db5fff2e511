"""chart.png: compliance (first pass vs after repair) and voice similarity by audience, with baselines."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from plume.errors import InputError
from plume.evaluate.store import write_atomic


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        from plume.install import missing_extra

        raise InputError(missing_extra("plume eval's chart", "eval", "matplotlib")) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _pct(value: float | None) -> float:
    return 0.0 if value is None else 100 * value


def render_chart(report: dict[str, Any]) -> bytes:
    """The PNG bytes of the chart for one report."""
    plt = _pyplot()
    summary = report["summary"]
    cells = [(f"{c['audience']}\n{c['format']}", c) for c in summary["by_variant"]] + [("all", summary["overall"])]
    groups = summary["by_audience"]
    audiences = list(groups) + ["all"]
    rows = [groups[a] for a in groups] + [summary["overall"]]
    width = 0.38
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4), dpi=110, gridspec_kw={"width_ratios": [3, 2]})
    try:
        cx = list(range(len(cells)))
        first = [_pct(c.get("publishable_first")) for _, c in cells]
        after = [_pct(c.get("publishable")) for _, c in cells]
        old = [_pct(c.get("compliance")) for _, c in cells]
        left.bar([i - width / 2 for i in cx], first, width, label="first pass", color="#9bb7d4")
        left.bar([i + width / 2 for i in cx], after, width, label="after repair", color="#2b5d8a")
        left.scatter(cx, old, marker="_", s=260, color="#c62828", zorder=3, label="house rules only (old)")
        for i, (a, b) in enumerate(zip(first, after)):
            left.text(i - width / 2, a + 1.5, f"{a:.0f}", ha="center", fontsize=7)
            left.text(i + width / 2, b + 1.5, f"{b:.0f}", ha="center", fontsize=7)
        left.set_xticks(cx, [label for label, _ in cells], fontsize=7)
        left.set_ylim(0, 125)
        left.set_yticks([0, 20, 40, 60, 80, 100])
        left.set_ylabel("outputs publishable by the critic (%)")
        left.set_title("Publishable (whole critic: no error or warning)")
        left.legend(loc="upper center", ncol=3, fontsize=7, frameon=False)
        x = list(range(len(audiences)))

        voice = [r["voice"] or 0.0 for r in rows]
        right.bar(x, voice, 0.6, color="#c2763a", label="generated copy")
        baseline = report.get("baseline", {})
        if baseline.get("reference_voice") is not None:
            right.axhline(baseline["reference_voice"], color="#555555", linestyle="--",
                          label="generic business copy (reference)")
        if baseline.get("corpus_voice_loo") is not None:
            right.axhline(baseline["corpus_voice_loo"], color="#2e7d32", linestyle=":",
                          label="author's notes (leave one out)")
        for i, v in enumerate(voice):
            right.text(i, v + 0.01, f"{v:.2f}", ha="center", fontsize=8)
        right.set_xticks(x, audiences)
        top = max(voice + [baseline.get("corpus_voice_loo") or 0, baseline.get("reference_voice") or 0])
        right.set_ylim(0, max(0.1, top * 1.45))
        right.set_ylabel("cosine to the corpus centroid")
        right.set_title("Closeness to the house voice")
        right.legend(loc="upper center", ncol=2, fontsize=8, frameon=False)

        s = report.get("settings", {})
        repair = "repair on" if s.get("repair") else "repair off"
        if s.get("rescored"):
            repair += f", re-scored {s['rescored'][:10]}"
        fig.suptitle(f"plume eval — {report.get('model')} ({repair}, {report['summary']['overall']['n']} outputs)",
                     fontsize=10)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(fig)


def write_chart(report: dict[str, Any], path: Path) -> Path:
    write_atomic(Path(path), render_chart(report))
    return Path(path)
