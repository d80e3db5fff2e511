"""bench/grammar_bench.py runs end to end on a tiny input and writes its figures (no timing asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_grammar_bench_runs_and_reports_ratios(tmp_path):
    out = tmp_path / "grammar.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "grammar_bench.py"), "--posts", "2", "--rounds", "1",
                        "--cold", "1", "--no-readme", "--out", str(out)], capture_output=True, text=True, env=env,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert data["posts"] == 2 and data["chars_per_post"] >= 3000
    assert set(data["ms_per_post"]) == {"direct", "direct_sent", "plume_checker_no_suggest", "plume_checker", "plume_lint"}
    assert all(v > 0 for v in data["ms_per_post"].values())
    assert data["findings"]["direct"] > data["findings"]["plume_checker"] > 0
    assert "Plume's checker over the direct call" in r.stdout
