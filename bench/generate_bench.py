"""Where the time of one `plume generate` goes on the embedded default, and what a warm server saves.

1. Breakdown (one fresh process per format, LinkedIn post and landing page): interpreter start, imports
   (the CLI and the generate path), model load (the llama.cpp server starting), then each model call split
   by the server's own timings into prompt processing and generation (tokens computed vs reused from the
   cache), and the rest of the job (prompts, rendering, fixes, lint/critic, history) as the difference.
2. Side by side, in the same run and the same brief: `plume generate` twice in a row as the code stood when
   issue 12 was filed (commit e102b96, extracted to a temporary folder, cold process each time) against
   the current code twice in a row with `plume serve` running (the second one is the user's "next post"),
   and the current code in cold processes (the prefix cache file restored). Rounds alternate.

    python bench/generate_bench.py [--formats linkedin landing] [--rounds 1] [--skip-compare]
                                   [--baseline-python PATH]

The baseline of e102b96 needs `python-frontmatter`, which the current code dropped. `--baseline-python`
(default: $PLUME_BASELINE_PYTHON, else this interpreter) runs it in another environment, e.g. a venv whose
site-packages has a `.pth` line pointing at this one's plus `pip install python-frontmatter`, so the
current code keeps running without it. Every `plume generate` is bounded (`--timeout`, 900 s).

Writes bench/results/generate.json and the block between the generate markers of bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
START, END = "<!-- generate-bench:start -->", "<!-- generate-bench:end -->"
BASELINE = "e102b96"  # main when issue 12 was filed
TOPIC = "Le duo COO et Chief of Staff"
AUDIENCE = {"linkedin": "coo", "landing": "pme"}


# -- 1. breakdown, in a child process ---------------------------------------------------------------

def child(fmt: str, launched: float) -> dict:
    """Runs in a fresh interpreter: time each stage of one generate."""
    entered = time.time()
    t = time.perf_counter()
    import plume.cli.generate  # noqa: F401 - the CLI and its generate command
    from plume.backends import openai_compat
    import importlib

    gen = importlib.import_module("plume.write.generate")  # the module (plume.write re-exports the function)

    imports = time.perf_counter() - t
    calls: list[dict] = []
    original = openai_compat.OpenAIBackend._from_response
    original_n = openai_compat.OpenAIBackend._n_completions

    def record(response) -> None:
        timings = (getattr(response, "model_extra", None) or {}).get("timings") or {}
        calls.append({"prompt_ms": timings.get("prompt_ms"), "prompt_n": timings.get("prompt_n"),
                      "cache_n": timings.get("cache_n"), "predicted_ms": timings.get("predicted_ms"),
                      "predicted_n": timings.get("predicted_n"), "choices": len(response.choices or [])})

    def from_response(self, response, schema):
        record(response)
        return original(self, response, schema)

    def n_completions(self, response, *args, **kwargs):
        record(response)
        return original_n(self, response, *args, **kwargs)

    openai_compat.OpenAIBackend._from_response = from_response
    openai_compat.OpenAIBackend._n_completions = n_completions
    from plume.house import load_house
    from plume.write.schemas import Brief

    house = load_house()
    backend = gen.backend_for(gen.max_tokens_for(fmt, house.format(fmt).default_words))
    t = time.perf_counter()
    server = backend.server  # loads the model (or finds `plume serve`)
    load = time.perf_counter() - t
    t = time.perf_counter()
    result = gen.generate(Brief(topic=TOPIC), AUDIENCE[fmt], fmt, backend, house=house)
    job = time.perf_counter() - t
    model_s = sum(((c["prompt_ms"] or 0) + (c["predicted_ms"] or 0)) / 1000 for c in calls)
    return {"format": fmt, "interpreter_s": round(entered - launched, 3), "imports_s": round(imports, 3),
            "model_load_s": round(load, 3), "server": type(server).__name__, "job_s": round(job, 2),
            "calls": calls, "model_s": round(model_s, 2),
            "prompt_s": round(sum((c["prompt_ms"] or 0) for c in calls) / 1000, 2),
            "generation_s": round(sum((c["predicted_ms"] or 0) for c in calls) / 1000, 2),
            "rest_of_job_s": round(job - model_s, 2), "attempts": result.attempts,
            "errors": result.errors, "warnings": result.warnings}


def breakdown(fmt: str, env: dict) -> dict:
    launched = time.time()
    wall = time.perf_counter()
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", fmt, str(launched)],
                         env=env, capture_output=True, text=True, check=True, timeout=900)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["process_wall_s"] = round(time.perf_counter() - wall, 2)
    return data


# -- 2. side by side --------------------------------------------------------------------------------

def baseline_tree(tmp: Path) -> Path:
    """The package as it was at BASELINE, extracted (no checkout of the user's work tree)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", BASELINE, "src", "prompts", "corpus"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
    return tmp


def load_1min() -> float:
    return round(os.getloadavg()[0], 2)


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def cli_generate(src: Path, fmt: str, env: dict, python: str = sys.executable,
                 timeout: float = 900) -> tuple[float, dict]:
    """Wall seconds of one `plume generate --json`, and what the run reports it did (calls, tokens)."""
    started = time.perf_counter()
    done = subprocess.run([python, "-m", "plume", "generate", TOPIC, "--audience", AUDIENCE[fmt],
                           "--format", fmt, "--json"], cwd=src.parent, env={**env, "PYTHONPATH": str(src)},
                          capture_output=True, text=True, timeout=timeout)
    wall = round(time.perf_counter() - started, 2)
    if done.returncode not in (0, 1) or not done.stdout.strip().startswith("{"):
        # a run that failed (the baseline of e102b96 also needs python-frontmatter in this environment)
        # must not pass for a fast one
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"generate_bench: `plume generate` from {src} failed (exit {done.returncode}): {tail}")
    data = json.loads(done.stdout)
    info = {k: data.get(k) for k in ("status", "attempts", "model_calls", "prompt_tokens", "completion_tokens",
                                     "errors", "warnings", "strategy", "duration_s")}
    info["candidates"] = len(data.get("candidates") or [])
    return wall, info


