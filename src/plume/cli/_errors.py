"""The one-line messages every command writes on stderr (no typer here: plume.cli.lint_run uses it too)."""

from __future__ import annotations

import sys


def err(message: str) -> None:
    """One line on stderr, prefixed so it is easy to grep (secrets masked, see plume.redact)."""
    from plume.redact import redact

    print(f"plume: {redact(message)}", file=sys.stderr)
