"""`plume lint` behaves like the linters people already use (ruff, Vale): output an editor can read,
exit codes, selection, suppression comments, folders and globs, configuration, pre-commit."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from plume.cli import app
from plume.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
# Vim's / Emacs' `%f:%l:%c:%m` error format, as a regex.
EDITOR_LINE = re.compile(r"^(?P<file>[^:\n]+(?::[^:\d\n][^:\n]*)*):(?P<line>\d+):(?P<col>\d+):(?P<message>.*)$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

ERROR = "Un COS externe.\n"  # designation-externe (error, safe fix)
WARNING = "Une mission en part time.\n"  # en-temps-partage (warning, safe fix)
CLEAN = "Une mission à temps partagé.\n"
SUGGESTION = "C'est clair.\n"  # typo-apostrophe (suggestion, unsafe fix)


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("PLUME_CACHE_DIR", str(tmp_path_factory.mktemp("plume-cache")))
    monkeypatch.setenv("PLUME_NO_GRAMMAR", "1")
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


def run(*args, input=None):
    return runner.invoke(app, ["lint", *args], input=input)


def editor_lines(output: str) -> list[dict[str, str]]:
    """The violation lines of the text format, parsed as an editor does."""
    found = []
    for line in output.splitlines():
        m = EDITOR_LINE.match(line)
        if m:
            found.append(m.groupdict())
    return found


# --- 1. output ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (ERROR, [("1", "4", "error designation-externe")]),
        (WARNING, [("1", "13", "warning en-temps-partage")]),
        ("Titre\n\n" + ERROR, [("3", "4", "error designation-externe")]),
        ("---\naudience: pme\n---\n" + ERROR, [("4", "4", "error designation-externe")]),
        (CLEAN, []),
    ],
)
def test_text_lines_read_by_an_editor_error_format(tmp_path, text, expected):
    post = tmp_path / "dossier avec espace" / "post.md"
    post.parent.mkdir()
    post.write_text(text, encoding="utf-8")
    r = run(str(post), "-a", "pme")
    found = editor_lines(r.stdout)
    assert [(f["line"], f["col"], " ".join(f["message"].split()[:2])) for f in found] == expected
    assert all(f["file"] == str(post) and f["message"].startswith(" ") for f in found)
    summary = r.stdout.splitlines()[-1]
    assert summary.startswith("1 fichier : ") and not EDITOR_LINE.match(summary)


@pytest.mark.parametrize(
    "env, isatty, colour",
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"TERM": "dumb"}, True, False),
        ({"NO_COLOR": ""}, True, True),  # NO_COLOR counts only when non-empty (no-color.org)
    ],
)
def test_colour_on_a_terminal_unless_no_color(env, isatty, colour):
    from plume.lint.formatters import use_colour

    class Stream:
        def isatty(self):
            return isatty

    assert use_colour(Stream(), env) is colour


def test_coloured_text_is_the_plain_text_once_escapes_are_removed(monkeypatch):
    plain = run("-", "-a", "pme", input=ERROR).stdout
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = run("-", "-a", "pme", input=ERROR).stdout
    assert "\x1b[1;31merror\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == plain
    monkeypatch.setenv("NO_COLOR", "1")
    assert run("-", "-a", "pme", input=ERROR).stdout == plain


def test_json_carries_safe_fixes_and_the_checkers():
    r = run("-", "-a", "pme", "-o", "json", input="C'est un COS externe.\n")
    data = json.loads(r.stdout)
    by_rule = {v["rule"]: v for v in data["violations"]}
    assert by_rule["designation-externe"]["safe"] is True and by_rule["designation-externe"]["fix"]
    assert by_rule["typo-apostrophe"]["safe"] is False and by_rule["typo-apostrophe"]["fix"] == "’"
    assert data["checkers"] == ["house"] and data["skipped"] == {}
    assert data["files"][0]["checkers"] == ["house"] and data["files"][0]["audience"] == "pme"
    assert data["summary"] == {"errors": 1, "warnings": 0, "suggestions": 1, "fixable": 1, "files": 1}


def test_json_flag_is_the_json_output_format():
    assert run("-", "-a", "pme", "--json", input=ERROR).stdout == run("-", "-a", "pme", "-o", "json", input=ERROR).stdout


def test_json_names_a_checker_that_could_not_run():
    from plume.lint import lint_text, load_plan
    from plume.lint.formatters import format_text, to_json

    class Absent:
        name = "absent"

        def status(self):
            return "not installed"

        def check(self, ctx, target):  # pragma: no cover - never called: status() says it cannot run
            raise AssertionError

    report = [("p.md", lint_text(ERROR, load_plan(), "pme", checkers=[Absent()]))]
    assert to_json(report)["skipped"] == {"absent": "not installed"}
    assert format_text(report).splitlines()[-1] == "note : absent non exécuté (not installed)"


GITHUB = re.compile(r"^::(?P<level>error|warning|notice) file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),"
                    r"endLine=\d+(?:,endColumn=\d+)?,title=plume (?P<rule>[\w-]+)::(?P<message>.+)$")


def test_github_annotations():
    r = run("-", "-a", "pme", "-o", "github", "--stdin-filename", "posts/a,b.md",
            input=ERROR + WARNING + SUGGESTION)
    lines = r.stdout.splitlines()
    parsed = [GITHUB.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m["level"], m["line"], m["rule"]) for m in parsed] == [
        ("error", "1", "designation-externe"), ("warning", "2", "en-temps-partage"), ("notice", "3", "typo-apostrophe")]
    assert parsed[0]["file"] == "posts/a%2Cb.md"  # property values escape , and :
    assert r.exit_code == 1


# --- 4. exit codes, diffs, flags -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, args, code, changed",
    [
        (CLEAN, [], 0, False),
        (ERROR, [], 1, False),
        (WARNING, [], 0, False),  # warnings are reported, only errors fail
        (SUGGESTION, [], 0, False),
        (ERROR, ["--diff"], 1, False),  # ruff: --diff exits 1 when it would change the file
        (WARNING, ["--diff"], 1, False),
        (CLEAN, ["--diff"], 0, False),
        (SUGGESTION, ["--diff"], 0, False),  # an unsafe fix is not applied, so no change
        (ERROR, ["--fix"], 0, True),  # fixed: nothing left
        (ERROR + "Les COS.\n", ["--fix"], 1, True),  # a banned term without fix remains
        (CLEAN, ["--fix"], 0, False),
        (ERROR, ["--fix", "--diff"], 1, False),  # --diff writes nothing
        (ERROR, ["--select", "typo"], 0, False),
        (ERROR, ["--ignore", "designation-externe"], 0, False),
        (ERROR, ["--ignore", "designation"], 0, False),  # a prefix of rule ids
        (ERROR, ["--select", "designation-*"], 1, False),  # a glob
        (ERROR, ["--select", "ALL", "--ignore", "designation-externe"], 0, False),
        (ERROR, ["--ignore", "designation-externe", "--fix"], 0, False),  # an ignored rule is not fixed
        (WARNING, ["--min-severity", "error", "--fix"], 0, False),
        (ERROR, ["--min-severity", "warning"], 1, False),
        (ERROR, ["--select", "no-such-rule"], 2, False),
        (ERROR, ["--ignore", "no-such-rule", "--fix"], 2, False),
        (ERROR, ["--min-severity", "fatal"], 2, False),
        (ERROR, ["-o", "github"], 1, False),
        (ERROR, ["-o", "sarif"], 1, False),
        (ERROR, ["--fix", "true"], 2, False),  # `--fix` takes no value: "true" is a missing file, nothing written
        (ERROR, ["--diff", "false"], 2, False),
    ],
)
def test_exit_codes(tmp_path, monkeypatch, text, args, code, changed):
    monkeypatch.chdir(tmp_path)
    post = tmp_path / "post.md"
    post.write_text(text, encoding="utf-8")
    flags = [a for a in args if a not in ("true", "false")]
    values = [a for a in args if a in ("true", "false")]
    r = run(*flags, *values, "post.md", "-a", "pme")
    assert r.exit_code == code, r.output
    assert (post.read_text(encoding="utf-8") != text) is changed


def test_a_flag_given_a_value_says_so_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("warn.md").write_text(ERROR, encoding="utf-8")
    r = run("--fix", "true", "warn.md", "-a", "pme")
    assert r.exit_code == 2
    assert "true: cannot read" in r.output and "flags: they take no value" in r.output
    assert Path("warn.md").read_text(encoding="utf-8") == ERROR


def test_help_shows_boolean_flags_without_a_value():
    out = runner.invoke(app, ["lint", "--help"], env={"COLUMNS": "200"}).stdout
    for flag in ("--fix", "--diff", "--help"):
        (line,) = [l for l in out.splitlines() if re.search(rf"{flag}\b(?!-)", l) and "│ " + flag in l]
        assert "<bool>" not in line and "BOOLEAN" not in line, line
    assert "<bool>" not in out


@pytest.mark.parametrize("where", ["inside", "outside", "stdin"])
def test_diffs_always_have_a_b_prefixes(tmp_path, monkeypatch, where):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    if where == "stdin":
        r = run("-", "-a", "pme", "--diff", input=ERROR)
        label = "<stdin>"
    else:
        post = (work if where == "inside" else tmp_path) / "post.md"
        post.write_text(ERROR, encoding="utf-8")
        r = run(str(post), "-a", "pme", "--diff")
        label = "post.md" if where == "inside" else str(post).lstrip("/")
    head = r.stdout.splitlines()[:2]
    assert head == [f"--- a/{label}", f"+++ b/{label}"]
    assert r.exit_code == 1


# --- 3. suppression comments, Obsidian comments, templates -----------------------------------------


@pytest.mark.parametrize(
    "text, rules",
    [
        (ERROR, ["designation-externe"]),
        ("<!-- plume off -->\n" + ERROR + "<!-- plume on -->\n" + WARNING, ["en-temps-partage"]),
        ("<!-- plume off -->\n\n" + ERROR + "\n" + WARNING, []),  # off until the end
        ("<!-- PLUME OFF -->\n" + ERROR + "<!-- plume on -->\n" + ERROR, ["designation-externe"]),
        ("<!-- plume ignore designation-externe -->\n" + ERROR + "\n" + ERROR, ["designation-externe"]),
        ("<!-- plume ignore designation-externe -->\n" + ERROR.strip() + " " + WARNING, ["en-temps-partage"]),
        ("<!-- plume ignore designation-externe en-temps-partage -->\n" + ERROR.strip() + " " + WARNING, []),
        ("<!-- plume ignore -->\n" + ERROR.strip() + " " + WARNING + "\n" + WARNING, ["en-temps-partage"]),
        ("<!-- plume ignore -->\n\n" + ERROR, []),  # blank lines before the paragraph are skipped
        ("<!-- plume ignore en-temps-partage -->\n" + ERROR, ["designation-externe"]),  # other rules still apply
        ("<!-- plume on -->\n" + ERROR, ["designation-externe"]),  # `on` without `off` does nothing
        ("<!-- a comment about plume -->\n" + ERROR, ["designation-externe"]),
        ("%%un COS externe, note privée%%\n" + CLEAN, []),  # Obsidian comment
        ("%%\nbloc : COS externe\n%%\n" + CLEAN, []),
        ("Publié le {{date}}, {{title}}.\n" + CLEAN, []),  # template syntax
        ("<% tp.file.title %> {% if x %}{{ COS externe }}{% endif %}\n", []),
        ("{% if x %}COS externe{% endif %}\n", ["designation-externe"]),  # between template tags: text
        ("{{date}}\n" + ERROR, ["designation-externe"]),
    ],
)
def test_suppression(text, rules):
    r = run("-", "-a", "pme", "--select", "designation-externe,en-temps-partage,typo", "-o", "json", input=text)
    assert [v["rule"] for v in json.loads(r.stdout)["violations"]] == rules


def test_suppressed_violations_are_not_fixed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = "<!-- plume off -->\n" + ERROR + "<!-- plume on -->\n" + ERROR
    Path("p.md").write_text(text, encoding="utf-8")
    assert run("p.md", "-a", "pme", "--fix").exit_code == 0
    assert Path("p.md").read_text(encoding="utf-8").split("<!-- plume on -->") == [
        "<!-- plume off -->\n" + ERROR, "\nUn Associé Opérationnel & Stratégique.\n"]


# --- 2. folders, globs, stdin ---------------------------------------------------------------------------


def _vault(root: Path) -> None:
    files = {
        "a.md": ERROR,
        "notes/b.markdown": ERROR,
        "notes/c.txt": ERROR,
        "notes/image.png": "not text",
        "notes/deep/d.md": ERROR,
        ".obsidian/workspace.md": ERROR,
        ".trash/old.md": ERROR,
        "notes/.hidden.md": ERROR,
        "build/out.md": ERROR,
        "notes/brouillon.md": ERROR,
        "notes/deep/keep.md": ERROR,
        ".gitignore": "build/\n",
        "notes/.gitignore": "brouillon.md\n*.tmp.md\n",
        "notes/x.tmp.md": ERROR,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "args, expected",
    [
        (["."], ["a.md", "notes/b.markdown", "notes/c.txt", "notes/deep/d.md", "notes/deep/keep.md"]),
        (["notes"], ["notes/b.markdown", "notes/c.txt", "notes/deep/d.md", "notes/deep/keep.md"]),
        (["notes/deep", "a.md", "notes/deep"], ["notes/deep/d.md", "notes/deep/keep.md", "a.md"]),
        (["**/*.md"], ["a.md", "build/out.md", "notes/brouillon.md", "notes/deep/d.md", "notes/deep/keep.md", "notes/x.tmp.md"]),
        (["notes/*"], ["notes/b.markdown", "notes/brouillon.md", "notes/c.txt", "notes/deep/d.md",
                       "notes/deep/keep.md", "notes/image.png", "notes/x.tmp.md"]),
        ([".obsidian/workspace.md"], [".obsidian/workspace.md"]),  # named explicitly: linted
        (["notes/brouillon.md"], ["notes/brouillon.md"]),
    ],
)
def test_paths_expanded(tmp_path, monkeypatch, args, expected):
    from plume.lint.files import expand_paths

    _vault(tmp_path)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    assert [os.path.normpath(p) for p in expand_paths(args)] == [os.path.normpath(p) for p in expected]


def test_folder_walk_through_the_command_skips_obsidian(tmp_path, monkeypatch):
    _vault(tmp_path)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    r = run(".", "-a", "pme", "-o", "json")
    files = [os.path.normpath(f["file"]) for f in json.loads(r.stdout)["files"]]
    assert files == ["a.md", "notes/b.markdown", "notes/c.txt", "notes/deep/d.md", "notes/deep/keep.md"]
    assert r.exit_code == 1
    assert not any(".obsidian" in f for f in files)


def test_gitignore_of_the_repository_applies_to_a_subfolder(tmp_path, monkeypatch):
    from plume.lint.files import expand_paths

    _vault(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("notes/deep/d.md\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "notes")
    assert expand_paths(["deep"]) == [os.path.join("deep", "keep.md")]


def test_a_pattern_matching_nothing_is_an_input_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("nothing/*.md")
    assert r.exit_code == 2 and "nothing/*.md: no file matches" in r.output


def test_a_folder_is_no_longer_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "p.md").write_text(CLEAN, encoding="utf-8")
    r = run("d", "-a", "pme")
    assert r.exit_code == 0 and r.stdout.strip() == "1 fichier : aucun problème."


# --- 3. configuration -----------------------------------------------------------------------------------


CONFIG = """
[lint]
ignore = ["typo-apostrophe"]
min-severity = "suggestion"

