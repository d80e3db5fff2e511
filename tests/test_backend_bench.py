"""The backend benchmark's own plumbing (the model-driven part runs in bench/backend_bench.py itself)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "backend_bench.py"


def load():
    spec = importlib.util.spec_from_file_location("backend_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pure_overhead_measures_both_paths():
    result = load().pure_overhead(calls=10)
    assert result["calls"] == 10 and result["plume_ms"] > 0 and result["openai_sdk_ms"] > 0
    assert abs(result["plume_extra_ms"] - (result["plume_ms"] - result["openai_sdk_ms"])) < 0.01


def test_readme_block_replaces_only_its_own_section(tmp_path):
    bench = load()
    result = {"date": "d", "machine": "m", "model": "q", "rounds": 1, "max_tokens": 8,
              "paths": {"plume": {"min_s": 0.9, "median_s": 1.0, "median_tokens_per_s": 8.0}},
              "plume_overhead_vs_sdk": 0.01, "overhead_ok": True, "plume_overhead_vs_sdk_median_of_round_ratios": 0.02,
              "plume_tokens_per_s_vs_direct_median_of_round_ratios": 0.97,
              "plume_tokens_per_s_vs_direct": 0.99, "tokens_per_s_ok": True, "load_average_1min_at_end": 1.0,
              "pure_overhead": {"calls": 1, "plume_ms": 2.0, "openai_sdk_ms": 1.5, "plume_extra_ms": 0.5,
                                "share_of_median_embedded_call": 0.0001}}
    readme = tmp_path / "README.md"
    readme.write_text(f"# B\n\n## Other\nkeep me\n\n## Backends\n{bench.START}\nOLD-FIGURES\n{bench.END}\n\n## Later\nme too\n",
                      encoding="utf-8")
    bench.update_readme(result, readme)
    text = readme.read_text(encoding="utf-8")
    assert "keep me" in text and "me too" in text and "OLD-FIGURES" not in text
    assert "**+1.0 %** (target < 5 %: met" in text and "**99.0 %**" in text
    assert text.count(bench.START) == 1
