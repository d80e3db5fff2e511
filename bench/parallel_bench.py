"""Parallel slots on the embedded model: tokens/s per sequence with 1–4 sequences decoding together, and
best-of-N drawn as one request (`n`: the prompt processed once) against a single answer, in the same run.

One in-process server with `--slots` slots (unified KV pool, continuous batching). Each round runs, in a
rotating order, k = 1 … 4 concurrent requests with different user parts (the system prefix shared), then
one request for n = 1 and one for n = 3 answers to a fresh prompt of Plume's size (the shared system
prefix already in the slots, as in any command after its first call). Every slot is warmed first with the
system prefix (one concurrent request per slot), so the k-sequence runs measure decoding, not a fresh
slot's prompt. llama.cpp gives a new request an idle slot only, so requests sent together land on distinct
slots as long as none has finished when the last arrives (a ~470-token prompt takes seconds here); this is
not a contract, so the run checks it: each warm-up request must have computed its whole prompt
(`cache_n` = 0), `/slots` must show every slot holding the prefix, and the JSON keeps the prompt tokens
computed per request of every k-sequence run (a cold slot would show ~470 instead of ~25).
Generation speed comes from the server's own timings (`predicted_per_second`, prompt excluded); ratios
are taken inside a round, then the median over rounds, so the load of other processes on the 2 cores weighs
on both sides alike.

    python bench/parallel_bench.py [--rounds 3] [--tokens 48] [--slots 4]

Writes bench/results/parallel.json and the block between the parallel markers of bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
START, END = "<!-- parallel-bench:start -->", "<!-- parallel-bench:end -->"
TOPICS = ["la délégation", "les priorités", "le pilotage", "la clarté", "le recul", "la structure"]


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _messages(system: str, topic: str, nonce: str) -> list[dict]:
    return [{"role": "system", "content": system},
            {"role": "user", "content": f"({nonce}) Écrivez un long paragraphe sur {topic} dans une PME, "
                                        f"sans titre ni liste."}]


def run(rounds: int, tokens: int, slots: int) -> dict:
    load_start = round(os.getloadavg()[0], 2)
    os.environ.setdefault("PLUME_HOME", tempfile.mkdtemp(prefix="plume-bench-"))
    from plume import prompts
    from plume.backends.embedded import EmbeddedServer, default_model_path
    from plume.write.schemas import Brief

    system = prompts.generate_prompt(Brief(topic="x"), "pme", "linkedin").messages[0]["content"]
    user_size = len(prompts.generate_prompt(Brief(topic="x"), "pme", "linkedin").messages[1]["content"])
    rss_before = _rss_mib()
    started = time.perf_counter()
    server = EmbeddedServer(default_model_path(progress=False), parallel=slots)
    load_s = time.perf_counter() - started
    rss_loaded = _rss_mib()
    model = "bench"

    def chat(messages, n=1) -> tuple[float, dict]:
        t = time.perf_counter()
        r = server.post("/v1/chat/completions", {"model": model, "messages": messages, "max_tokens": tokens,
                                                 "temperature": 0.8, "n": n}, timeout=1800)
        return time.perf_counter() - t, r

    # warm every slot at once (concurrent requests land on distinct idle slots), so each holds the system
    # prefix: otherwise a slot's first request computes ~450 prompt tokens while the others decode, which
    # slows their decode steps and shows up as a low tokens/s in whichever k first reaches that slot
    warmed: list = [None] * slots

    def warm_one(j: int) -> None:
        warmed[j] = chat(_messages(system, "le cap", f"warm-up {j}"))[1]["timings"]

    warm = [threading.Thread(target=warm_one, args=(j,)) for j in range(slots)]
    [t.start() for t in warm]
    [t.join() for t in warm]
    slot_tokens = [s.get("n_prompt_tokens") for s in server.get("/slots")]
    warm_up = {"prompt_n": [w.get("prompt_n") for w in warmed], "cache_n": [w.get("cache_n") for w in warmed],
               "slot_prompt_tokens": slot_tokens}
    prefix_tokens = len(server.tokenize(system))
    if any(w.get("cache_n") for w in warmed) or not all((n or 0) >= prefix_tokens for n in slot_tokens):
        raise SystemExit(f"warm-up did not reach every slot: {warm_up} (system prefix {prefix_tokens} tokens)")
    computed: dict[int, list[list[int]]] = {k: [] for k in range(1, 5)}
    per_seq: dict[int, list[float]] = {k: [] for k in range(1, 5)}
    ratio: dict[int, list[float]] = {k: [] for k in range(1, 5)}
    best_of: list[dict] = []
    for i in range(rounds):
        speeds: dict[int, float] = {}
        order = list(range(1, 5)) if i % 2 == 0 else list(range(4, 0, -1))
        for k in order:
            out: list = [None] * k

            def one(j: int, k=k, out=out) -> None:
                out[j] = chat(_messages(system, TOPICS[j], f"r{i}k{k}j{j}"))

            threads = [threading.Thread(target=one, args=(j,)) for j in range(k)]
            [t.start() for t in threads]
            [t.join() for t in threads]
            speeds[k] = statistics.median(r["timings"]["predicted_per_second"] for _, r in out)
            computed[k].append([r["timings"].get("prompt_n") for _, r in out])
            per_seq[k].append(round(speeds[k], 2))
        for k in range(1, 5):
            ratio[k].append(round(speeds[k] / speeds[1], 3))
        # best-of-N: a fresh user part of Plume's size after the shared system prefix
        filler = ("Contexte : " + "une dirigeante de PME surchargée, des urgences partout. " * 40)[:user_size]
        walls = {}
        for n in ((1, 3) if i % 2 == 0 else (3, 1)):
            msgs = [{"role": "system", "content": system},
                    {"role": "user", "content": f"({i}-{n}) {filler}\nÉcrivez un paragraphe sur le recul."}]
            wall, r = chat(msgs, n=n)
            walls[n] = {"wall_s": round(wall, 2), "choices": len(r["choices"]),
                        "prompt_n": r["timings"].get("prompt_n"), "cache_n": r["timings"].get("cache_n")}
        best_of.append({**{f"n{n}": w for n, w in walls.items()},
                        "ratio": round(walls[3]["wall_s"] / walls[1]["wall_s"], 3)})
    rss_end = _rss_mib()
    server.stop()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}",
        "load_average_1min_at_start": load_start,
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "rounds": rounds, "max_tokens": tokens, "slots": slots, "model_load_s": round(load_s, 2),
        "rss_mib": {"before": round(rss_before), "loaded": round(rss_loaded), "end": round(rss_end)},
        "warm_up": warm_up,
        "prompt_tokens_computed_per_request": {str(k): v for k, v in computed.items()},
        "tokens_per_s_per_sequence": {str(k): v for k, v in per_seq.items()},
        "per_sequence_vs_one": {str(k): statistics.median(v) for k, v in ratio.items()},
        "aggregate_vs_one": {str(k): round(k * statistics.median(v), 2) for k, v in ratio.items()},
        "best_of_3_vs_1": best_of,
        "best_of_3_vs_1_median": statistics.median(b["ratio"] for b in best_of),
    }


def readme_block(r: dict) -> str:
    rows = [f"| {k} | {', '.join(str(x) for x in r['tokens_per_s_per_sequence'][k])} | "
            f"{r['per_sequence_vs_one'][k]:.2f}× | {r['aggregate_vs_one'][k]:.2f}× |" for k in ("1", "2", "3", "4")]
    b = r["best_of_3_vs_1"]
    fresh = [n for runs in r.get("prompt_tokens_computed_per_request", {}).values() for run in runs for n in run]
    w = r.get("warm_up", {})
    return "\n".join([
        START,
        f"Last run: {r['date']}, {r['machine']}, {r['slots']} slots, {r['rounds']} rounds of {r['max_tokens']} "
        f"tokens; model load {r['model_load_s']} s; RSS {r['rss_mib']['loaded']} MiB loaded, "
        f"{r['rss_mib']['end']} MiB at the end; 1-min load average {r.get('load_average_1min_at_start')} at the "
        f"start, {r['load_average_1min_at_end']} at the end.",
        "",
        "| sequences | tokens/s per sequence (each round) | per sequence vs 1 | total vs 1 |",
        "|---:|---|---:|---:|",
        *rows,
        "",
        f"- Every slot warmed first by concurrent requests (prompt tokens computed {w.get('prompt_n')}, reused "
        f"{w.get('cache_n')}; `/slots` then shows {w.get('slot_prompt_tokens')} tokens held); in the "
        f"k-sequence runs each request computed {min(fresh, default=None)}–{max(fresh, default=None)} prompt "
        f"tokens (its user part), the system prefix reused from its slot.",
        f"- Best-of-3 as one request (`n = 3`) vs one answer, same prompt size, fresh user part: "
        f"**{r['best_of_3_vs_1_median']:.2f}×** the wall time (median of rounds: "
        f"{', '.join(str(x['ratio']) for x in b)}; prompt tokens computed {b[0]['n3']['prompt_n']} for n = 3 "
        f"vs {b[0]['n1']['prompt_n']} for n = 1, {b[0]['n3']['cache_n']} reused from the slot).",
        END,
    ])


def update_readme(r: dict, readme: Path = HERE / "README.md") -> None:
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    block = readme_block(r)
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Parallel slots\n\n" + block + "\n"
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, readme)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=48)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    result = run(args.rounds, args.tokens, args.slots)
    out = HERE / "results" / "parallel.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not args.no_readme:
        update_readme(result)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
