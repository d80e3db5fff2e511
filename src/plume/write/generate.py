"""`generate`: a LinkedIn post or landing copy for one audience, from a brief, through the lint loop."""

from __future__ import annotations

import re
from typing import Any, Callable

from plume.backends.base import Completion
from plume.write.loop import Call, Job, OnCall, drive, lint_loop
from plume.write.render import parse_structured, render_landing, render_linkedin, to_markdown
from plume.write.result import WriteResult
from plume.write.schemas import Brief, LandingCopy, LinkedInPost, schema_for

_FENCE = re.compile(r"^```[a-z]*\s*|\s*```\s*$")


def max_tokens_for(format: str, words: int) -> int:
    """Room for the answer: ~2 tokens a French word plus the JSON keys, capped for the small model."""
    overhead = 220 if format == "landing" else 120
    return min(1400, 2 * words + overhead)


def backend_for(needed: int, model: str | None = None, base_url: str | None = None):
    """The configured backend; the embedded model's length cap is raised to `needed` (the schema's grammar
    bounds the answer anyway), unless plume.toml sets `[backend] max_tokens_cap` itself."""
    from plume.backends import get_backend
    from plume.config import section

    overrides = {} if "max_tokens_cap" in section("backend") else {"max_tokens_cap": max(512, needed)}
    return get_backend(model=model, base_url=base_url, **overrides)


STRATEGIES = ("free", "compose")
DEFAULT_STRATEGY = {"landing": "compose", "linkedin": "compose"}
DEFAULT_CANDIDATES = {"compose": 3, "free": 1}  # compose: small fields, cheap to draw; free: whole pieces


def strategy_for(format: str, strategy: str | None) -> str:
    """The strategy asked for, or the default for the format (chosen from `plume eval --compare`)."""
    from plume.errors import InputError

    if strategy in (None, "", "auto"):
        return DEFAULT_STRATEGY.get(format, "free")
    if strategy not in STRATEGIES:
        raise InputError(f"unknown strategy {strategy!r} (free, compose)")
    return strategy


def read_structured(schema, format: str, house, cta: str | None) -> Callable[[Any], tuple[str, Any] | None]:
    """Completion → (rendered text, parsed model); None when a structured answer is unusable."""

    def read(completion: Completion) -> tuple[str, Any] | None:
        text = completion.text or ""
        parsed = completion.parsed
        if schema is not None and not isinstance(parsed, schema):
            parsed = parse_structured(text, schema) if text.strip() else None
        if isinstance(parsed, LinkedInPost):
            return render_linkedin(parsed, cta=cta), parsed
        if isinstance(parsed, LandingCopy):
            return render_landing(parsed, house=house, cta=cta), parsed
        if schema is not None and text.lstrip().startswith("{"):
            return None  # JSON cut short or off-schema: ask again
        plain = _FENCE.sub("", text.strip())
        return (plain + "\n", None) if plain else None

    return read


def generate_job(brief: Brief, audience: str, format: str, *, house, corpus=None, backend=None,
                 attempts: int = 3, markdown: bool = False, repair: bool = True, budget: int | None = None,
                 command: str = "generate", temperature: float = 0.7, strategy: str | None = None,
                 candidates: int | None = None) -> Job:
    """The generate pipeline as a job (see plume.write.loop): `compose` (the author's sentences, the
    model writes title/hook and bridges) or `free` (the model writes the piece)."""
    from plume import prompts
    from plume.lint.target import Target

    house.audience(audience)
    fmt = house.format(format)
    words = brief.words or fmt.default_words
    strategy = strategy_for(format, strategy)
    candidates = candidates or DEFAULT_CANDIDATES[strategy]
    if strategy == "compose":
        from plume.write.compose import compose_job

        return compose_job(brief, audience, format, house=house, corpus=corpus, backend=backend,
                           candidates=candidates, attempts=attempts, repair=repair, markdown=markdown,
                           budget=budget, command=command, temperature=temperature, words=words)
    schema = schema_for(format, house, words)
    prompt = prompts.generate_prompt(brief, audience, format, house=house, corpus=corpus, backend=backend, budget=budget)
    meta = {"command": command, "audience": audience, "format": format, "strategy": "free"}
    max_tokens = max_tokens_for(format, words)
    # the critic judges the length the brief asked for (none asked: no length verdict)
    target = Target(audience=audience, format=format, cta=brief.cta, words=brief.words,
                    instructions=prompt.instructions,
                    material="\n".join([brief.topic, brief.angle or "", *brief.facts]))

    def repair_call(text: str, violations: list) -> Call:
        p = prompts.repair_prompt(text, violations, audience, format, task="generate", structured=schema is not None,
                                  house=house, backend=backend, budget=budget)
        return Call(p.messages, max_tokens, schema, 0.3, meta)

    def finish(best) -> str:
        return to_markdown(best.text) if markdown and format == "linkedin" else best.text

    return lint_loop(
        Call(prompt.messages, max_tokens, schema, temperature, meta),
        read=read_structured(schema, format, house, brief.cta),
        repair_call=repair_call,
        house=house,
        audience=audience,
        format=format,
        attempts=attempts,
        repair=repair,
        finish=finish,
        candidates=candidates,
        target=target,
        corpus=corpus,
        brief=brief,
        sources=[e.note for e in prompt.exemplars],
        strategy="free",
    )


def generate(brief: Brief | str, audience: str, format: str, backend=None, *, attempts: int = 3,
             markdown: bool = False, repair: bool = True, house=None, corpus=None, budget: int | None = None,
             on_delta: Callable[[str], None] | None = None, on_call: OnCall | None = None, temperature: float = 0.7, strategy: str | None = None,
             candidates: int | None = None) -> WriteResult:
    """Write one piece for `audience` in `format`; `candidates` answers judged by the critic, the best
    kept, then repaired up to `attempts` rounds of model calls."""
    from plume.house import load_house

    if isinstance(brief, str):
        brief = Brief(topic=brief)
    house = house or load_house()
    owned = backend is None
    if owned:
        backend = backend_for(max_tokens_for(format, brief.words or house.format(format).default_words))
    job = generate_job(brief, audience, format, house=house, corpus=corpus, backend=backend, attempts=attempts,
                       markdown=markdown, repair=repair, budget=budget, temperature=temperature, strategy=strategy,
                       candidates=candidates)
    try:
        return drive(job, backend, on_delta, on_call)
    finally:
        if owned:
            backend.close()
