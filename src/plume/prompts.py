"""Chat prompts from the house templates (`prompts/*.j2`) and exemplars from the corpus, within a token budget.

The system message is the same for every audience, format and task, so a llama.cpp server reuses its
prompt cache across calls; everything that varies goes into the user message. Templates are data: a
user edits them in the house folder.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from plume.errors import InputError

LOCAL_BUDGET = 1100  # prompt tokens for the embedded model (~60 tok/s prompt processing on 2 cores)
API_BUDGET = 3000  # prompt tokens for API or user-chosen servers
MIN_EXEMPLAR_TOKENS = 40  # an excerpt shorter than this teaches nothing about the voice

_REF = re.compile(r"\s*\((?:\d{3}(?:,\s*)?)+\)")  # "(000, 004)": note references in the house file


@dataclass
class Exemplar:
    note: str
    text: str
    tokens: int


@dataclass
class Prompt:
    """Chat messages ready for a backend, with what went into them."""

    task: str
    messages: list[dict[str, str]]
    tokens: int
    budget: int
    exemplars: list[Exemplar] = field(default_factory=list)
    instructions: str = ""  # what the prompt asks, without the author's material (the critic's prompt-leak check)

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "messages": self.messages,
            "tokens": self.tokens,
            "budget": self.budget,
            "exemplars": [{"note": e.note, "tokens": e.tokens} for e in self.exemplars],
        }


# --- tokens ----------------------------------------------------------------------------------------


def count_tokens(text: str, backend: Any = None) -> int:
    """Tokens of `text`: the backend's own count, else tiktoken (plume.tokens), else ~3.5 chars a token."""
    if backend is not None and hasattr(backend, "count_tokens"):
        return int(backend.count_tokens(text))
    try:
        from plume.tokens import count_tokens as tiktoken_count
    except ImportError:
        return math.ceil(len(text) / 3.5)
    return int(tiktoken_count(text))


def messages_tokens(messages: list[dict[str, str]], backend: Any = None) -> int:
    """Tokens of a chat: contents plus a few per message for the chat template."""
    return sum(count_tokens(m["content"], backend) + 4 for m in messages)


def budget_for(backend: Any = None) -> int:
    """Prompt-token budget: short for the embedded model, larger for API and user-chosen servers."""
    explicit = getattr(backend, "prompt_budget", None)
    if isinstance(explicit, int):
        return explicit
    kind = str(getattr(backend, "name", None) or "")
    if backend is None or getattr(backend, "is_local", False) or kind in ("embedded", "local"):
        return LOCAL_BUDGET
    return API_BUDGET


# --- templates -------------------------------------------------------------------------------------


def noref(text: str) -> str:
    """Drop the note references ("(000, 004)") the house file carries for humans."""
    return _REF.sub("", str(text)).strip()


def environment(folder: Path | None = None):
    """Jinja2 over the house prompts folder; undefined variables are errors.

    One environment per folder, kept: Jinja2 recompiles a template when its file changes.
    """
    from plume.paths import shipped_root, template_dirs

    dirs = [Path(folder)] if folder else template_dirs()
    shipped = shipped_root() / "prompts"
    if shipped.resolve() not in [d.resolve() for d in dirs]:
        dirs.append(shipped)  # the shipped templates are the fallback for any template the house lacks
    return _environment(tuple(str(d.resolve()) for d in dirs))


@lru_cache(maxsize=8)
def _environment(folders: tuple[str, ...]):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(folders)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.filters["noref"] = noref
    return env


def _undeclared(env, name: str, seen: set[str]) -> set[str]:
    """Variables `name` needs (its static includes too)."""
    if name in seen:
        return set()
    seen.add(name)
    source, _, _ = env.loader.get_source(env, name)
    needed, children = _needs(env, source)
    needed = set(needed)
    for child in children:
        needed |= _undeclared(env, child, seen)
    return needed


@lru_cache(maxsize=256)
def _needs(env, source: str) -> tuple[frozenset[str], tuple[str, ...]]:
    from jinja2 import meta

    ast = env.parse(source)
    return frozenset(meta.find_undeclared_variables(ast)), tuple(c for c in meta.find_referenced_templates(ast) if c)


def render(name: str, context: dict[str, Any], env=None) -> str:
    """Render one template; every missing variable is named in one error."""
    import jinja2

    env = env or environment()
    where = Path(env.loader.searchpath[0]) / name if hasattr(env.loader, "searchpath") else Path(name)
    try:
        missing = sorted(_undeclared(env, name, set()) - set(context) - set(env.globals) - set(env.filters))
    except jinja2.TemplateNotFound as exc:
        raise InputError(f"{where.parent / str(exc)}: prompt template not found") from None
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(f"{exc.filename or where}:{exc.lineno}: template syntax error: {exc.message}") from None
    if missing:
        raise InputError(f"{where}: missing variables: {', '.join(missing)}")
    try:
        return env.get_template(name).render(**context).strip()
    except jinja2.UndefinedError as exc:
        raise InputError(f"{where}: {exc.message}") from None


