"""Does `plume lint` stay linear in the input size? The curve from 100 KB to 5 MB, against a linear peer.

Input: the corpus notes' bodies repeated up to each size (Markdown paragraphs, lists, headings; a text that
repeats itself is the hard case for the repetition rule). Each size is linted once in-process with every
house rule (`lint_text(text, house, "pme", "linkedin", checkers=[])`; no grammar checker: that is
bench/grammar_bench.py) and timed in CPU time (process_time: the 2 cores are shared, wall time swings).
The peer, in the same run on the same text: one linear pass of the same kind of work (lower-casing, the
word regex, sentence splitting, line splitting). Linear means the ratio lint/peer stays flat as the size
grows and the fitted exponent of time ~ size^k is close to 1.

    python bench/lint_scale_bench.py [--sizes 100000,400000,1600000,5000000] [--out bench/results/lint_scale.json]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
README = ROOT / "bench" / "README.md"
START, END = "<!-- lint-scale-bench:start -->", "<!-- lint-scale-bench:end -->"


def corpus_text() -> str:
    from plume.lint import split_frontmatter

    return "\n\n".join(split_frontmatter(p.read_text(encoding="utf-8"))[1] for p in sorted((ROOT / "corpus").glob("*.md")))


def sized(base: str, size: int) -> str:
    return (base * (size // len(base) + 1))[:size]


def peer(text: str) -> int:
    lower = text.lower()
    words = re.findall(r"\w+", lower)
    sentences = re.split(r"(?<=[.!?])\s+", text)
    return len(words) + len(sentences) + len(text.splitlines())


def cpu(fn, *args) -> tuple[float, float, object]:
    c, w = time.process_time(), time.perf_counter()
    value = fn(*args)
    return time.process_time() - c, time.perf_counter() - w, value


def exponent(points: list[tuple[int, float]]) -> float:
    xs = [math.log(s) for s, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,400000,1600000,5000000")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "lint_scale.json")
    args = parser.parse_args()
    from plume.lint import lint_text
    from plume.lint.plan import load_plan

    house = load_plan(None)
    base = corpus_text()
    lint_text(base, house, "pme", "linkedin", checkers=[])  # warm-up: compiled patterns, imports
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        text = sized(base, size)
        peer_cpu = min(cpu(peer, text)[0] for _ in range(3))
        lint_cpu, lint_wall, result = cpu(lambda t: lint_text(t, house, "pme", "linkedin", checkers=[]), text)
        rows.append({"bytes": len(text.encode("utf-8")), "chars": size, "lint_cpu_s": round(lint_cpu, 3),
                     "lint_wall_s": round(lint_wall, 3), "peer_cpu_s": round(peer_cpu, 4),
                     "ratio": round(lint_cpu / peer_cpu, 1), "cpu_s_per_mb": round(lint_cpu / (size / 1e6), 3),
                     "violations": len(result.violations)})
        print(json.dumps(rows[-1]), flush=True)
    k = exponent([(r["chars"], r["lint_cpu_s"]) for r in rows])
    k_peer = exponent([(r["chars"], r["peer_cpu_s"]) for r in rows])
    report = {"when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": platform.machine(),
              "python": platform.python_version(), "rows": rows, "exponent": round(k, 3),
              "peer_exponent": round(k_peer, 3), "load_average": round(__import__("os").getloadavg()[0], 2)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    table = ["| size | lint CPU s | lint wall s | CPU s / MB | peer CPU s | lint / peer | violations |",
             "|---|---|---|---|---|---|---|"]
    table += [f"| {r['chars'] / 1e6:.1f} MB | {r['lint_cpu_s']} | {r['lint_wall_s']} | {r['cpu_s_per_mb']} | "
              f"{r['peer_cpu_s']} | {r['ratio']} | {r['violations']} |" for r in rows]
    block = "\n".join([START, f"Last run: {report['when']}, {report['machine']}, Python {report['python']}; "
                       f"1-min load average at the end: {report['load_average']} on 2 cores.", "", *table, "",
                       f"- Fitted exponent of lint CPU time ~ size^k: **k = {k:.2f}** (peer: {k_peer:.2f}; "
                       f"target: linear, k ≤ 1.1).", END])
    readme = README.read_text(encoding="utf-8")
    if START in readme:
        readme = readme[: readme.index(START)] + block + readme[readme.index(END) + len(END):]
    else:
        readme += ("\n## Lint at scale\n\n`python bench/lint_scale_bench.py` — `plume lint`'s time from 100 KB to "
                   "5 MB of Markdown (the corpus repeated), in CPU time, next to a linear peer pass over the same "
                   "text in the same run (lower-case, word regex, sentences, lines). Linear means the lint/peer "
                   "ratio stays flat and the fitted exponent is ≈ 1. Results: `bench/results/lint_scale.json`.\n\n"
                   + block + "\n")
    README.write_text(readme, encoding="utf-8")


if __name__ == "__main__":
    main()
