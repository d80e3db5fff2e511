"""Benchmark: `plume variants` wall time vs the server's own throughput limit, measured in the same run.

12 variants (6 audiences × 2 formats: the house's three plus a copy of each, in a temporary house folder)
on the scripted OpenAI-compatible server of tests/, which generates one answer at a time at
`--tps` tokens per second (like a single-slot llama.cpp server). For concurrency 1, 2, 4 we run the whole
job (prompts, HTTP, structured parsing, lint, files, manifest) and compare its wall time with the limit:
sum of the variants' completion tokens ÷ the server's tokens/s, measured by driving the same server
directly with the openai SDK just before. Target: within 1.15× of the limit at the best concurrency.

    python bench/variants_bench.py [--tps 400] [--tokens 80]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from scripted_server import Reply, ScriptedServer  # noqa: E402

POST = {"hook": "Tout semble urgent ?", "paragraphs": ["Un soutien à temps partagé.", "Pour prioriser et débloquer."],
        "bullets": ["prendre du recul"], "closing": "Et vous, comment gardez-vous le cap ?", "hashtags": ["PME"]}
LANDING = {"title": "Garder le cap", "subtitle": "Un soutien à temps partagé, au plus près de la direction.",
           "pains": ["Tout est urgent.", "Trop de sujets."],
           "dimensions": [{"name": "Sparring Partner", "role": "Je challenge."}, {"name": "Architecte", "role": "Je structure."},
                          {"name": "Éclaireur", "role": "Je débloque."}],
           "benefits": ["Du temps.", "De la clarté.", "De la sérénité."],
           "how_it_works": ["Un test à temps partagé.", "Un bilan."], "call_to_action": "Parlons-en."}


def house_with_twelve_variants(tmp: Path) -> Path:
    """A copy of the house folder whose house file has six audiences (each original twice)."""
    import yaml

    from plume.paths import house_root

    root = tmp / "house"
    for sub in ("corpus", "prompts"):
        shutil.copytree(house_root() / sub, root / sub)
    path = root / "prompts" / "house.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in list(data["audiences"]):
        data["audiences"][f"{key}2"] = dict(data["audiences"][key])
    for rule in data.get("rules", []):
        scope = rule.get("scope") or {}
        if scope.get("audiences"):
            scope["audiences"] = scope["audiences"] + [f"{a}2" for a in scope["audiences"]]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def server_tps(srv: ScriptedServer, tokens: int, calls: int = 24) -> float:
    """Completion tokens per second the server delivers, driven directly with the openai SDK (4 in flight)."""
    import openai

    async def main() -> float:
        client = openai.AsyncOpenAI(base_url=srv.base_url, api_key="x", max_retries=0)
        gate = asyncio.Semaphore(4)

        async def one() -> int:
            async with gate:
                r = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
                return r.usage.completion_tokens

        await one()  # warm-up: connection set-up is not the server's throughput
        start = time.perf_counter()
        done = await asyncio.gather(*(one() for _ in range(calls)))
        elapsed = time.perf_counter() - start
        await client.close()
        return sum(done) / elapsed

    return asyncio.run(main())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tps", type=float, default=400.0, help="simulated server throughput (tokens/s)")
    ap.add_argument("--tokens", type=int, default=80, help="completion tokens per answer")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "variants.json")
    args = ap.parse_args()

    import os

    tmp = Path(tempfile.mkdtemp(prefix="plume-bench-"))
    os.environ["PLUME_HOME"] = str(tmp / "home")
    os.environ["PLUME_HOUSE_DIR"] = str(house_with_twelve_variants(tmp))

    from plume.backends import get_backend
    from plume.write import Brief, run_variants

    def respond(body: dict) -> Reply:
        fmt = (body.get("response_format") or {}).get("json_schema", {}).get("name")
        content = LANDING if fmt == "LandingCopy" else POST
        return Reply(json.dumps(content, ensure_ascii=False), completion_tokens=args.tokens)

    audiences = ["pme", "cos", "coo", "pme2", "cos2", "coo2"]
    brief = Brief(topic="Garder le cap quand tout semble urgent", cta="Réservez 30 minutes.")
    runs = []
    with ScriptedServer(responder=respond, tokens_per_second=args.tps) as srv:
        tps = server_tps(srv, args.tokens)
        for concurrency in (1, 2, 4):
            out = tmp / f"c{concurrency}"
            backend = get_backend(model="m", base_url=srv.base_url, max_retries=0)
            start = time.perf_counter()
            report = run_variants(brief, audiences, ["linkedin", "landing"], out, backend, concurrency=concurrency)
            wall = time.perf_counter() - start
            backend.close()
            tokens = sum(r["completion_tokens"] for r in report.records)
            limit = tokens / tps
            runs.append({"concurrency": concurrency, "variants": len(report.records),
                         "failed": len(report.failed), "model_calls": sum(r["attempts"] for r in report.records),
                         "completion_tokens": tokens, "wall_s": round(wall, 3), "limit_s": round(limit, 3),
                         "ratio": round(wall / limit, 3), "ratio_vs_nominal": round(wall / (tokens / args.tps), 3)})
            print(f"concurrency {concurrency}: {len(report.records)} variants, {tokens} tokens, "
                  f"wall {wall:.2f} s, limit {limit:.2f} s, ratio {wall / limit:.3f}")
    best = min(runs, key=lambda r: r["ratio"])
    result = {"server": "tests/scripted_server.py (one generation at a time)", "simulated_tps": args.tps,
              "measured_server_tps": round(tps, 1), "tokens_per_answer": args.tokens, "runs": runs,
              "best": {"concurrency": best["concurrency"], "ratio": best["ratio"]}, "target_ratio": 1.15,
              "meets_target": best["ratio"] <= 1.15}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"best: concurrency {best['concurrency']}, {best['ratio']:.3f}× the server's limit "
          f"(target ≤ 1.15×) → {args.out}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