def has_template(name: str, env=None) -> bool:
    env = env or environment()
    return name in env.list_templates()


# --- exemplars -------------------------------------------------------------------------------------


def _clean(body: str) -> str:
    """A note's text as the model should see it: wikilinks as their visible words, no rulers."""
    from plume.markdown import WIKILINK

    text = WIKILINK.sub(lambda m: (m.group("alias") or m.group("target")).strip(), body)
    return re.sub(r"^\s*---\s*$", "", text, flags=re.MULTILINE).strip()


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", _clean(body)) if p.strip()]


def excerpt(body: str, budget: int, backend: Any = None) -> tuple[str, int]:
    """The note's opening paragraphs that fit `budget` tokens (the hook and first ideas carry the voice)."""
    kept: list[str] = []
    used = 0
    for para in paragraphs(body):
        cost = count_tokens(para, backend) + 1
        if used + cost > budget:
            break
        kept.append(para)
        used += cost
    return "\n\n".join(kept), used


def exemplar_notes(house, corpus, audience: str) -> list:
    """Current notes that are exemplars for this audience: those of the house file's `notes:` in its order,
    then every other note of the corpus (a note the house does not mention is an exemplar for all)."""
    by_id = {n.id: n for n in corpus.notes}
    chosen = []
    listed = list(house.notes.items()) + [(n.id, house.note_role(n.id)) for n in corpus.notes if n.id not in house.notes]
    for note_id, role in listed:
        note = by_id.get(note_id)
        if note is None or role.status != "current" or "exemplar" not in role.use:
            continue
        if role.audiences and audience not in role.audiences:
            continue
        chosen.append(note)
    return chosen


def choose_exemplars(house, corpus, audience: str, budget: int, backend: Any = None, per_note: int = 600) -> list[Exemplar]:
    """Excerpts of the audience's exemplar notes, in order, until `budget` tokens are spent."""
    chosen: list[Exemplar] = []
    for note in exemplar_notes(house, corpus, audience):
        room = min(per_note, budget)
        if room < MIN_EXEMPLAR_TOKENS:
            break
        text, used = excerpt(note.body, room, backend)
        if text and used >= MIN_EXEMPLAR_TOKENS:
            chosen.append(Exemplar(note=note.id, text=text, tokens=used))
            budget -= used
    return chosen


