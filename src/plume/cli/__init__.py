"""Command-line interface: thin commands over the library. Each module registers its commands on `app`."""

from plume.cli._app import app
from plume.cli import (  # noqa: F401  (imported for their @app.command registrations)
    corpus,
    init,
    house,
    lint,
    backend,
    history,
    prompt,
    generate,
    rewrite,
    variants,
    evaluate,
    preview,
    serve,
)


def main() -> None:
    app()
