"""`plume backend`: which language model is active and why, whether it answers, the embedded model's state."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from plume.cli._app import app, err, print_json, user_errors

EMBEDDED_NOTE = (
    "The offline default is Qwen2.5-Coder-1.5B-Instruct (Q4_K_M), a small 1.5B coder model: its French is "
    "weak and it overshoots lengths (answers are capped). For better copy switch to a stronger model: "
    "export OPENAI_API_KEY=… (OpenAI; --model gpt-4o-mini by default); "
    "--base-url http://localhost:11434/v1 --model NAME (Ollama; likewise vLLM, LM Studio or any "
    "OpenAI-compatible server, or OPENAI_BASE_URL); or --model local:/path/model.gguf (any GGUF on the "
    "embedded runtime, e.g. a French instruct model; PLUME_LOCAL_MODEL does the same)."
)


def backend_report(model: str | None = None, base_url: str | None = None, check: bool = False) -> dict:
    """The library side of `plume backend`: the active backend, why, its check, the embedded model."""
    from plume.backends import get_backend
    from plume.backends.embedded import default_model_state

    backend = get_backend(model=model, base_url=base_url)
    report = {"active": backend.describe(), "check": None}
    try:
        if check:
            report["check"] = backend.check()
        report["active"] = backend.describe()
    finally:
        backend.close()
    report["embedded_server"] = embedded_server_line(backend)
    report["embedded_default"] = default_model_state(verify=True)
    from plume.lint.grammar import grammar_state

    report["grammar"] = grammar_state(start=check)
    report["note"] = EMBEDDED_NOTE
    return report


def embedded_server_line(backend) -> str | None:
    """Which server an embedded backend uses (the warm `plume serve` or its own), without loading a model."""
    from plume.backends import warm
    from plume.backends.embedded import EmbeddedBackend

    if not isinstance(backend, EmbeddedBackend):
        return None
    remote = warm.find(backend.model_path) if backend.use_warm else None
    if remote is not None:
        return f"warm server (plume serve, pid {remote.state.pid}, {remote.address}, {remote.parallel} slots)"
    return f"in-process: each command loads the model ({backend.parallel} slots); `plume serve` keeps it warm"


@app.command("backend")
def backend_command(
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Model name, or local:/path/model.gguf.")] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible server, e.g. http://localhost:11434/v1.")] = None,
    check: Annotated[bool, typer.Option("--check", help="Send a tiny request and report whether the backend answers.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show the active language-model backend and why it was chosen; --check that it answers."""
    with user_errors():
        report = backend_report(model, base_url, check)
    failed = report["check"] is not None and not report["check"]["ok"]
    if as_json:
        print_json(report)
    else:
        _print(report)
    if failed:
        raise typer.Exit(3)


def _print(report: dict) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from plume.install import install_hint

    console = Console()
    active = report["active"]
    table = Table(title="Active backend", title_justify="left", show_header=False)
    for key in ("backend", "kind", "model", "model_path", "base_url", "source", "timeout_s", "max_retries",
                "n_ctx", "parallel", "max_tokens_cap"):
        if active.get(key) is not None:
            table.add_row(key.replace("_", " "), escape(str(active[key])))
    if report.get("embedded_server"):
        table.add_row("server", escape(report["embedded_server"]))
    console.print(table)
    check = report["check"]
    if check is not None:
        if check["ok"]:
            console.print(f"check: answered in {check['duration_s']:.2f} s")
        else:
            err(f"error: {check['detail']}")
    state = report["embedded_default"]
    etable = Table(title="Embedded default model", title_justify="left", show_header=False)
    etable.add_row("model", state["model"])
    etable.add_row("runtime (xllamacpp)", "installed" if state["runtime_installed"] else escape(f"missing: {install_hint('local')}"))
    etable.add_row("parts installed", f"{state['parts_installed']}/{state['parts_expected']}")
    etable.add_row("assembled", "yes" if state["assembled"] else "not yet (done on first use)")
    etable.add_row("path", state["path"])
    if state["size"] is not None:
        etable.add_row("size", f"{state['size']:,} bytes (expected {state['expected_size']:,})")
    etable.add_row("sha256 ok", {True: "yes", False: "NO (it will be reassembled)", None: "-"}[state["hash_ok"]])
    console.print(etable)
    grammar = report["grammar"]
    console.print(f"grammar (Grammalecte): {grammar['executable'] or '-'}: {grammar['detail']}", soft_wrap=False)
    console.print(report["note"], soft_wrap=False)
