"""Benchmark `plume lint` against proselint on the same Markdown files, in one run.

Files: the corpus notes plus generated 3,000-character LinkedIn drafts (frontmatter + body) written to a
temporary folder. Both linters get the same texts, in-process, in interleaved rounds (plume, proselint, plume...; each
file kept at its best over the rounds, and the median round):
* Plume: `plume.lint.lint_text(text, house, audience="pme", format="linkedin", checkers=[])` (every house
  rule applies; no grammar: bench/grammar_bench.py measures Grammalecte);
* proselint 0.16: `LintFile(name, text).lint(config)` with every default check and no error cap;
* Plume again with only the house rules of 2026-11-23 (`BASELINE_RULES`): the engine's own speed, apart
  from the rules added since (the critic's defects of machine-written copy).
Then the cold start of the `plume lint FILE` command (subprocess, best of N; bytecode cached as in an
installed package; lint plan cached, and without that cache) next to `python -c pass`,
`python -c "import typer, pydantic"` (the floor of any typer command here: typer 0.29 coerces every
option through pydantic) and `proselint check FILE`, in wall time and in CPU time.

    python bench/lint_bench.py [--posts 60] [--rounds 5] [--cold 10] [--out bench/results/lint.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POST_CHARS = 3000
TARGETS = {"throughput_ratio_min": 10.0, "baseline_rules_ratio_min": 10.0, "ms_per_post_max": 2.0,
           "cold_start_s_max": 0.3}

# The house rules of 2026-11-23 (prompts/house.yaml at e102b96, before the lint conventions of issue 15 and
# the critic's rule kinds): the same rules timed on today's engine say what the engine itself gained or lost,
# apart from the rules added since (that run measured 11.1× proselint's files/s, 0.79 ms per post).
BASELINE_RULES = frozenset({
    "designation-externe", "jargon-pme", "acronyme-cos-pme", "chief-of-staff-pme", "comex-pme", "operating-partner",
    "anglicisme-chef-of", "anglicisme-chef-operating", "temps-partage", "en-temps-partage", "temps-plein",
    "temps-partiel", "vouvoiement", "repetition-designation", "repetition-temps-partage", "landing-dimensions",
    "landing-temps-partage", "linkedin-longueur", "linkedin-mots", "linkedin-accroche", "linkedin-hashtags",
    "linkedin-fin", "linkedin-markdown", "typo-espace-manquante", "typo-espace-insecable", "typo-guillemets",
    "typo-points-suspension", "typo-apostrophe",
})


# --- inputs ----------------------------------------------------------------------------------------


def corpus_files() -> list[Path]:
    return sorted((ROOT / "corpus").glob("*.md"))


def _sentences() -> list[str]:
    from plume.lint import split_frontmatter

    pool: list[str] = []
    for path in corpus_files():
        body = split_frontmatter(path.read_text(encoding="utf-8"))[1]
        for paragraph in re.split(r"\n\s*\n", body):
            paragraph = " ".join(paragraph.split())
            pool.extend(s for s in re.split(r"(?<=[.!?])\s+", paragraph) if 20 <= len(s) <= 400)
    return pool


def make_post(rng: random.Random, pool: list[str]) -> str:
    """A 3,000-character LinkedIn draft from corpus sentences: a hook, short paragraphs, hashtags."""
    hook = rng.choice([s for s in pool if s.endswith("?")] or pool)
    tail = "\n\n#PME #Direction #TempsPartagé"
    paragraphs: list[str] = []
    size = len(hook) + len(tail)
    while size < POST_CHARS:
        paragraph = " ".join(rng.sample(pool, rng.randint(1, 3)))
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    body = hook + "\n\n" + "\n\n".join(paragraphs)
    body = body[: POST_CHARS - len(tail)].rstrip() + tail
    body = body.ljust(POST_CHARS, ".")[:POST_CHARS]
    return "---\naudience: pme\nformat: linkedin\n---\n" + body


def write_inputs(folder: Path, posts: int, seed: int = 3) -> tuple[list[Path], list[Path]]:
    rng = random.Random(seed)
    pool = _sentences()
    notes = []
    for path in corpus_files():
        target = folder / path.name
        shutil.copyfile(path, target)
        notes.append(target)
    drafts = []
    for i in range(posts):
        target = folder / f"post-{i:03d}.md"
        target.write_text(make_post(rng, pool), encoding="utf-8")
        drafts.append(target)
    return notes, drafts


# --- linters ---------------------------------------------------------------------------------------


def plume_linter(select: frozenset[str] | None = None):
    """Plume's house rules for a founder's LinkedIn post (`select`: only those rule ids)."""
    from plume.house import load_house
    from plume.lint import lint_text

    house = load_house()

    def lint(name: str, text: str) -> int:
        return len(lint_text(text, house, audience="pme", format="linkedin", checkers=[], select=select).violations)

    return lint


def proselint_linter():
    from proselint.checks import __register__
    from proselint.config import DEFAULT
    from proselint.registry import CheckRegistry
    from proselint.tools import LintFile

    registry = CheckRegistry()
    if not registry.checks:
        registry.register_many(__register__)
    config = dict(DEFAULT, max_errors=10**9)

    def lint(name: str, text: str) -> int:
        return len(LintFile(name, text).lint(config))

    return lint


def interleaved_times(linters: dict, items: list[tuple[str, str]], rounds: int) -> dict[str, dict]:
    """Time every linter on every item, rounds interleaved (plume's pass, then proselint's, then plume's
    again...) so a load spike on the shared machine hits both sides alike. After one warm-up pass each,
    per linter: the sum of each item's best time over the rounds, the median and best of the round
    totals, and the violations found."""
    found = {name: sum(lint(n, t) for n, t in items) for name, lint in linters.items()}
    best = {name: [float("inf")] * len(items) for name in linters}
    totals: dict[str, list[float]] = {name: [] for name in linters}
    clock = time.perf_counter
    for _ in range(rounds):
        for name, lint in linters.items():
            per_item = best[name]
            total = 0.0
            for i, (n, t) in enumerate(items):
                start = clock()
                lint(n, t)
                elapsed = clock() - start
                total += elapsed
                if elapsed < per_item[i]:
                    per_item[i] = elapsed
            totals[name].append(total)
    return {
        name: {"best_items": sum(best[name]), "median_round": statistics.median(totals[name]),
               "best_round": min(totals[name]), "rounds": totals[name], "found": found[name]}
        for name in linters
    }


def best_time(lint, items: list[tuple[str, str]], rounds: int) -> tuple[float, int]:
    """One linter alone: the sum of each item's best time over `rounds` passes, and the violations found."""
    timed = interleaved_times({"linter": lint}, items, rounds)["linter"]
    return timed["best_items"], timed["found"]


