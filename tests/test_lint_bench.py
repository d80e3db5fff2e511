"""The lint benchmark's inputs and linters (the timed run itself is `python bench/lint_bench.py`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "lint_bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("lint_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_posts_are_3000_char_linkedin_drafts(bench, tmp_path):
    notes, drafts = bench.write_inputs(tmp_path, posts=3)
    assert len(notes) == 5 and len(drafts) == 3
    for path in drafts:
        text = path.read_text(encoding="utf-8")
        header, body = text.split("---\n", 2)[1:]
        assert "audience: pme" in header and "format: linkedin" in header
        assert len(body) == bench.POST_CHARS


def test_both_linters_run_on_the_same_text(bench, tmp_path):
    _, drafts = bench.write_inputs(tmp_path, posts=1)
    item = [(drafts[0].name, drafts[0].read_text(encoding="utf-8"))]
    for make in (bench.plume_linter, bench.proselint_linter):
        seconds, found = bench.best_time(make(), item, rounds=1)
        assert seconds > 0 and found >= 0


def test_baseline_rules_are_house_rules_and_a_subset_of_the_full_run(bench, tmp_path):
    """The engine-only ratio times the rules of 2026-11-23: each id must still be a house rule (a rename
    would silently time fewer rules), and selecting them finds part of what the full run finds."""
    from plume.house import load_house

    ids = {rule["id"] for rule in load_house().rules}
    assert bench.BASELINE_RULES <= ids, sorted(bench.BASELINE_RULES - ids)
    _, drafts = bench.write_inputs(tmp_path, posts=2)
    items = [(p.name, p.read_text(encoding="utf-8")) for p in drafts]
    full = sum(bench.plume_linter()(n, t) for n, t in items)
    baseline = sum(bench.plume_linter(bench.BASELINE_RULES)(n, t) for n, t in items)
    assert 0 < baseline < full