def before_after(house, corpus, budget: int, backend: Any = None) -> tuple[str, str, str] | None:
    """The author's own rewrite (earlier note → current note), both trimmed to fit `budget` together."""
    by_id = {n.id: n for n in corpus.notes}
    for note_id, role in house.notes.items():
        if role.status != "earlier" or not role.superseded_by or "before_after" not in role.use:
            continue
        before, after = by_id.get(note_id), by_id.get(role.superseded_by)
        if before is None or after is None:
            continue
        b_text, b_used = excerpt(before.body, budget // 2, backend)
        a_text, a_used = excerpt(after.body, budget - b_used, backend)
        if b_text and a_text:
            return f"{note_id} → {role.superseded_by}", b_text, a_text
    return None


# --- prompts for the jobs --------------------------------------------------------------------------


def house_context(house) -> dict[str, Any]:
    return {
        "author": house.author,
        "dimensions": house.dimensions,
        "verbs": house.verbs,
        "benefits": house.benefits,
        "preferred": house.preferred,
    }


def _blocks(house, audience: str, format: str | None, env) -> dict[str, str]:
    ctx = {**house_context(house), "audience": house.audience(audience), "audience_key": audience}
    blocks = {"audience_block": render("audience.j2", ctx, env), "format_block": ""}
    if format:
        fmt = house.format(format)
        name = f"format_{format}.j2" if has_template(f"format_{format}.j2", env) else "format.j2"
        blocks["format_block"] = render(name, {**ctx, "format": fmt, "format_key": format}, env)
    return blocks


def _load(house, corpus):
    if house is None:
        from plume.house import load_house

        house = load_house()
    if corpus is None:  # (False: no corpus needed)
        from plume.corpus import load_corpus

        corpus = load_corpus()
    return house, corpus


def _finish(task: str, system: str, user_parts: list[str], budget: int, backend, exemplars, ex_block) -> Prompt:
    user = "\n\n".join(p for p in [ex_block, *user_parts] if p)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return Prompt(task, messages, messages_tokens(messages, backend), budget, exemplars)


def generate_prompt(brief, audience: str, format: str, *, house=None, corpus=None, backend=None,
                    budget: int | None = None, env=None) -> Prompt:
    """Messages asking for a new piece (structured output) for one audience and format."""
    house, corpus = _load(house, corpus)
    env = env or environment()
    budget = budget or budget_for(backend)
    fmt = house.format(format)
    system = render("system.j2", house_context(house), env)
    ctx = {**house_context(house), **_blocks(house, audience, format, env), "brief": brief,
           "words": brief.words or fmt.default_words, "format": fmt, "format_key": format}
    task = render("generate.j2", ctx, env)
    base = messages_tokens([{"role": "system", "content": system}, {"role": "user", "content": task}], backend)
    exemplars = choose_exemplars(house, corpus, audience, budget - base - 30, backend)
    ex_block = render("exemplars.j2", {"exemplars": exemplars}, env) if exemplars else ""
    prompt = _finish("generate", system, [task], budget, backend, exemplars, ex_block)
    prompt.instructions = "\n\n".join([ctx["format_block"], render("fields.j2", ctx, env)])
    return prompt


def rewrite_prompt(draft: str, audience: str, format: str | None = None, *, violations: list | None = None,
                   house=None, corpus=None, backend=None, budget: int | None = None, env=None) -> Prompt:
    """Messages asking to rewrite `draft` in the house voice, keeping its facts and structure."""
    house, corpus = _load(house, corpus)
    env = env or environment()
    budget = budget or budget_for(backend)
    system = render("system.j2", house_context(house), env)
    ctx = {**house_context(house), **_blocks(house, audience, format, env), "draft": draft.strip(),
           "violations": [_violation_view(v) for v in violations or []]}
    task = render("rewrite.j2", ctx, env)
    base = messages_tokens([{"role": "system", "content": system}, {"role": "user", "content": task}], backend)
    pair = before_after(house, corpus, budget - base - 40, backend)
    exemplars: list[Exemplar] = []
    ex_block = ""
    if pair and count_tokens(pair[1], backend) >= MIN_EXEMPLAR_TOKENS // 2:
        label, before, after = pair
        ex_block = render("before_after.j2", {"before": before, "after": after}, env)
        exemplars = [Exemplar(note=label, text=f"{before}\n→\n{after}", tokens=count_tokens(ex_block, backend))]
    prompt = _finish("rewrite", system, [task], budget, backend, exemplars, ex_block)
    prompt.instructions = task.rsplit("Brouillon :", 1)[0]  # what it asks, the draft (the copy's material) aside
    return prompt


def repair_prompt(text: str, violations: list, audience: str, format: str | None, *, task: str = "generate",
                  structured: bool = False, house=None, backend=None, budget: int | None = None, env=None) -> Prompt:
    """Messages asking to fix the quoted violations and change nothing else."""
    if house is None:
        from plume.house import load_house

        house = load_house()
    env = env or environment()
    system = render("system.j2", house_context(house), env)
    ctx = {"text": text.strip(), "violations": [_violation_view(v) for v in violations],
           "audience": house.audience(audience), "format": house.format(format) if format else None,
           "task": task, "structured": structured, "format_key": format}
    user = render("repair.j2", ctx, env)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return Prompt("repair", messages, messages_tokens(messages, backend), budget or budget_for(backend))


FIELD_WHAT = {"title": "le titre", "subtitle": "le sous-titre", "hook": "l'accroche", "bridge": "la phrase de liaison",
              "paragraph": "un paragraphe", "bullet": "une puce", "closing": "la conclusion"}
FIELD_LIMIT = {"title": "10 mots au plus", "subtitle": "une phrase de 25 mots au plus",
               "hook": "une question de 15 mots au plus", "bridge": "une phrase de 20 mots au plus"}


def compose_prompt(brief, audience: str, format: str, material: list[str], *, house=None, backend=None,
                   budget: int | None = None, env=None) -> Prompt:
    """Messages asking only for the fields a composed piece needs (title and subtitle, or hook and
    bridge), with the author's sentences the piece already uses."""
    house, _ = _load(house, False)
    env = env or environment()
    system = render("system.j2", house_context(house), env)
    blocks = _blocks(house, audience, None, env)
    instructions = render("compose_fields.j2", {"format_key": format}, env)
    ctx = {**house_context(house), **blocks, "brief": brief, "format_key": format, "material": material,
           "instructions": instructions}
    user = render("compose.j2", ctx, env)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return Prompt("compose", messages, messages_tokens(messages, backend), budget or budget_for(backend),
                  instructions=instructions)


def field_repair_prompt(name: str, value: str, problems: list[str], audience: str, format: str | None, *,
                        house=None, backend=None, topic: str = "", env=None) -> Prompt:
    """Messages asking for one field again, quoting it and what is wrong with it."""
    house, _ = _load(house, False)
    env = env or environment()
    system = render("system.j2", house_context(house), env)
    ctx = {"audience": house.audience(audience), "what": FIELD_WHAT.get(name, name), "value": value,
           "problems": problems, "limit": FIELD_LIMIT.get(name, ""), "topic": topic}
    user = render("field_repair.j2", ctx, env)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return Prompt("repair", messages, messages_tokens(messages, backend), budget_for(backend),
                  instructions=user.split("»", 1)[-1])


def _violation_view(v) -> dict[str, Any]:
    """A violation (object or dict) as the templates see it."""
    get = v.get if isinstance(v, dict) else (lambda k, d=None: getattr(v, k, d))
    return {"rule": get("rule"), "severity": get("severity"), "text": get("text") or "",
            "message": get("message") or "", "fix": get("fix"), "line": get("line")}