# Bytecode as an installed package has it (pip compiles .pyc files at install time), kept in a temporary
# prefix so the checkout is not written to: the environment may set PYTHONDONTWRITEBYTECODE.
_PYCACHE = tempfile.mkdtemp(prefix="plume-bench-pycache-")
_BYTECODE_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
_BYTECODE_ENV["PYTHONPYCACHEPREFIX"] = _PYCACHE


def cold_start(cmd: list[str], runs: int, fresh_cache: bool = False) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system, from the child's rusage) over `runs` runs.
    CPU time is what the command costs when the machine is shared; wall time is what a user waits."""
    import resource

    best_wall = best_cpu = float("inf")
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_BYTECODE_ENV, check=False)
    for _ in range(runs):
        env = dict(_BYTECODE_ENV)
        with tempfile.TemporaryDirectory(prefix="plume-cache-") as cache:
            if fresh_cache:
                env["PLUME_CACHE_DIR"] = cache
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def _script(name: str) -> list[str] | None:
    path = Path(sys.executable).with_name(name)
    return [str(path)] if path.exists() else None


# --- run -------------------------------------------------------------------------------------------


def run(posts: int, rounds: int, cold: int) -> dict:
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    with tempfile.TemporaryDirectory(prefix="plume-lint-bench-") as tmp:
        notes, drafts = write_inputs(Path(tmp), posts)
        read = lambda paths: [(p.name, p.read_text(encoding="utf-8")) for p in paths]  # noqa: E731
        note_items, post_items = read(notes), read(drafts)
        all_items = note_items + post_items
        chars = sum(len(t) for _, t in all_items)

        linters = {"plume": plume_linter(), "proselint": proselint_linter(),
                   "plume_baseline_rules": plume_linter(BASELINE_RULES)}
        timed_all = interleaved_times(linters, all_items, rounds)
        timed_posts = interleaved_times(linters, post_items, rounds)
        results = {}
        for name in linters:
            t_all, t_posts = timed_all[name]["best_items"], timed_posts[name]["best_items"]
            results[name] = {
                "files": len(all_items),
                "seconds_all_files": t_all,
                "files_per_s": len(all_items) / t_all,
                "ms_per_3000_char_post": 1000 * t_posts / len(post_items),
                "chars_per_s": chars / t_all,
                "violations_found": timed_all[name]["found"],
                "seconds_all_files_median_round": timed_all[name]["median_round"],
                "ms_per_3000_char_post_median_round": 1000 * timed_posts[name]["median_round"] / len(post_items),
                "seconds_all_files_rounds": timed_all[name]["rounds"],
            }
        # the ratio of each interleaved round (plume's pass and the proselint pass right after it)
        round_ratios = [q / p for p, q in zip(timed_all["plume"]["rounds"], timed_all["proselint"]["rounds"])]

        plume_cmd = (_script("plume") or [sys.executable, "-m", "plume"]) + ["lint", "--no-grammar", str(drafts[0])]
        prose_cmd = (_script("proselint") or [sys.executable, "-m", "proselint"]) + ["check", str(drafts[0])]
        subprocess.run(plume_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)  # plan cache
        cold_plume = cold_start(plume_cmd, cold)
        cold_plume_fresh = cold_start(plume_cmd, max(1, cold // 2), fresh_cache=True)
        cold_python = cold_start([sys.executable, "-c", "pass"], cold)
        cold_typer = cold_start([sys.executable, "-c", "import typer, pydantic"], cold)
        cold_prose = cold_start(prose_cmd, max(1, cold // 2))

    ratio = results["plume"]["files_per_s"] / results["proselint"]["files_per_s"]
    baseline_ratio = results["plume_baseline_rules"]["files_per_s"] / results["proselint"]["files_per_s"]
    post_ratio = results["proselint"]["ms_per_3000_char_post"] / results["plume"]["ms_per_3000_char_post"]
    return {
        "inputs": {"corpus_notes": len(note_items), "generated_posts": len(post_items), "post_chars": POST_CHARS},
        "plume": results["plume"],
        "proselint": results["proselint"],
        "plume_baseline_rules": {**results["plume_baseline_rules"], "rules": sorted(BASELINE_RULES)},
        "throughput_ratio": ratio,
        "baseline_rules_ratio": baseline_ratio,
        "per_post_ratio": post_ratio,
        "throughput_ratio_median_round": results["proselint"]["seconds_all_files_median_round"]
        / results["plume"]["seconds_all_files_median_round"],
        "throughput_ratio_per_round": {"min": min(round_ratios), "median": statistics.median(round_ratios),
                                       "max": max(round_ratios)},
        "cold_start_s": {
            "plume_lint": cold_plume[0],
            "plume_lint_cpu": cold_plume[1],
            "plume_lint_no_plan_cache": cold_plume_fresh[0],
            "plume_lint_no_plan_cache_cpu": cold_plume_fresh[1],
            "python_c_pass": cold_python[0],
            "python_c_pass_cpu": cold_python[1],
            "python_import_typer_pydantic": cold_typer[0],
            "python_import_typer_pydantic_cpu": cold_typer[1],
            "proselint_check": cold_prose[0],
            "proselint_check_cpu": cold_prose[1],
            "command": " ".join([Path(plume_cmd[0]).name, *plume_cmd[1:2], "FILE"]),
        },
        "targets": TARGETS,
        "met": {
            "throughput_ratio": ratio >= TARGETS["throughput_ratio_min"],
            "baseline_rules_ratio": baseline_ratio >= TARGETS["baseline_rules_ratio_min"],
            "ms_per_post": results["plume"]["ms_per_3000_char_post"] <= TARGETS["ms_per_post_max"],
            "cold_start": cold_plume[0] <= TARGETS["cold_start_s_max"],
            "cold_start_cpu": cold_plume[1] <= TARGETS["cold_start_s_max"],
        },
        "settings": {"rounds": rounds, "interleaved": True, "cold_runs": cold},
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
            "proselint": _version("proselint"),
        },
    }


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def table(r: dict) -> str:
    p, q, c, b = r["plume"], r["proselint"], r["cold_start_s"], r["plume_baseline_rules"]
    rows = [
        ("", "plume", "proselint", "ratio"),
        ("files/s", f"{p['files_per_s']:.1f}", f"{q['files_per_s']:.1f}", f"{r['throughput_ratio']:.1f}×"),
        (
            "ms per 3,000-char post",
            f"{p['ms_per_3000_char_post']:.2f}",
            f"{q['ms_per_3000_char_post']:.2f}",
            f"{r['per_post_ratio']:.1f}×",
        ),
        ("files/s, median round", f"{p['files'] / p['seconds_all_files_median_round']:.1f}",
         f"{q['files'] / q['seconds_all_files_median_round']:.1f}",
         f"{r['throughput_ratio_median_round']:.1f}× (per-round ratios {r['throughput_ratio_per_round']['min']:.1f}"
         f"–{r['throughput_ratio_per_round']['max']:.1f}×)"),
        ("ms per post, median round", f"{p['ms_per_3000_char_post_median_round']:.2f}",
         f"{q['ms_per_3000_char_post_median_round']:.2f}", ""),
        ("violations found", str(p["violations_found"]), str(q["violations_found"]), ""),
        ("files/s, 2026-11-23 rules only", f"{b['files_per_s']:.1f}", "", f"{r['baseline_rules_ratio']:.1f}× "
         f"({b['ms_per_3000_char_post']:.2f} ms per post, {b['violations_found']} violations)"),
        ("cold start, wall (s)", f"{c['plume_lint']:.3f}", f"{c['proselint_check']:.3f}",
         f"python -c pass {c['python_c_pass']:.3f}; import typer+pydantic {c['python_import_typer_pydantic']:.3f}"),
        ("cold start, CPU (s)", f"{c['plume_lint_cpu']:.3f}", f"{c['proselint_check_cpu']:.3f}",
         f"python -c pass {c['python_c_pass_cpu']:.3f}; import typer+pydantic {c['python_import_typer_pydantic_cpu']:.3f}"),
        ("cold start, no plan cache (s)", f"{c['plume_lint_no_plan_cache']:.3f}", "",
         f"CPU {c['plume_lint_no_plan_cache_cpu']:.3f}"),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    load = r["environment"]["load_average_before"]
    load = f"{load:.1f}" if load is not None else "n/a"
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    met = ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in r["met"].items())
    inputs = r["inputs"]
    lines.append(
        f"\n{r['settings']['rounds']} interleaved rounds (first rows: each file at its best over them); "
        f"{inputs['corpus_notes']} corpus notes + {inputs['generated_posts']} generated posts; "
        f"targets met — {met}; load average at start: {load}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=60, help="generated 3,000-character posts")
    parser.add_argument("--rounds", type=int, default=7,
                        help="timed passes of each linter, interleaved (per-file best and median round kept)")
    parser.add_argument("--cold", type=int, default=10, help="cold-start runs (best kept)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "lint.json")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite the block in bench/README.md")
    args = parser.parse_args(argv)
    result = run(args.posts, args.rounds, args.cold)
    print(table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {args.out}")
    if not args.no_readme:
        update_readme(result)
    shutil.rmtree(_PYCACHE, ignore_errors=True)


README = ROOT / "bench" / "README.md"
START, END = "<!-- lint-bench:start -->", "<!-- lint-bench:end -->"


def update_readme(result: dict) -> None:
    """Rewrite the lint block of bench/README.md (between its markers) with this run's table."""
    if not README.exists():
        return
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    block = f"{START}\n```\n{table(result)}\n```\n(last run: {when})\n{END}"
    head, rest = text.split(START, 1)
    README.write_text(head + block + rest.split(END, 1)[1], encoding="utf-8")


if __name__ == "__main__":
    main()
