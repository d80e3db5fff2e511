"""`plume lint`, `plume house` and `plume rules` through typer's CliRunner, and the cold-start contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from plume.cli import app
from plume.paths import corpus_dir

runner = CliRunner()


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory, monkeypatch):
    """The lint plan cache goes to a temporary folder, not the user's cache."""
    path = tmp_path_factory.mktemp("plume-cache")
    monkeypatch.setenv("PLUME_CACHE_DIR", str(path))
    return path
NOTE_000 = corpus_dir() / "000-chief-of-staff.md"
NOTE_001 = corpus_dir() / "001-chief-of-staff-version-initiale.md"


def run(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def test_note_000_for_pme_exits_0():
    r = run("lint", str(NOTE_000), "--audience", "pme")
    assert r.exit_code == 0, r.output
    assert " error " not in r.output


def test_note_001_for_pme_exits_1_with_text_lines():
    r = run("lint", str(NOTE_001), "--audience", "pme")
    assert r.exit_code == 1
    lines = [l for l in r.output.splitlines() if " error designation-externe " in l]
    assert len(lines) == 4  # and « je ne me présente pas comme Chief of Staff externe », a mention
    path, line, col = lines[0].split(" ")[0].rstrip(":").rsplit(":", 2)
    assert path == str(NOTE_001) and line.isdigit() and col.isdigit()


def test_json_output_keys_and_offsets():
    r = run("lint", str(NOTE_001), "-a", "pme", "--output-format", "json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)["violations"]
    text = NOTE_001.read_text(encoding="utf-8")
    assert data
    for d in data:
        keys = ["file", "rule", "severity", "line", "column", "start", "end", "text", "message", "fix"]
        grammar = ["source_rule"] if d["rule"] in ("grammaire", "orthographe") else []
        assert list(d) == keys + grammar + ["safe"]
        assert text[d["start"] : d["end"]] == d["text"]
    assert any(d["rule"] == "en-temps-partage" and d["text"] == "en part time" and d["fix"] == "à temps partagé" for d in data)


def test_sarif_output():
    r = run("lint", str(NOTE_001), "-a", "pme", "-o", "sarif")
    log = json.loads(r.stdout)
    assert log["version"] == "2.1.0" and log["runs"][0]["results"]


def test_fix_writes_house_wording_atomically_and_is_idempotent(tmp_path):
    target = tmp_path / "001.md"
    original = NOTE_001.read_text(encoding="utf-8")
    target.write_text(original, encoding="utf-8")
    r = run("lint", str(target), "--audience", "pme", "--fix")
    fixed = target.read_text(encoding="utf-8")
    assert "COS externe" not in fixed and "part time" not in fixed
    assert "Associé Opérationnel & Stratégique" in fixed and "à temps partagé" in fixed
    assert r.exit_code == 1  # "les COS" remains: a banned term has no automatic fix
    assert "corrections appliquées" in r.output
    assert [p.name for p in tmp_path.iterdir()] == ["001.md"]  # no temp file left
    again = run("lint", str(target), "--audience", "pme", "--fix")
    assert target.read_text(encoding="utf-8") == fixed
    assert "appliquée" not in again.output


def test_diff_shows_changes_without_writing(tmp_path):
    target = tmp_path / "post.md"
    target.write_text("Un COS externe en part time.\n", encoding="utf-8")
    r = run("lint", str(target), "-a", "pme", "--diff")
    assert "-Un COS externe en part time." in r.stdout
    assert "+Un Associé Opérationnel & Stratégique à temps partagé." in r.stdout
    assert target.read_text(encoding="utf-8") == "Un COS externe en part time.\n"
    assert r.exit_code == 1  # like ruff: --diff exits 1 when it would change the file


def test_audience_and_format_from_frontmatter(tmp_path):
    post = tmp_path / "post.md"
    post.write_text("---\naudience: pme\nformat: linkedin\n---\nLe vocabulaire C-level.\n**Gras**\n", encoding="utf-8")
    r = run("lint", str(post), "-o", "json")
    rules = {d["rule"] for d in json.loads(r.stdout)["violations"]}
    assert {"jargon-pme", "linkedin-markdown"} <= rules and r.exit_code == 1
    r = run("lint", str(post), "--audience", "cos", "-o", "json")  # the flag wins
    rules = {d["rule"] for d in json.loads(r.stdout)["violations"]}
    assert "jargon-pme" not in rules and "linkedin-markdown" in rules and r.exit_code == 0


def test_stdin(tmp_path):
    r = run("lint", "-", "-a", "pme", "-o", "json", input="Un COS externe.\n")
    assert r.exit_code == 1
    assert json.loads(r.stdout)["violations"][0]["file"] == "-"
    r = run("lint", "-", "-a", "pme", "--fix", input="Un COS externe.\n")
    assert r.stdout.startswith("Un Associé Opérationnel & Stratégique.\n")


def test_unreadable_file_names_it_and_exits_2(tmp_path):
    missing = tmp_path / "absent.md"
    r = run("lint", str(missing))
    assert r.exit_code == 2
    assert str(missing) in r.output and len(r.output.strip().splitlines()) == 1
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")  # (FF FE … is a UTF-16 byte-order mark: named as such)
    r = run("lint", str(binary), str(NOTE_000))
    assert r.exit_code == 2 and f"{binary}: binary file" in r.output


def test_usage_errors_exit_2(tmp_path):
    assert run("lint", str(NOTE_000), "--audience", "ceo").exit_code == 2
    assert run("lint", str(NOTE_000), "--output-format", "xml").exit_code == 2
    assert run("lint").exit_code == 2
    post = tmp_path / "p.md"
    post.write_text("---\naudience: [unterminated\n---\nx\n", encoding="utf-8")
    r = run("lint", str(post))
    assert r.exit_code == 2 and "invalid YAML frontmatter" in r.output


def test_broken_house_file_names_file_field_and_problem(tmp_path):
    from plume.paths import house_file

    broken = tmp_path / "house.yaml"
    text = house_file().read_text(encoding="utf-8").replace("kind: substitution", "kind: substitutio", 1)
    broken.write_text(text, encoding="utf-8")
    r = run("lint", str(NOTE_000), "--house", str(broken))
    assert r.exit_code == 2
    assert str(broken) in r.output and "rules.0" in r.output and "substitutio" in r.output


def test_house_and_rules_commands(tmp_path):
    r = run("house")
    assert r.exit_code == 0
    for word in ("pme", "cos", "coo", "linkedin", "landing", "Sparring Partner", "prioriser", "designation-externe"):
        assert word in r.output
    data = json.loads(run("house", "--json").stdout)
    assert set(data["audiences"]) == {"pme", "cos", "coo"} and data["rules"]
    rules = json.loads(run("rules", "--json").stdout)
    assert {r["id"] for r in rules} >= {"designation-externe", "vouvoiement"}


def test_docs_rules_md_is_up_to_date():
    from pathlib import Path

    from plume.house import load_house
    from plume.lint.docs import rules_markdown

    doc = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    assert doc.read_text(encoding="utf-8") == rules_markdown(load_house()), "run: plume rules --markdown > docs/rules.md"


def test_lint_plan_cache_is_written_reused_and_invalidated(tmp_path, cache_dir):
    from plume.lint.plan import _memo, load_plan
    from plume.paths import house_file

    house = tmp_path / "house.yaml"
    house.write_text(house_file().read_text(encoding="utf-8"), encoding="utf-8")
    _memo.clear()
    first = load_plan(house)
    assert list((cache_dir / "lint").glob("plan-*.pickle"))
    _memo.clear()
    again = load_plan(house)
    assert again is not first and [c.rule.id for c in again.rules] == [c.rule.id for c in first.rules]
    house.write_text(house.read_text(encoding="utf-8").replace("max: 5", "max: 2"), encoding="utf-8")
    _memo.clear()
    changed = load_plan(house)
    (tags,) = [c.rule for c in changed.rules if c.rule.id == "linkedin-hashtags"]
    assert tags.max == 2
    r = run("lint", "-", "--house", str(house), "-f", "linkedin", "-o", "json", input="#a #b #c\n")
    assert [d["rule"] for d in json.loads(r.stdout)["violations"]] == ["linkedin-hashtags"]


def test_warm_plume_lint_does_not_import_pydantic(tmp_path, cache_dir):
    """With the plan cached, `plume lint` neither validates the house file nor builds its pydantic models
    (typer itself imports pydantic, so the module list is checked for Plume's own modules)."""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from plume.cli import app\n"
        f"r = CliRunner().invoke(app, ['lint', {str(NOTE_000)!r}, '-a', 'pme'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(','.join(sorted(m for m in sys.modules if m in ('plume.house', 'plume.lint.rules'))))\n"
    )
    env = {**__import__("os").environ, "PLUME_CACHE_DIR": str(cache_dir)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert "plume.house" in first.stdout  # cold cache: the house file is validated
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert warm.stdout.strip() == ""


def test_plume_lint_imports_no_model_runtime(tmp_path):
    """`plume lint` must not import openai, tiktoken or xllamacpp (cold start)."""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from plume.cli import app\n"
        f"r = CliRunner().invoke(app, ['lint', {str(NOTE_001)!r}, '-a', 'pme', '--fix', '--diff'])\n"
        "assert r.exit_code in (0, 1), r.output\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('openai', 'tiktoken', 'xllamacpp', 'matplotlib', 'sklearn', 'httpx'))\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"heavy modules imported: {out.stdout}"
