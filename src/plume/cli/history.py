"""`plume history`: the log of model calls (`-n N`, `--json`) and `plume history show ID`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from plume.cli._app import app, err, print_json, user_errors

history_app = typer.Typer(help="Past model calls: prompt, answer, tokens, cost, duration, lint result.",
                          invoke_without_command=True, no_args_is_help=False)
app.add_typer(history_app, name="history")


def lint_label(lint) -> str:
    if lint is None:
        return "-"
    if isinstance(lint, dict) and ("errors" in lint or "warnings" in lint):
        return f"{lint.get('errors', 0)}E {lint.get('warnings', 0)}W"
    return str(lint)[:30]


@history_app.callback()
def history_list(
    ctx: typer.Context,
    n: Annotated[int, typer.Option("-n", "--count", help="How many calls, newest first.", min=1)] = 20,
    query: Annotated[Optional[str], typer.Option("-q", "--query", help="Only calls whose prompt, answer, model or error contains this text.")] = None,
    off: Annotated[bool, typer.Option("--off", help="Stop logging model calls (prompts and answers stay on this machine only if logged).")] = False,
    on: Annotated[bool, typer.Option("--on", help="Log model calls again (the default).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the last N model calls, newest first; --off/--on switch logging; -q searches."""
    if ctx.invoked_subcommand is not None:
        return
    from plume import history, settings

    if off or on:
        with user_errors():
            if off and on:
                from plume.errors import InputError

                raise InputError("--off and --on exclude each other")
            settings.save(history=on)
        err(f"history {'on: model calls are logged' if on else 'off: model calls are no longer logged'} "
            f"({history.db_path()}; setting in {settings.settings_path()})")
        return
    with user_errors():
        rows = history.search(query, n) if query else history.recent(n)
        enabled = settings.history_enabled()
    if not enabled and not as_json:
        err("note: history is off (plume history --on to log model calls again)")
    if as_json:
        print_json(rows)
        return
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"History — {history.db_path()}", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False, collapse_padding=True)
    for col in ("id", "when", "job", "model", "tokens", "$", "s", "status", "lint"):
        table.add_column(col, overflow="ellipsis", no_wrap=True, max_width=18 if col in ("model", "job") else None)
    for r in rows:
        job = " ".join(x for x in (r["command"], "/".join(y for y in (r["audience"], r["format"]) if y)) if x)
        table.add_row(
            str(r["id"]), r["time"][5:16].replace("T", " "), escape(job or "-"), escape(r["model"] or "-"),
            f"{r['prompt_tokens'] or 0}+{r['completion_tokens'] or 0}", f"{r['cost_usd'] or 0:.3f}",
            f"{r['duration_s'] or 0:.0f}", r["status"] if r["status"] == "ok" else f"[red]{escape(r['status'])}[/red]",
            escape(lint_label(r["lint"])),
        )
    Console().print(table)


@history_app.command("path")
def history_path() -> None:
    """Print where the history database is (to back it up, inspect it with sqlite3, or delete it)."""
    from plume import history

    with user_errors():
        print(history.db_path())


@history_app.command("show")
def history_show(
    history_id: Annotated[int, typer.Argument(help="The call's id (see `plume history`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Everything recorded about one call: messages, answer, usage, cost, error, lint result."""
    from plume import history

    with user_errors():
        row = history.get(history_id)
    if as_json:
        print_json(row)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.rule import Rule

    console = Console()
    console.print(f"[bold]#{row['id']}[/bold] " + escape(f"{row['time']}  {row['status']}  {row['backend']} · {row['model']}"))
    console.print(f"command: {row['command'] or '-'}  audience: {row['audience'] or '-'}  format: {row['format'] or '-'}",
                  markup=False, highlight=False)
    console.print(f"tokens: {row['prompt_tokens'] or 0} in / {row['completion_tokens'] or 0} out  "
                  f"cost: ${row['cost_usd'] or 0:.4f}  duration: {row['duration_s'] or 0:.2f} s  "
                  f"options: {row['options']}", markup=False)
    for message in row["messages"] or []:
        console.print(Rule(str(message.get("role", "?"))))
        console.print(str(message.get("content", "")), markup=False, highlight=False)
    console.print(Rule("answer"))
    console.print(row["response"] or "", markup=False, highlight=False)
    if row["error"]:
        console.print(Rule("error"))
        console.print(row["error"], markup=False, highlight=False)
    if row["lint"] is not None:
        console.print(Rule("lint"))
        console.print(lint_label(row["lint"]), markup=False)
