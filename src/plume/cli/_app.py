"""The typer application and the helpers every command shares.

Command modules import only light modules at top level: heavy ones (openai, tiktoken, the model runtime,
matplotlib, scikit-learn) are imported inside the command function, so `plume lint` starts fast.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any

import typer

from plume.cli._errors import err
from plume.errors import PlumeError

def _flags_as_flags() -> None:
    """typer 0.29 prints `--fix <bool>` in --help, which reads as if the flag took a value (`--fix true`
    then lints a file named "true"): boolean flags show no type, as click and ruff show them."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich
    if getattr(shown, "_plume", False):
        return

    def display_type_rich(self, ctx):
        return None if getattr(self, "is_bool_flag", False) else shown(self, ctx)

    display_type_rich._plume = True
    TyperOption.display_type_rich = display_type_rich


_flags_as_flags()

app = typer.Typer(
    name="plume",
    help="Plume: positioning copy in French, in the house voice — lint, generate, rewrite, variants.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn a PlumeError into one line on stderr and its exit code (2 input, 3 backend)."""
    try:
        yield
    except PlumeError as exc:
        err(f"error: {exc}")
        raise typer.Exit(exc.exit_code) from None
    except OSError as exc:
        if exc.filename is None:
            raise
        # a file or folder of the user's that cannot be read (permissions, a symlink loop): one line, exit 2
        err(f"error: {exc.filename}: {exc.strerror or type(exc).__name__}")
        raise typer.Exit(2) from None


def print_json(data: Any) -> None:
    """Machine-readable output on stdout: UTF-8, no ASCII escaping of French text, secrets masked."""
    from plume.redact import redact

    sys.stdout.write(redact(json.dumps(data, ensure_ascii=False, indent=2, default=str)) + "\n")


def _version(value: bool) -> None:
    if value:
        from plume import __version__

        print(f"plume {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Plume: positioning copy in French, in the house voice — lint, generate, rewrite, variants."""