def _pair(src: Path, fmt: str, env: dict, python: str, timeout: float) -> tuple[list[float], list[dict]]:
    """Two `plume generate` of the same brief in a row."""
    runs = [cli_generate(src, fmt, env, python, timeout) for _ in range(2)]
    return [w for w, _ in runs], [i for _, i in runs]


def compare(fmt: str, rounds: int, env: dict, baseline_python: str = sys.executable,
            timeout: float = 900) -> dict:
    with tempfile.TemporaryDirectory(prefix="plume-baseline-") as tmp:
        base = baseline_tree(Path(tmp)) / "src"
        new = ROOT / "src"
        runs: list[dict] = []
        for i in range(rounds):
            row: dict = {"load_start": load_1min()}
            order = ["baseline", "serve", "cold"] if i % 2 == 0 else ["cold", "serve", "baseline"]
            for kind in order:
                if kind == "baseline":
                    b_env = {**env, "PLUME_NO_SERVE": "1", "PLUME_HOUSE_DIR": str(Path(tmp))}
                    row["baseline"], row["baseline_runs"] = _pair(base, fmt, b_env, baseline_python, timeout)
                elif kind == "cold":
                    c_env = {**env, "PLUME_NO_SERVE": "1"}
                    row["cold"], row["cold_runs"] = _pair(new, fmt, c_env, sys.executable, timeout)
                else:
                    s_env = {**env, "PYTHONPATH": str(new)}
                    subprocess.run([sys.executable, "-m", "plume", "serve"], cwd=ROOT, env=s_env, check=True,
                                   capture_output=True)
                    try:
                        row["serve"], row["serve_runs"] = _pair(new, fmt, env, sys.executable, timeout)
                    finally:
                        subprocess.run([sys.executable, "-m", "plume", "serve", "--stop"], cwd=ROOT, env=s_env,
                                       capture_output=True)
            row["load_end"] = load_1min()
            row["second_serve_vs_baseline"] = round(row["serve"][1] / row["baseline"][1], 3)
            row["second_cold_vs_baseline"] = round(row["cold"][1] / row["baseline"][1], 3)
            runs.append(row)
    return {"format": fmt, "runs": runs,
            "second_serve_vs_baseline": statistics.median(r["second_serve_vs_baseline"] for r in runs),
            "second_cold_vs_baseline": statistics.median(r["second_cold_vs_baseline"] for r in runs)}


