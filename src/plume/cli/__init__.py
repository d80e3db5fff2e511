"""Command-line interface: thin commands over the library. Each module registers its commands on `app`.

`main()` imports only the module of the command being run (typer builds the parameters of every
registered command at start-up, so one command starts faster than fifteen); help, completion and an
unknown name get them all. A plain `plume lint` command line skips typer altogether (plume.cli.lint_fast). `from plume.cli import app` gives the whole application.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {  # command name -> module of plume.cli that registers it, in the order of `plume --help`
    "corpus": "corpus", "init": "init", "house": "house", "rules": "house", "lint": "lint",
    "backend": "backend", "history": "history", "prompt": "prompt", "generate": "generate",
    "rewrite": "rewrite", "variants": "variants", "eval": "evaluate", "preview": "preview", "serve": "serve",
}


def register(names: list[str] | None = None):
    """Import the modules registering `names` (every command when None) and return the typer app."""
    from plume.cli._app import app

    for module in dict.fromkeys(COMMANDS[n] for n in names or COMMANDS):
        importlib.import_module(f"plume.cli.{module}")
    return app


def invoked(argv: list[str]) -> list[str] | None:
    """The command named on the command line, when it is one (else None: all of them)."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return [first] if first in COMMANDS else None


def __getattr__(name: str):
    if name == "app":
        return register()
    raise AttributeError(name)


def main() -> None:
    import os

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")  # no scan of every installed package's entry points
    argv = sys.argv[1:]
    if argv[:1] == ["lint"]:  # the most frequent command, without typer when its command line is plain
        from plume.cli.lint_fast import parse

        options = parse(argv[1:])
        if options is not None:
            from plume.cli.lint_run import run

            sys.exit(run(options))
    register(invoked(argv))()
