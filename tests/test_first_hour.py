"""The first hour of a new user: set-up commands, exit codes, first-mistake messages, `plume init` and the
vault as corpus, outputs Obsidian shows well, no silent no-ops, history privacy."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from scripted_server import Reply, ScriptedServer
from test_generate import GOOD_POST
from typer.testing import CliRunner

from plume.cli import app

REPO = Path(__file__).resolve().parent.parent
POST = GOOD_POST
BAD_POST = {**POST, "paragraphs": ["Les C-level le savent : tout semble urgent.", "Je viens pour prioriser."]}
NOTE = "---\ntitle: Post [brouillon] v2\n---\n" + "Les dirigeants de PME portent tout, tout le temps, sans relais. " * 10


def reply(data: dict) -> Reply:
    return Reply(json.dumps(data, ensure_ascii=False))


def run(args, **kw):
    return CliRunner().invoke(app, args, **kw)


def plume_subprocess(args: list[str], *, block: str | None = None, cwd: Path | None = None,
                     env: dict | None = None) -> subprocess.CompletedProcess:
    """`plume ARGS` in a new interpreter; `block` makes one module unimportable (as if its extra were absent)."""
    code = "import sys\n"
    if block:
        code += f"sys.modules[{block!r}] = None\n"
    code += f"from plume.cli import main\nsys.argv = ['plume', *{args!r}]\nmain()\n"
    full_env = {**os.environ, "PYTHONPATH": str(REPO / "src"), **(env or {})}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=full_env,
                          timeout=120)


# --- 1. set-up ------------------------------------------------------------------------------------


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block and text.index(block.group(0)) < text.index("## "), "the set-up block comes first"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_starts_with_exactly_the_two_setup_commands():
    first, second = readme_commands()  # exactly two
    install, job = first.split(" && ")
    assert install == "bash install.sh"
    assert job.startswith(".venv/bin/plume generate ") and "--audience pme --format linkedin" in job
    assert second == "bash .ci/run"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash install.sh local,eval,test" in ci and ".venv/bin/python -m pytest" in ci
    assert "grammalecte-cli" in ci and "chromium" in ci
    script = (REPO / "install.sh").read_text(encoding="utf-8")
    assert "-m venv" in script and "python3-venv" in script and "grammalecte-cli" in script and "uv venv" in script


def test_distribution_name_is_plumes_own_and_hints_name_it():
    import tomllib

    from plume.install import DISTRIBUTION, install_hint

    meta = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["name"] == DISTRIBUTION == "plume-positionnement"
    assert meta["scripts"] == {"plume": "plume.cli:main"}
    hint = install_hint("local")
    assert hint.startswith(sys.executable.split("/")[-1]) or sys.executable in hint
    assert "[local]" in hint and "pip install" in hint and "'plume[" not in hint


def _copy_checkout(dest: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in listed.decode().split("\0"):
        if not name or not (REPO / name).is_file():
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((REPO / name).read_bytes())
    for name in ("install.sh", ".ci/run"):
        (dest / name).chmod(0o755)


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="needs bash")
def test_readme_commands_logic_on_a_fresh_virtual_environment(tmp_path):
    """install.sh into a new .venv (the system Python first on PATH, as on stock Debian), then the README's
    first command's job on a scripted server (exit 0, a post), the first mistakes from that environment
    (no [local] extra there: one line, exit 2), and the test runner of the second command."""
    checkout = tmp_path / "plume"
    _copy_checkout(checkout)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin:" + env.get("PATH", "")
    env["PLUME_HOME"] = str(tmp_path / "home")
    setup = subprocess.run(["bash", "install.sh", "test"], cwd=checkout, capture_output=True, text=True, env=env,
                           timeout=1500)
    assert setup.returncode == 0, setup.stderr[-3000:]
    plume = checkout / ".venv" / "bin" / "plume"
    assert plume.is_file()
    job = readme_commands()[0].split(" && ")[1]
    argv = [str(plume), *[a.strip('"') for a in re.findall(r'"[^"]*"|\S+', job)][1:]]
    with ScriptedServer([reply(POST)]) as srv:
        done = subprocess.run([*argv, "--strategy", "free", "--base-url", srv.base_url, "--model", "m"], cwd=checkout,
                              capture_output=True,
                              text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Tout semble urgent" in done.stdout.replace("\u202f", " ")
    nothing = subprocess.run(argv, cwd=checkout, capture_output=True, text=True, env=env, timeout=120)
    assert nothing.returncode == 2 and nothing.stdout == ""
    line = nothing.stderr.strip()
    assert "\n" not in line and len(line) < 400
    assert "[local]" in line and "OPENAI_API_KEY" in line and "--base-url" in line
    assert f"{checkout / '.venv' / 'bin' / 'python'} -m pip install -e '{checkout}[local]'" in line
    tests = subprocess.run([str(checkout / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "tests/test_corpus.py"], cwd=checkout, capture_output=True, text=True, env=env, timeout=600)
    assert tests.returncode == 0 and " passed" in tests.stdout, tests.stdout[-2000:]


# --- 2. exit codes --------------------------------------------------------------------------------


def test_variants_exit_0_with_remaining_warnings_and_strict_exit_1(tmp_path):
    for strict, code in ((False, 0), (True, 1)):
        out = tmp_path / f"v{int(strict)}"
        with ScriptedServer(responder=lambda body: reply(BAD_POST)) as srv:
            result = run(["variants", "run", "Prendre du recul", "--audiences", "pme", "--formats", "linkedin",
                          "--out", str(out), "--base-url", srv.base_url, "--model", "m", "--attempts", "1", "--strategy", "free",
                          *(["--strict"] if strict else [])])
        assert result.exit_code == code, result.output
        assert "pme-linkedin: 1 error(s)" in result.stderr and "plume lint" in result.stderr
        assert (out / "pme-linkedin.md").is_file()


# --- 3. first mistakes ----------------------------------------------------------------------------


def test_no_backend_is_one_short_line_with_the_three_ways_out(tmp_path):
    result = plume_subprocess(["generate", "Un sujet", "-a", "pme"], block="xllamacpp", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    line = result.stderr.strip()
    assert "\n" not in line and len(line) < 400
    assert "[local]" in line and "OPENAI_API_KEY" in line and "--base-url" in line and "pip install" in line


def test_eval_without_its_extra_is_one_line_exit_2(tmp_path):
    result = plume_subprocess(["eval", "--limit", "1", "--out", str(tmp_path / "run")], block="numpy", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "[eval]" in result.stderr and "numpy" in result.stderr
    assert "Traceback" not in result.stderr


def test_base_url_without_scheme_is_a_configuration_error():
    result = run(["generate", "Un sujet", "-a", "pme", "--base-url", "localhost:11434/v1", "--model", "m"])
    assert result.exit_code == 2
    assert "localhost:11434/v1" in result.stderr and "http://" in result.stderr


def test_rich_markup_in_user_data_is_shown_as_written(tmp_path):
    (tmp_path / "note.md").write_text(NOTE, encoding="utf-8")
    result = run(["corpus", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "Post [brouillon] v2" in result.stdout


# --- 4. plume init, the vault as the house, config discovery ----------------------------------------


@pytest.fixture()
def vault(tmp_path, monkeypatch):
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    (root / ".obsidian" / "app.json").write_text("{}", encoding="utf-8")
    (root / "Templates").mkdir()
    (root / "Templates" / "jour.md").write_text("---\ndate: {{date}}\n---\n{{title}}\n", encoding="utf-8")
    (root / "Posts").mkdir()
    (root / "Posts" / "ma-note.md").write_text(NOTE, encoding="utf-8")
    (root / "Posts" / "sortie.md").write_text("---\ngenerator: plume\naudience: pme\n---\nUn texte généré.\n",
                                              encoding="utf-8")
    result = run(["init", "--vault", str(root), "--author", "Camille Martin"])
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(root / "Posts")
    return root


def test_init_writes_config_and_a_house_folder_and_refuses_to_overwrite(vault):
    config = (vault / "plume.toml").read_text(encoding="utf-8")
    assert 'name = "Camille Martin"' in config and 'dir = "plume-house"' in config
    house = vault / "plume-house" / "prompts" / "house.yaml"
    data = yaml.safe_load(house.read_text(encoding="utf-8"))
    assert data["notes"] == {} and data["audiences"].keys() == {"pme", "cos", "coo"}
    assert not (vault / "plume-house" / "prompts" / "system.j2").exists()  # templates fall back to the shipped
    assert (vault / "plume-house" / "eval" / "briefs.yaml").is_file()
    again = run(["init", "--vault", str(vault)])
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_the_vault_notes_are_the_corpus_and_corpus_says_why(vault):
    result = run(["corpus", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert Path(data["root"]).resolve() == vault.resolve()
    assert [n["id"] for n in data["notes"]] == ["ma-note"]
    assert "exemplar" in data["notes"][0]["use"] and "every audience" in data["notes"][0]["use"]
    reasons = {Path(s["path"]).name: s["reason"] for s in data["skipped"]}
    assert "Obsidian" in reasons[".obsidian"] and "templates" in reasons["Templates"]
    assert "house folder" in reasons["plume-house"] and "output folder" in reasons["Plume"]
    assert "written by Plume" in reasons["sortie.md"]


def test_the_vault_notes_are_exemplars_in_the_prompt(vault):
    result = run(["prompt", "generate", "Prendre du recul", "-a", "cos", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [e["note"] for e in data["exemplars"]] == ["ma-note"]
    assert "sans relais" in data["messages"][1]["content"]


def test_a_notes_entry_naming_no_file_is_a_warning(vault):
    house = vault / "plume-house" / "prompts" / "house.yaml"
    house.write_text(house.read_text(encoding="utf-8").replace("notes: {}", "notes:\n  absente: {use: [exemplar]}"),
                     encoding="utf-8")
    result = run(["corpus"])
    assert result.exit_code == 0
    assert "warning: house notes: 'absente' names no note" in result.stderr


def test_config_is_found_in_a_parent_folder_and_wins_over_the_api_key(vault, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    with ScriptedServer([reply(POST)]) as srv:
        with open(vault / "plume.toml", "a", encoding="utf-8") as fh:
            fh.write(f'\n[backend]\nbase_url = "{srv.base_url}"\nmodel = "m"\n')
        result = run(["generate", "Prendre du recul", "-a", "pme", "--strategy", "free"])
        assert result.exit_code == 0, result.output
        assert len(srv.requests) == 1  # the vault's server, not OpenAI


@pytest.mark.parametrize("extra, key", [('[backend]\nmodl = "x"\n', "'modl'"), ('[houses]\ndir = "x"\n', "'houses'")])
def test_unknown_keys_name_the_file_and_the_key(tmp_path, monkeypatch, extra, key):
    (tmp_path / "plume.toml").write_text(extra, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run(["generate", "Un sujet", "-a", "pme"])
    assert result.exit_code == 2
    assert str(tmp_path / "plume.toml") in result.stderr and key in result.stderr


# --- 5. outputs Obsidian shows well ---------------------------------------------------------------


@pytest.mark.parametrize("markdown", [False, True])
def test_output_has_flat_properties_and_the_lint_status_plume_lint_gives(vault, markdown):
    out = vault / "Plume" / "post.md"
    with ScriptedServer([reply(BAD_POST)]) as srv:
        result = run(["generate", "Prendre du recul", "-a", "pme", "--attempts", "1", "--cta", "Parlons-en.", "--strategy", "free",
                      "--base-url", srv.base_url, "--model", "m", "--out", str(out),
                      *(["--markdown"] if markdown else [])])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert not any(isinstance(v, dict) for v in meta.values())  # Obsidian's Properties panel shows no maps
    assert meta["audience"] == "pme" and meta["format"] == "linkedin" and meta["topic"] == "Prendre du recul"
    assert meta["cta"] == "Parlons-en." and meta["words"] > 0 and "plume" in meta["tags"]
    assert meta["sources"] == ["[[ma-note]]"] and meta["model"] == "m" and meta["generator"] == "plume"
    datetime.strptime(meta["created"], "%Y-%m-%dT%H:%M:%S")
    linted = run(["lint", "-o", "json", str(out)])
    report = json.loads(linted.stdout)
    found = report["files"][0]
    assert meta["lint_errors"] == found["errors"] >= 1 and meta["lint_warnings"] == found["warnings"]
    if markdown:  # Markdown on purpose (for the vault): the list is kept and the format's Markdown rule is quiet
        assert "\n- prendre du recul\n" in text
        assert not any(v["rule"] == "linkedin-markdown" for v in report["violations"])
    corpus = json.loads(run(["corpus", "--json"]).stdout)
    assert [n["id"] for n in corpus["notes"]] == ["ma-note"]  # never fed back as the author's voice


# --- 6. no silent no-ops --------------------------------------------------------------------------


def test_variants_resume_only_the_same_brief_else_exit_2_and_restart_keeps_the_old_files(tmp_path):
    out = tmp_path / "variantes"
    args = ["--audiences", "pme", "--formats", "linkedin", "--out", str(out), "--model", "m", "--strategy", "free"]
    with ScriptedServer(responder=lambda body: reply(POST)) as srv:
        first = run(["variants", "run", "Premier sujet", *args, "--base-url", srv.base_url])
        assert first.exit_code == 0, first.output
        kept = (out / "pme-linkedin.md").read_text(encoding="utf-8")
        other = run(["variants", "run", "Un sujet complètement différent", *args, "--base-url", srv.base_url])
        assert other.exit_code == 2 and "--restart" in other.stderr and "Premier sujet" in other.stderr
        assert len(srv.requests) == 1 and (out / "pme-linkedin.md").read_text(encoding="utf-8") == kept
        same = run(["variants", "run", "Premier sujet", *args, "--base-url", srv.base_url])
        assert same.exit_code == 0 and len(srv.requests) == 1  # the same run resumes: nothing to do
        restart = run(["variants", "run", "Un sujet complètement différent", *args, "--base-url", srv.base_url,
                       "--restart"])
        assert restart.exit_code == 0, restart.output
        assert len(srv.requests) == 2
    previous = [p for p in out.iterdir() if p.name.startswith("previous-")]
    assert len(previous) == 1 and (previous[0] / "pme-linkedin.md").read_text(encoding="utf-8") == kept
    assert "Un sujet complètement différent" in (out / "pme-linkedin.md").read_text(encoding="utf-8")


def test_lint_without_audience_names_the_rules_it_skipped_or_uses_the_configured_one(tmp_path, monkeypatch):
    post = tmp_path / "clevel.md"
    post.write_text("Nous aidons les C-level et les COS de PME.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    bare = run(["lint", str(post)])
    assert bare.exit_code == 0 and "no audience" in bare.stderr and "jargon-pme" in bare.stderr
    (tmp_path / "plume.toml").write_text('[lint]\naudience = "pme"\n', encoding="utf-8")
    configured = run(["lint", str(post)])
    assert configured.exit_code == 1 and "jargon-pme" in configured.stdout and "no audience" not in configured.stderr


# --- 7. history privacy ---------------------------------------------------------------------------


def test_history_off_on_path_and_search(plume_home):
    assert run(["history", "path"]).stdout.strip() == str(plume_home / "history.db")
    with ScriptedServer([reply(POST)] * 3) as srv:
        common = ["-a", "pme", "--base-url", srv.base_url, "--model", "m", "--strategy", "free"]
        assert run(["generate", "Premier sujet", *common]).exit_code == 0
        off = run(["history", "--off"])
        assert off.exit_code == 0 and "off" in off.stderr
        assert run(["generate", "Sujet secret", *common]).exit_code == 0
        assert run(["history", "--on"]).exit_code == 0
        assert run(["generate", "Troisième sujet", *common]).exit_code == 0
    rows = json.loads(run(["history", "--json"]).stdout)
    prompts = [json.dumps(r["messages"], ensure_ascii=False) for r in rows]
    assert len(rows) == 2 and not any("Sujet secret" in p for p in prompts)
    found = json.loads(run(["history", "-q", "Troisième", "--json"]).stdout)
    assert len(found) == 1 and "Troisième sujet" in json.dumps(found[0]["messages"], ensure_ascii=False)
    assert json.loads(run(["history", "-q", "introuvable-xyz", "--json"]).stdout) == []