[lint.per-folder."brouillons"]
ignore = ["designation-externe"]

[lint.per-folder."brouillons/strict"]
select = ["designation"]
"""


@pytest.mark.parametrize(
    "path, args, rules",
    [
        ("post.md", [], ["designation-externe", "en-temps-partage"]),
        ("brouillons/post.md", [], ["en-temps-partage"]),
        ("brouillons/strict/post.md", [], []),  # select narrows, the parent's ignore still applies
        ("post.md", ["--select", "typo"], []),  # --select replaces [lint]'s; ignore lists add up
        ("post.md", ["--ignore", "en-temps-partage,temps-partage"], ["designation-externe"]),
        ("post.md", ["--min-severity", "error"], ["designation-externe"]),
    ],
)
def test_configuration_and_per_folder_overrides(tmp_path, monkeypatch, path, args, rules):
    monkeypatch.chdir(tmp_path)
    Path("plume.toml").write_text(CONFIG, encoding="utf-8")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("C'est un COS externe en part time.\n", encoding="utf-8")
    r = run(path, "-a", "pme", "-o", "json", *args)
    found = [v["rule"] for v in json.loads(r.stdout)["violations"]]
    assert found == rules, r.output


def test_stdin_filename_picks_the_folder_configuration(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("plume.toml").write_text(CONFIG, encoding="utf-8")
    r = run("-", "-a", "pme", "-o", "json", "--stdin-filename", "brouillons/p.md", input=ERROR)
    data = json.loads(r.stdout)
    assert data["violations"] == [] and data["files"][0]["file"] == "brouillons/p.md"


@pytest.mark.parametrize(
    "config, message",
    [
        ('[lint]\nselect = ["nope"]\n', "[lint]: unknown rule or checker 'nope'"),
        ('[lint]\nmin-severity = "fatal"\n', "min-severity must be one of error, warning, suggestion"),
        ('[lint]\nignor = ["typo"]\n', "unknown key 'ignor'"),
        ('[lint]\nignore = "typo"\n[lint.per-folder.x]\nselect = [1]\n', "select must be a list of rule ids"),
        ("lint = 3\n", "[lint] must be a table"),
    ],
)
def test_bad_configuration_names_the_file_and_exits_2(tmp_path, monkeypatch, config, message):
    monkeypatch.chdir(tmp_path)
    Path("plume.toml").write_text(config, encoding="utf-8")
    r = run("-", "-a", "pme", input=CLEAN)
    assert r.exit_code == 2
    assert "plume.toml" in r.output and message in r.output, r.output


# --- 5. pre-commit -------------------------------------------------------------------------------------


def _hook() -> dict:
    (hook,) = [h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
               if h["id"] == "plume-lint"]
    return hook


def test_pre_commit_manifest_is_valid():
    from pre_commit.clientlib import load_manifest

    hooks = {h["id"]: h for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert hooks["plume-lint"]["entry"] == "plume lint" and hooks["plume-lint"]["types_or"] == ["markdown"]


def test_pre_commit_runs_the_hook_on_a_temporary_repository(tmp_path):
    """pre-commit itself, on a fresh git repository, with the hook as published (its id, entry and file
    types; `language: system` because plume is already installed here rather than cloned and built)."""
    plume = shutil.which("plume", path=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    assert plume, "the plume console script is installed with the package"
    repo = tmp_path / "repo"
    repo.mkdir()
    hook = {**_hook(), "language": "system"}
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}), encoding="utf-8")
    (repo / "post.md").write_text("---\naudience: pme\n---\n" + ERROR, encoding="utf-8")
    (repo / "notes.txt").write_text(ERROR, encoding="utf-8")  # not Markdown: the hook does not see it
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1",
           "PATH": str(Path(plume).parent) + os.pathsep + os.environ.get("PATH", ""),
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p.endswith("src"))}

    def git(*args):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", ".")
    pre_commit = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"]
    r = subprocess.run(pre_commit, cwd=repo, capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "plume lint" in r.stdout and "Failed" in r.stdout
    assert "post.md:4:4: error designation-externe" in r.stdout and "notes.txt" not in r.stdout
    (repo / "post.md").write_text("---\naudience: pme\n---\n" + CLEAN, encoding="utf-8")
    git("add", ".")
    r = subprocess.run(pre_commit, cwd=repo, capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and "Passed" in r.stdout, r.stdout + r.stderr


def test_an_obsidian_template_note_lints_clean(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Templates").mkdir()
    Path("Templates/post.md").write_text(
        "---\naudience: pme\ncreated: {{date}}\n---\n# {{title}}\n\n%%à écrire : le COS externe%%\n" + CLEAN,
        encoding="utf-8")
    r = run(".")
    assert r.exit_code == 0 and r.stdout.strip() == "1 fichier : aucun problème.", r.output


@pytest.mark.parametrize(
    "select, ignore, off",
    [
        (None, (), set()),
        (None, ("grammalecte",), {"grammalecte"}),
        (("designation-externe",), (), {"grammalecte"}),  # nothing it reports is selected: not run
        (("orthographe",), (), set()),  # selecting one of its rules keeps it
        (("grammalecte",), (), set()),
        (("ALL",), (), set()),
    ],
)
def test_the_selection_turns_checkers_off_only_when_none_of_their_rules_is_wanted(select, ignore, off):
    from plume.lint.selection import Selection

    checkers = {"grammalecte": ("grammaire", "orthographe")}
    assert Selection(select, ignore).checkers_off(checkers) == off
    Selection(select, ignore).check(["designation-externe"], checkers, "--select")  # all known: no error
    with pytest.raises(InputError, match="unknown rule or checker 'grammar'"):
        Selection(("grammar",)).check(["designation-externe"], checkers, "--select")
