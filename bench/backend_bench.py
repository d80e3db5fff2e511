"""Backend benchmark on the embedded model, all paths measured in the same run on the same server.

1. Plume's end-to-end completion (`backend.complete`: request building, SDK call, pricing, history write)
   against a direct `openai` SDK call to the same server: target, Plume adds < 5 %.
2. Tokens per second of Plume's embedded path against xllamacpp driven directly in-process
   (`Server.handle_chat_completions(dict)`, no HTTP): target >= 95 %.

Same prompt, temperature 0 and max_tokens for every call, so each path generates the same tokens; the
paths take turns (rotating order) after a warm-up, and medians are compared.

    python bench/backend_bench.py [--rounds 5] [--max-tokens 96]

Writes bench/results/backend.json and refreshes the figures between the backend markers of bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MESSAGES = [
    {"role": "system", "content": "Tu es un rédacteur qui écrit en français, sans listes ni Markdown."},
    {"role": "user", "content": "Écris un court paragraphe sur la délégation dans une PME de 40 personnes."},
]
START, END = "<!-- backend-bench:start -->", "<!-- backend-bench:end -->"


def run(rounds: int, max_tokens: int) -> dict:
    os.environ.setdefault("PLUME_HOME", tempfile.mkdtemp(prefix="plume-bench-"))  # keep the user's history clean
    import openai

    from plume.backends.embedded import EmbeddedBackend

    backend = EmbeddedBackend(max_tokens_cap=max_tokens)
    server = backend.server  # assembles/verifies the model and starts the server once
    sdk = openai.OpenAI(base_url=server.base_url, api_key="local", max_retries=0, timeout=600)
    direct_server = server._server

    def plume_call() -> int:
        return backend.complete(MESSAGES, max_tokens=max_tokens, temperature=0.0,
                                meta={"command": "bench"}).usage.completion_tokens

    def sdk_call() -> int:
        r = sdk.chat.completions.create(model=backend.model, messages=MESSAGES, max_tokens=max_tokens,
                                        temperature=0.0)
        return r.usage.completion_tokens

    def direct_call() -> int:
        r = direct_server.handle_chat_completions({"model": backend.model, "messages": MESSAGES,
                                                   "max_tokens": max_tokens, "temperature": 0.0})
        return r["usage"]["completion_tokens"]

    paths = {"plume": plume_call, "openai_sdk": sdk_call, "xllamacpp_direct": direct_call}
    for call in paths.values():  # warm-up: load pages, fill the prompt cache
        call()
    samples: dict[str, list[tuple[float, int]]] = {name: [] for name in paths}
    names = list(paths)
    for i in range(rounds):
        for name in names[i % 3:] + names[: i % 3]:
            started = time.perf_counter()
            tokens = paths[name]()
            samples[name].append((time.perf_counter() - started, tokens))

    def summary(name: str) -> dict:
        secs = [s for s, _ in samples[name]]
        tps = [t / s for s, t in samples[name]]
        return {"median_s": round(statistics.median(secs), 4), "min_s": round(min(secs), 4),
                "tokens": [t for _, t in samples[name]], "median_tokens_per_s": round(statistics.median(tps), 2)}

    result = {name: summary(name) for name in paths}
    overhead = result["plume"]["median_s"] / result["openai_sdk"]["median_s"] - 1
    tps_ratio = result["plume"]["median_tokens_per_s"] / result["xllamacpp_direct"]["median_tokens_per_s"]
    backend.close()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}",
        "model": backend.model, "rounds": rounds, "max_tokens": max_tokens, "paths": result,
        "plume_overhead_vs_sdk": round(overhead, 4), "overhead_target": "< 0.05",
        "overhead_ok": overhead < 0.05,
        "plume_tokens_per_s_vs_direct": round(tps_ratio, 4), "tokens_per_s_target": ">= 0.95",
        "tokens_per_s_ok": tps_ratio >= 0.95,
    }


def readme_block(r: dict) -> str:
    p = r["paths"]
    return "\n".join([
        START,
        f"Last run: {r['date']}, {r['machine']}, model {r['model']}, {r['rounds']} rounds of "
        f"{r['max_tokens']} tokens at temperature 0 (medians).",
        "",
        "| path | median s | tokens/s |",
        "|---|---|---|",
        *(f"| {name} | {p[name]['median_s']:.3f} | {p[name]['median_tokens_per_s']:.1f} |" for name in p),
        "",
        f"- Plume end to end vs direct openai SDK call: **{r['plume_overhead_vs_sdk'] * 100:+.1f} %** "
        f"(target < 5 %: {'met' if r['overhead_ok'] else 'NOT met'}).",
        f"- Plume tokens/s vs xllamacpp in-process: **{r['plume_tokens_per_s_vs_direct'] * 100:.1f} %** "
        f"(target ≥ 95 %: {'met' if r['tokens_per_s_ok'] else 'NOT met'}).",
        END,
    ])


def update_readme(r: dict) -> None:
    readme = HERE / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    block = readme_block(r)
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Backends\n\n" + block + "\n"
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, readme)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--no-readme", action="store_true", help="Do not touch bench/README.md.")
    args = parser.parse_args()
    result = run(args.rounds, args.max_tokens)
    out = HERE / "results" / "backend.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not args.no_readme:
        update_readme(result)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