def readme_block(r: dict) -> str:
    lines = [START, f"Last run: {r['date']}, {r['machine']}; 1-min load average {r['load_start']} at the start, "
                    f"{r['load_end']} at the end (2 cores shared with other jobs: absolute seconds swing, "
                    f"compare within a row).", "",
             "| format | interpreter | imports | model load | prompt (computed / reused tokens) | generation "
             "(tokens) | rest of the job | calls | process wall |", "|---|---:|---:|---:|---|---|---:|---:|---:|"]
    for b in r["breakdown"]:
        pn = sum(c["prompt_n"] or 0 for c in b["calls"])
        cn = sum(c["cache_n"] or 0 for c in b["calls"])
        gn = sum(c["predicted_n"] or 0 for c in b["calls"])
        lines.append(f"| {b['format']} | {b['interpreter_s']} s | {b['imports_s']} s | {b['model_load_s']} s | "
                     f"{b['prompt_s']} s ({pn} / {cn}) | {b['generation_s']} s ({gn}) | {b['rest_of_job_s']} s | "
                     f"{len(b['calls'])} | {b['process_wall_s']} s |")
    for c in r.get("compare", []):
        lines += ["", f"{c['format']}: `plume generate` twice in a row, wall seconds per round "
                      f"(baseline {BASELINE} cold · current with `plume serve` · current cold):"]
        for run in c["runs"]:
            lines.append(f"- load {run.get('load_start')}: baseline {run['baseline']} · serve {run['serve']} · "
                         f"cold {run['cold']} → second "
                         f"generate vs baseline: **{run['second_serve_vs_baseline']}×** with the warm server, "
                         f"{run['second_cold_vs_baseline']}× cold")
            for kind in ("baseline", "serve", "cold"):
                done = run.get(f"{kind}_runs") or []
                if done:
                    lines.append(f"  - {kind}: " + "; ".join(
                        f"{d.get('model_calls') or d.get('attempts')} model call(s), {d.get('prompt_tokens')} prompt "
                        f"+ {d.get('completion_tokens')} completion tokens, {d.get('status')}" for d in done))
    lines.append(END)
    return "\n".join(lines)


def update_readme(r: dict, readme: Path = HERE / "README.md") -> None:
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    block = readme_block(r)
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## One generate\n\n" + block + "\n"
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, readme)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "LAUNCHED"), help=argparse.SUPPRESS)
    parser.add_argument("--formats", nargs="+", default=["linkedin", "landing"])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--skip-compare", action="store_true")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--baseline-python", default=os.environ.get("PLUME_BASELINE_PYTHON", sys.executable),
                        help="interpreter for the baseline (needs python-frontmatter)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds at most per `plume generate`")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], float(args.child[1]))))
        return
    home = tempfile.mkdtemp(prefix="plume-bench-")
    env = {**os.environ, "PLUME_HOME": home, "PYTHONPATH": str(ROOT / "src"), "PLUME_NO_SERVE": "1"}
    result: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                    "machine": f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}",
                    "load_start": load_1min(), "uptime": uptime(), "topic": TOPIC,
                    "baseline": BASELINE, "baseline_python": args.baseline_python}
    result["breakdown"] = [breakdown(fmt, env) for fmt in args.formats]
    if not args.skip_compare:
        env.pop("PLUME_NO_SERVE")
        result["compare"] = [compare(fmt, args.rounds, env, args.baseline_python, args.timeout)
                             for fmt in args.formats]
    result["load_end"] = load_1min()
    out = HERE / "results" / "generate.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not args.no_readme:
        update_readme(result)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
