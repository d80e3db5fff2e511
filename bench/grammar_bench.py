"""Benchmark grammar and spelling: Plume's Grammalecte checker against the Grammalecte server called directly.

Texts: generated 3,000-character LinkedIn drafts (the lint benchmark's generator: corpus sentences, a
question hook, hashtags), each made unique so no cache answers. One Grammalecte server (the one Plume
starts) serves both paths, alternated text by text, each text at its best over several rounds:
* direct: one `POST /gc_text/fr` of the raw text with the same options, JSON decoded (the least any
  client does);
* plume checker: `GrammalecteChecker.check(Context(text), target)` (masking, house lexicon, hashtag
  words, the request, mapping to Violations, spelling suggestions), its answer cache cleared first;
* plume lint: `lint_text(text, plan, "pme", "linkedin", checkers=[checker])`, the whole critic with
  grammar (house rules + Grammalecte), cache cleared: the milliseconds per post.
Also the server's start-up (first use) and the cold `plume lint FILE` with and without grammar.

    python bench/grammar_bench.py [--posts 20] [--rounds 3] [--out bench/results/grammar.json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
TARGETS = {"overhead_max": 0.15}
README = ROOT / "bench" / "README.md"


def posts(n: int, seed: int = 11) -> list[str]:
    from lint_bench import _sentences, make_post

    rng = random.Random(seed)
    pool = _sentences()
    out = []
    for i in range(n):
        text = make_post(rng, pool)
        # a unique first word keeps every text out of every cache (and is a real word)
        out.append(text.replace("format: linkedin\n---\n", f"format: linkedin\n---\nNuméro {i}. ", 1))
    return out


def direct_client(port: int, options: dict[str, bool]):
    payload_options = json.dumps(options, sort_keys=True)

    def check(text: str) -> int:
        body = urlencode({"text": text, "options": payload_options}).encode("utf-8")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.request("POST", "/gc_text/fr", body, {"Content-Type": "application/x-www-form-urlencoded"})
            data = json.loads(conn.getresponse().read())
        finally:
            conn.close()
        return sum(len(p["lGrammarErrors"]) + len(p["lSpellingErrors"]) for p in data["data"])

    return check


def best_alternating(paths: dict, texts: list[str], rounds: int, before=None) -> dict[str, list[float]]:
    """Per-text best time of each path; the paths alternate text by text so load hits them alike."""
    best = {name: [float("inf")] * len(texts) for name in paths}
    clock = time.perf_counter
    for _ in range(rounds):
        for i, text in enumerate(texts):
            for name, fn in paths.items():
                if before:
                    before()
                start = clock()
                fn(text)
                elapsed = clock() - start
                if elapsed < best[name][i]:
                    best[name][i] = elapsed
    return best


def cold(cmd: list[str], runs: int) -> float:
    best = float("inf")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        best = min(best, time.perf_counter() - start)
    return best


def run(n_posts: int, rounds: int, cold_runs: int) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from plume.lint import lint_text
    from plume.lint.context import Context
    from plume.lint.grammar import OPTIONS, GrammalecteChecker
    from plume.lint.grammalecte import GrammalecteServer
    from plume.lint.plan import load_plan
    from plume.lint.target import Target

    load_before = os.getloadavg()[0]
    texts = posts(n_posts)
    plan = load_plan()
    checker = GrammalecteChecker()
    bare = GrammalecteChecker(suggestions=False)  # the same single request, no /suggest calls
    server: GrammalecteServer = checker.server
    start = time.perf_counter()
    assert server.unavailable() is None, "grammalecte-server is not installed"
    startup = time.perf_counter() - start
    port = server._ensure()
    direct = direct_client(port, OPTIONS)
    target = Target("pme", "linkedin")
    for t in texts[:2]:  # warm-up: the server's first parses are slow
        direct(t)
        checker.check(Context(t, "pme", "linkedin"), target)

    def direct_sent(text: str) -> int:  # the very text Plume sends (masked, hashtag words), called directly
        return direct(bare._request(Context(text), bare.lexicon())[1])

    def plume_checker(text: str) -> int:
        return len(checker.check(Context(text, "pme", "linkedin"), target))

    def plume_checker_no_suggest(text: str) -> int:
        return len(bare.check(Context(text, "pme", "linkedin"), target))

    def plume_lint(text: str) -> int:
        return len(lint_text(text, plan, "pme", "linkedin", checkers=[checker]).violations)

    found = {"direct": sum(direct(t) for t in texts), "plume_checker": sum(plume_checker(t) for t in texts)}
    server.clear_cache()
    before_words = len(server._suggestions)
    for t in texts:
        plume_checker(t)
    suggested = len(server._suggestions) - before_words
    best = best_alternating({"direct": direct, "direct_sent": direct_sent, "plume_checker_no_suggest": plume_checker_no_suggest,
                             "plume_checker": plume_checker, "plume_lint": plume_lint},
                            texts, rounds, before=server.clear_cache)
    totals = {k: sum(v) for k, v in best.items()}
    per_text = sorted(best["plume_checker_no_suggest"][i] / best["direct"][i] for i in range(len(texts)))
    overhead = totals["plume_checker_no_suggest"] / totals["direct"] - 1
    with_suggest = totals["plume_checker"] / totals["direct"] - 1
    client = totals["plume_checker_no_suggest"] / totals["direct_sent"] - 1
    lint_overhead = totals["plume_lint"] / totals["direct"] - 1

    with tempfile.TemporaryDirectory(prefix="plume-grammar-bench-") as tmp:
        f = Path(tmp) / "post.md"
        f.write_text(texts[0], encoding="utf-8")
        base = [sys.executable, "-m", "plume", "lint", str(f)]
        cold_with = cold(base, cold_runs)
        cold_without = cold(base + ["--no-grammar"], cold_runs)
    server.stop()
    return {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"arch": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_1min_before": round(load_before, 2), "load_1min_after": round(os.getloadavg()[0], 2)},
        "posts": len(texts),
        "chars_per_post": round(sum(len(t) for t in texts) / len(texts)),
        "rounds": rounds,
        "findings": found,
        "ms_per_post": {k: round(1000 * v / len(texts), 2) for k, v in totals.items()},
        "overhead_checker_vs_direct": round(overhead, 4),
        "overhead_checker_vs_direct_median_per_post": round(per_text[len(per_text) // 2] - 1, 4),
        "overhead_checker_vs_direct_on_sent_text": round(client, 4),
        "overhead_checker_with_suggestions_vs_direct": round(with_suggest, 4),
        "suggest_requests_per_post": round(suggested / len(texts), 2),
        "overhead_lint_vs_direct": round(lint_overhead, 4),
        "server_startup_s": round(startup, 3),
        "cold_plume_lint_s": {"with_grammar": round(cold_with, 3), "no_grammar": round(cold_without, 3)},
        "targets": TARGETS,
        "met": overhead < TARGETS["overhead_max"],
    }


def readme_block(r: dict) -> str:
    ms = r["ms_per_post"]
    m = r["machine"]
    return "\n".join([
        f"Last run: {r['when']}, {m['arch']}, {m['cpus']} CPU, Python {m['python']}, {r['posts']} posts of "
        f"{r['chars_per_post']:,} characters, best of {r['rounds']} rounds; 1-min load average {m['load_1min_before']} "
        f"before, {m['load_1min_after']} after.",
        "",
        "| path | ms per 3,000-character post |",
        "|---|---:|",
        f"| Grammalecte server called directly | {ms['direct']:.1f} |",
        f"| the server called directly with the text Plume sends (masked, hashtag words) | {ms['direct_sent']:.1f} |",
        f"| Plume's Grammalecte checker, no spelling suggestions (the same one request) | {ms['plume_checker_no_suggest']:.1f} |",
        f"| Plume's Grammalecte checker (default: + one `/suggest` request per unknown word) | {ms['plume_checker']:.1f} |",
        f"| `lint_text` with grammar (house rules + Grammalecte) | {ms['plume_lint']:.1f} |",
        "",
        f"- Plume's checker over the direct call, same Grammalecte work: **{100 * r['overhead_checker_vs_direct']:+.1f} %** "
        f"(target < {100 * r['targets']['overhead_max']:.0f} %: {'met' if r['met'] else 'NOT met'}; median per post "
        f"{100 * r['overhead_checker_vs_direct_median_per_post']:+.1f} %): masking, house lexicon, hashtag words, "
        "mapping to violations. Masking frontmatter and markup leaves Grammalecte less to parse; against the "
        f"server called directly with the very text Plume sends, Plume's own cost is "
        f"{100 * r['overhead_checker_vs_direct_on_sent_text']:+.1f} %.",
        f"- Spelling suggestions are more Grammalecte work, not Plume's: {r['suggest_requests_per_post']} `/suggest` "
        f"requests a post here bring the default checker to {100 * r['overhead_checker_with_suggestions_vs_direct']:+.1f} %"
        f" and the whole lint with grammar to {100 * r['overhead_lint_vs_direct']:+.1f} % of the direct call.",
        f"- Findings on these texts: {r['findings']['direct']} from the server, {r['findings']['plume_checker']} "
        "Plume violations (house words, masks and the author's sentences remove the rest).",
        f"- Server start-up on first use: {r['server_startup_s']:.2f} s; cold `plume lint FILE`: "
        f"{r['cold_plume_lint_s']['with_grammar']:.2f} s with grammar, {r['cold_plume_lint_s']['no_grammar']:.2f} s "
        "with `--no-grammar`.",
    ])


def write_readme(block: str) -> None:
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- grammar-bench:start -->", "<!-- grammar-bench:end -->"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), start + "\n" + block + "\n" + end, text, flags=re.S)
        README.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cold", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "grammar.json")
    ap.add_argument("--no-readme", action="store_true", help="Do not rewrite the block in bench/README.md.")
    args = ap.parse_args()
    result = run(args.posts, args.rounds, args.cold)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    block = readme_block(result)
    if not args.no_readme:
        write_readme(block)
    print(block)


if __name__ == "__main__":
    main()
