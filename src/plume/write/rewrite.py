"""`rewrite`: a draft in house vocabulary and voice for an audience; its facts and structure kept."""

from __future__ import annotations

import re
from typing import Any

from plume.lint.files import unified_diff as files_diff
from plume.lint.markdown import split_frontmatter
from plume.lint.target import Target
from plume.backends.base import Completion
from plume.write.loop import Call, Job, OnCall, adrive, as_dicts, drive, fix, lint_loop
from plume.write.restore import restore_sentences
from plume.write.result import WriteResult

_WRAP = re.compile(r"\A\s*(?:```[a-z]*|«)\s*\n?(.*?)\n?\s*(?:```|»)\s*\Z", re.DOTALL)
# a label of Plume's prompts copied on its own line above the wrapper (« Lecteur : … », « Texte : »)
_LABEL = re.compile(r"[^\S\n]*(?:lecteur|lectrice|texte|brouillon|format)[^\S\n]*:", re.IGNORECASE)
_OPEN = re.compile(r"[^\S\n]*(?:«|```[a-z]*)[^\S\n]*\Z")
_CLOSE = re.compile(r"[^\S\n]*(?:»|```)[^\S\n]*\Z")


def unwrap(answer: str) -> str:
    """The model's rewrite without what it copies from the prompt around it: the « » or code fence, the
    labels above them (« Lecteur : … », « Texte : »), closing guillemets doubled on their own lines.
    Only a wrapper is removed: labels with no wrapper after them stay (the critic reports them)."""
    answer = answer.strip()
    lines = answer.split("\n")
    first = 0
    while first < len(lines) and (not lines[first].strip() or _LABEL.match(lines[first])):
        first += 1
    if first < len(lines) and _OPEN.match(lines[first]):
        last = len(lines)
        while last > first + 1 and _CLOSE.match(lines[last - 1]):
            last -= 1
        if last < len(lines):  # opened and closed on lines of their own
            return "\n".join(lines[first + 1 : last]).strip()
    m = _WRAP.match(answer)
    return (m.group(1) if m else answer).strip()


def unified_diff(before: str, after: str, name: str = "draft") -> str:
    return files_diff(name, before, after)


def deterministic(draft: str, audience: str, format: str | None = None, *, house=None) -> WriteResult:
    """Only the linter's safe substitutions: works with no model at all."""
    from plume.house import load_house

    house = house or load_house()
    house.audience(audience)
    text, result = fix(draft, house, audience, format)
    first = as_dicts(result.violations)
    return WriteResult(text=text, audience=audience, format=format, source=draft, violations=first,
                       first_pass_violations=first, attempts=0, errors=result.errors, warnings=result.warnings)


def rewrite_max_tokens(fixed: str, backend=None) -> int:
    """Room for the rewritten draft: its own length plus some slack, bounded."""
    from plume import prompts

    return min(1600, int(prompts.count_tokens(fixed, backend) * 1.4) + 120)


def rewrite_job(draft: str, audience: str, format: str | None = None, *, house, corpus=None, backend=None,
                attempts: int = 3, repair: bool = True, budget: int | None = None, candidates: int = 1) -> Job:
    """The rewrite pipeline as a job: safe fixes first, then the model (`candidates` answers, the critic
    keeps the best), then the lint loop; the draft with the safe fixes alone is kept when every answer
    is worse (more errors, or as many and more warnings), and on a tie where the author's own words win
    ties (the embedded default, `[compose] prefer`)."""
    from plume import prompts
    from plume.write.compose import author_first

    house.audience(audience)
    head, body = split_frontmatter(draft)
    fixed, result = fix(body, house, audience, format)
    prompt = prompts.rewrite_prompt(fixed, audience, format, violations=[v for v in result.violations
                                    if v.severity in ("error", "warning")], house=house, corpus=corpus,
                                    backend=backend, budget=budget)
    meta = {"command": "rewrite", "audience": audience, "format": format}
    max_tokens = rewrite_max_tokens(fixed, backend)
    # the critic sees a copied instruction (« Garder ses faits, sa structure… ») as a leak; the draft's own
    # words are the copy's material
    target = Target(audience=audience, format=format, instructions=prompt.instructions, material=f"{body}\n{fixed}")

    def read(completion: Completion) -> tuple[str, Any] | None:
        text = unwrap(completion.text or "")
        if not text:
            return None
        # a sentence the model got wrong goes back to the author's, when his has no error (targeted repair)
        text, _ = restore_sentences(text, fixed, house, audience, format, target)
        return head + text + "\n", None

    def repair_call(text: str, violations: list) -> Call:
        p = prompts.repair_prompt(split_frontmatter(text)[1], violations, audience, format, task="rewrite", house=house,
                                  backend=backend, budget=budget)
        return Call(p.messages, max_tokens, None, 0.2, meta)

    return lint_loop(
        Call(prompt.messages, max_tokens, None, 0.3, meta),
        read=read,
        repair_call=repair_call,
        house=house,
        audience=audience,
        format=format,
        attempts=attempts,
        repair=repair,
        candidates=candidates,
        target=target,
        corpus=corpus,
        fallback=head + fixed,
        fallback_first=author_first(backend),
        source=draft,
    )


def rewrite(draft: str, audience: str, format: str | None = None, backend=None, *, attempts: int = 3,
            repair: bool = True, llm: bool = True, house=None, corpus=None, budget: int | None = None,
            candidates: int = 1, on_call: OnCall | None = None) -> WriteResult:
    """The draft rewritten for `audience`; `llm=False` applies only the deterministic substitutions."""
    from plume.house import load_house

    house = house or load_house()
    if not llm:
        return deterministic(draft, audience, format, house=house)
    owned = backend is None
    if owned:
        from plume.write.generate import backend_for

        backend = backend_for(1600)
    job = rewrite_job(draft, audience, format, house=house, corpus=corpus, backend=backend, attempts=attempts,
                      repair=repair, budget=budget, candidates=candidates)
    try:
        return drive(job, backend, on_call=on_call)
    finally:
        if owned:
            backend.close()


async def arewrite(draft: str, audience: str, format: str | None = None, backend=None, **kw) -> WriteResult:
    from plume.house import load_house

    house = kw.pop("house", None) or load_house()
    return await adrive(rewrite_job(draft, audience, format, house=house, backend=backend, **kw), backend)
