"""`plume prompt generate|rewrite`: the messages a job would send, their token count and cost; no model call."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from plume.cli._app import app, print_json, user_errors

prompt_app = typer.Typer(help="Render the prompt of a job without calling a model (tokens, estimated cost).",
                         no_args_is_help=True)
app.add_typer(prompt_app, name="prompt")


def _target(model: str | None, base_url: str | None) -> tuple[str, bool]:
    """The model a job would use and whether it is local, decided without starting anything."""
    import os

    from plume.config import section

    toml = section("backend")
    model = model or os.environ.get("PLUME_MODEL") or toml.get("model")
    remote = base_url or os.environ.get("OPENAI_BASE_URL") or toml.get("base_url") or os.environ.get("OPENAI_API_KEY")
    if model and str(model).startswith("local:"):
        return str(model), True
    if not remote and not model:
        return "embedded", True
    return str(model or "gpt-4o-mini"), False


def _show(prompt, model: str, local: bool, completion_tokens: int, as_json: bool) -> None:
    from plume.pricing import cost_usd

    cost = cost_usd(model, prompt.tokens, completion_tokens, local=local)
    data = {**prompt.to_dict(), "model": model, "max_completion_tokens": completion_tokens,
            "estimated_cost_usd": round(cost, 6)}
    if as_json:
        print_json(data)
        return
    for m in prompt.messages:
        sys.stdout.write(f"── {m['role']} ──\n{m['content']}\n\n")
    notes = ", ".join(f"{e.note} ({e.tokens})" for e in prompt.exemplars) or "none"
    sys.stdout.write(f"── {prompt.tokens} prompt tokens (budget {prompt.budget}), up to {completion_tokens} completion "
                     f"tokens, model {model}, estimated cost ${cost:.4f}; exemplars: {notes}\n")


Model = Annotated[Optional[str], typer.Option(help="Model the prompt is for (prices, budget).")]
BaseUrl = Annotated[Optional[str], typer.Option(help="OpenAI-compatible server URL.")]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@prompt_app.command("generate")
def prompt_generate(
    topic: Annotated[str, typer.Argument(help="The subject, or a BRIEF.yaml.")],
    audience: Annotated[str, typer.Option("--audience", "-a")],
    format: Annotated[str, typer.Option("--format", "-f")] = "linkedin",
    angle: Annotated[Optional[str], typer.Option()] = None,
    words: Annotated[Optional[int], typer.Option(min=20)] = None,
    budget: Annotated[Optional[int], typer.Option(help="Prompt-token budget (default: by backend).")] = None,
    model: Model = None,
    base_url: BaseUrl = None,
    as_json: Json = False,
) -> None:
    """The messages `plume generate` would send."""
    from plume import prompts
    from plume.cli.generate import load_brief
    from plume.house import load_house
    from plume.write.generate import max_tokens_for

    with user_errors():
        name, local = _target(model, base_url)
        brief = load_brief(topic, angle, words)
        budget = budget or (prompts.LOCAL_BUDGET if local else prompts.API_BUDGET)
        p = prompts.generate_prompt(brief, audience, format, budget=budget)
        completion = max_tokens_for(format, brief.words or load_house().format(format).default_words)
    _show(p, name, local, completion, as_json)


@prompt_app.command("rewrite")
def prompt_rewrite(
    draft: Annotated[Path, typer.Argument(help="The draft to rewrite.")],
    audience: Annotated[str, typer.Option("--audience", "-a")],
    format: Annotated[Optional[str], typer.Option("--format", "-f")] = None,
    budget: Annotated[Optional[int], typer.Option(help="Prompt-token budget (default: by backend).")] = None,
    model: Model = None,
    base_url: BaseUrl = None,
    as_json: Json = False,
) -> None:
    """The messages `plume rewrite` would send (after the safe fixes)."""
    from plume import prompts
    from plume.lint.files import read_source
    from plume.house import load_house
    from plume.write.loop import fix
    from plume.lint.markdown import split_frontmatter
    from plume.write.rewrite import rewrite_max_tokens

    with user_errors():
        name, local = _target(model, base_url)
        house = load_house()
        house.audience(audience)
        _, body = split_frontmatter(read_source(str(draft)))
        fixed, result = fix(body, house, audience, format)
        budget = budget or (prompts.LOCAL_BUDGET if local else prompts.API_BUDGET)
        blocking = [v for v in result.violations if v.severity in ("error", "warning")]
        p = prompts.rewrite_prompt(fixed, audience, format, violations=blocking, house=house, budget=budget)
        completion = rewrite_max_tokens(fixed)
    _show(p, name, local, completion, as_json)
