"""`plume serve`: keep the embedded model loaded in a background process that later commands use."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from plume.cli._app import app, print_json, user_errors


def _embedded(model: str | None, parallel: int | None):
    from plume.backends import get_backend
    from plume.backends.embedded import EmbeddedBackend
    from plume.errors import InputError

    backend = get_backend(model=model, parallel=parallel)
    if not isinstance(backend, EmbeddedBackend):
        raise InputError(f"plume serve runs the embedded model; the active backend is {backend.where} "
                         f"({backend.source})")
    return backend


@app.command("serve")
def serve_command(
    stop: Annotated[bool, typer.Option("--stop", help="Stop the running server.")] = False,
    status: Annotated[bool, typer.Option("--status", help="Say whether a server runs, and where.")] = False,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="local:/path/model.gguf (default: the embedded model).")] = None,
    parallel: Annotated[Optional[int], typer.Option("--parallel", help="Slots decoding together (default: plume.toml [backend] parallel, else 3).")] = None,
    idle: Annotated[float, typer.Option("--idle-timeout", help="Minutes without a request before it stops (0: never).")] = 30.0,
    foreground: Annotated[bool, typer.Option("--foreground", help="Run in this terminal until Ctrl-C.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Keep the embedded model warm on 127.0.0.1: later commands use it instead of loading the model."""
    from dataclasses import asdict

    from plume.backends import warm

    with user_errors():
        if stop:
            pid = warm.stop()
            _say({"stopped": pid}, as_json, f"stopped the server (pid {pid})" if pid else "no server was running")
            return
        if status:
            state = warm.running()
            _say({"running": asdict(state) if state else None}, as_json,
                 f"running: pid {state.pid}, {state.address}, {state.parallel} slots, model {state.model_path}"
                 if state else "not running")
            return
        backend = _embedded(model, parallel)
        if foreground:
            warm.serve(backend.model_path, backend.n_ctx, backend.parallel, idle * 60)
            return
        state = warm.start(backend.model_path, backend.n_ctx, backend.parallel, idle * 60)
    _say({"running": asdict(state)}, as_json,
         f"serving {state.model_path} on {state.address} (pid {state.pid}, {state.parallel} slots); "
         f"stops after {idle:g} min idle or on `plume serve --stop`")


def _say(data: dict, as_json: bool, line: str) -> None:
    if as_json:
        print_json(data)
    else:
        print(line)
