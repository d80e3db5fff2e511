"""Best-of-N on the embedded default: what N candidates cost against one, measured in the same run.

For each format (a LinkedIn post, a landing page), `plume generate` in a fresh process (no warm server:
PLUME_NO_SERVE=1, so each run loads the model, as a first command does) with `--candidates 1` and with
`--candidates N` (default 3, the writer's default), in alternating order over the rounds; wall time per
run, the model calls and completion tokens the run reports, and the ratio N / 1 per round (median).
Issue 11's target: best-of-N at most 1.6× the time of a single candidate.

    python bench/candidates_bench.py [--formats linkedin landing] [--rounds 2] [--n 3]

Writes bench/results/candidates.json and the block between the candidates markers of bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
START, END = "<!-- candidates-bench:start -->", "<!-- candidates-bench:end -->"
TOPIC = "Prendre du recul quand tout semble urgent"
AUDIENCE = {"linkedin": "pme", "landing": "coo"}


def generate(fmt: str, n: int) -> dict:
    env = {**os.environ, "PLUME_NO_SERVE": "1", "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "plume", "generate", TOPIC, "--audience", AUDIENCE[fmt], "--format",
                           fmt, "--candidates", str(n), "--json"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1800)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1) or not done.stdout.strip().startswith("{"):
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"candidates_bench: generate --candidates {n} failed (exit {done.returncode}): {tail}")
    data = json.loads(done.stdout)
    return {"wall_s": round(wall, 2), "model_calls": data.get("model_calls"),
            "completion_tokens": data.get("completion_tokens"), "clean": data.get("clean"),
            "candidates": len(data.get("candidates") or [])}


def run(formats: list[str], rounds: int, n: int) -> dict:
    out = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": f"{platform.machine()}, "
           f"{os.cpu_count()} cores", "load_start": round(os.getloadavg()[0], 2), "n": n, "formats": []}
    for fmt in formats:
        rows = []
        for i in range(rounds):
            order = [1, n] if i % 2 == 0 else [n, 1]
            row = {k: generate(fmt, k) for k in order}
            rows.append({"one": row[1], "n": row[n], "ratio": round(row[n]["wall_s"] / row[1]["wall_s"], 3)})
            print(f"{fmt} round {i + 1}: N=1 {row[1]['wall_s']} s, N={n} {row[n]['wall_s']} s → "
                  f"{rows[-1]['ratio']}×", file=sys.stderr)
        out["formats"].append({"format": fmt, "rounds": rows,
                               "ratio_median": statistics.median(r["ratio"] for r in rows)})
    out["load_end"] = round(os.getloadavg()[0], 2)
    return out


def readme_block(r: dict) -> str:
    lines = [START, f"Last run: {r['date']}, {r['machine']}; 1-min load average {r['load_start']} at the start, "
                    f"{r['load_end']} at the end.", "",
             f"| format | N=1 wall (calls, tokens) | N={r['n']} wall (calls, tokens) | ratio N/1 |",
             "|---|---|---|---:|"]
    for f in r["formats"]:
        for row in f["rounds"]:
            one, many = row["one"], row["n"]
            lines.append(f"| {f['format']} | {one['wall_s']} s ({one['model_calls']}, {one['completion_tokens']}) | "
                         f"{many['wall_s']} s ({many['model_calls']}, {many['completion_tokens']}) | {row['ratio']}× |")
        lines.append(f"| **{f['format']}, median** | | | **{f['ratio_median']}×** |")
    lines.append(END)
    return "\n".join(lines)


def update_readme(r: dict, readme: Path = HERE / "README.md") -> None:
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    block = readme_block(r)
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Best-of-N against one candidate\n\n" + __doc__.split("\n\n")[1] + "\n\n" \
            + block + "\n"
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, readme)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--formats", nargs="+", default=["linkedin", "landing"])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    r = run(args.formats, args.rounds, args.n)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "candidates.json").write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n",
                                                      encoding="utf-8")
    if not args.no_readme:
        update_readme(r)
    print(readme_block(r))


if __name__ == "__main__":
    main()
