"""`plume lint` without typer (plume.cli.lint_fast): every command line it parses gives the options typer
would give, and every command line it cannot vouch for goes to typer (its --help, its errors)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer

from plume.cli import register
from plume.cli.lint import options_from
from plume.cli.lint_fast import parse


def typer_options(argv: list[str]):
    command = typer.main.get_command(register(["lint"])).commands["lint"]
    ctx = command.make_context("lint", list(argv))
    return options_from(**ctx.params)


@pytest.mark.parametrize("argv", [
    ["post.md"],
    ["a.md", "b.md", "-"],
    ["post.md", "--fix"],
    ["--diff", "post.md", "--no-grammar"],
    ["-a", "cos", "-f", "landing", "post.md"],
    ["--audience=coo", "--format=linkedin", "post.md"],
    ["post.md", "-o", "sarif"],
    ["--output-format", "github", "post.md"],
    ["--json", "post.md"],
    ["--json", "-o", "text", "post.md"],
    ["--select", "typo,grammaire", "--select", "linkedin-*", "post.md"],
    ["--ignore", "grammalecte", "post.md", "--min-severity", "warning"],
    ["-", "--stdin-filename", "notes/brouillon.md"],
    ["--house", "maison/house.yaml", "--cta", "Parlons-en.", "--words", "160", "post.md"],
    ["a.md", "--fix", "b.md"],
])
def test_a_plain_command_line_gives_what_typer_gives(argv):
    fast = parse(argv)
    assert fast is not None
    assert fast == typer_options(argv)


@pytest.mark.parametrize("argv", [
    [],                                  # typer: missing argument PATH
    ["--help"], ["post.md", "-h"],       # typer's help
    ["post.md", "-o", "yaml"],           # not a format
    ["post.md", "--min-severity", "info"],
    ["post.md", "--words", "0"], ["post.md", "--words", "dix"],
    ["post.md", "--no-such-option"],
    ["post.md", "--fi"],                 # no abbreviations (typer has none)
    ["--", "-weird.md"],
])
def test_anything_else_is_left_to_typer(argv):
    assert parse(argv) is None


def test_the_command_runs_without_importing_typer(tmp_path: Path):
    """The point of the fast path: a plain `plume lint` never imports typer nor pydantic, and says
    what the typer command says."""
    post = tmp_path / "post.md"
    post.write_text("---\naudience: pme\nformat: linkedin\n---\nUn Chief of Staff externe pour vous.\n",
                    encoding="utf-8")
    probe = ("import sys, runpy; sys.argv = ['plume', 'lint', '--no-grammar', sys.argv[1]]\n"
             "try:\n    runpy.run_module('plume', run_name='__main__')\n"
             "except SystemExit as e:\n    code = e.code\n"
             "print('loaded', 'typer' in sys.modules, 'pydantic' in sys.modules, code, file=sys.stderr)")
    # the first run after the engine or the house changed builds the lint plan (pydantic); later ones load it
    subprocess.run([sys.executable, "-c", probe, str(post)], capture_output=True, text=True)
    fast = subprocess.run([sys.executable, "-c", probe, str(post)], capture_output=True, text=True)
    assert fast.stderr.strip().splitlines()[-1] == "loaded False False 1"
    from typer.testing import CliRunner

    slow = CliRunner().invoke(register(["lint"]), ["lint", "--no-grammar", str(post)])
    assert slow.exit_code == 1
    assert fast.stdout == slow.stdout
