"""The lint plan: a house's rules compiled for the engine, as plain data (no pydantic).

`plume lint` starts fast because it loads the plan from a pickle in the cache folder when the house
file has not changed (keyed by its path, size and mtime, Plume's version and the engine's own source
files); otherwise it validates the house file (pydantic), compiles the plan and writes the cache.
"""

from __future__ import annotations

import os
import pickle
import re
import zlib
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from plume.errors import InputError

if TYPE_CHECKING:
    from plume.house import House

PLAN_FORMAT = 4
_ENGINE_FILES = (
    "plan.py", "kinds.py", "patterns.py", "markdown.py", "context.py", "linkedin.py", "violation.py", "rules.py", "target.py", "sources.py",
    "segments.py", "defects.py", "leak.py",
    "../house.py",
)


class RuleView:
    """One rule as the engine sees it: the house file's fields as attributes."""

    def __init__(self, **fields: Any):
        scope = fields.pop("scope", None) or {}
        self.__dict__.update(fields)
        self.audiences = tuple(scope.get("audiences", ()))
        self.formats = tuple(scope.get("formats", ()))
        self.scope = SimpleNamespace(audiences=list(self.audiences), formats=list(self.formats))
        self.description = fields.get("description")

    def applies(self, audience: str | None, format: str | None) -> bool:
        """A scoped rule needs its audience/format to be known and listed."""
        if self.audiences and audience not in self.audiences:
            return False
        if self.formats and format not in self.formats:
            return False
        return True

    def __repr__(self) -> str:
        return f"RuleView({self.id!r}, {self.kind!r})"


class LintPlan:
    """Compiled rules plus the audience and format keys they may be scoped to."""

    def __init__(
        self,
        rules: list,
        audiences: tuple[str, ...],
        formats: tuple[str, ...],
        source: str = "",
        instructions: dict[str, str] | None = None,
        material: tuple[str, ...] = (),
    ):
        self.rules = rules
        self.audiences = audiences
        self.formats = formats
        self.source = source
        # the house's instructions to the writer ("" = every piece, "audience:pme", "format:linkedin")
        # and the author's own wording (prompt-leak rules: copying the latter is welcome)
        self.instructions = instructions or {}
        self.material = material
        self._applicable: dict[tuple[str | None, str | None], list] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_applicable": {}}  # a cache of this process only

    def rules_for(self, audience: str | None, format: str | None) -> list:
        """The compiled rules that apply to an audience and a format (computed once per pair)."""
        key = (audience, format)
        found = self._applicable.get(key)
        if found is None:
            found = self._applicable[key] = [c for c in self.rules if c.rule.applies(audience, format)]
        return found

    def instructions_for(self, audience: str | None, format: str | None) -> list[str]:
        keys = ("", f"audience:{audience}", f"format:{format}")
        return [self.instructions[k] for k in keys if self.instructions.get(k)]

    @property
    def rule_views(self) -> list[RuleView]:
        return [c.rule for c in self.rules]

    def check_scope(self, audience: str | None, format: str | None) -> None:
        if audience is not None and audience not in self.audiences:
            raise InputError(f"unknown audience {audience!r} (house has: {', '.join(self.audiences)})")
        if format is not None and format not in self.formats:
            raise InputError(f"unknown format {format!r} (house has: {', '.join(self.formats)})")


def build_plan(house: House, rules: list | None = None, source: str = "") -> LintPlan:
    """The plan of a house: its rules (validated: `rules_of`) compiled, with the house texts some kinds
    read."""
    from plume.lint.kinds import compile_rule

    rules = validate_rules(house) if rules is None else rules
    views = [RuleView(**rule.model_dump()) for rule in rules]
    instructions, material = house_texts(house)
    return LintPlan([compile_rule(v) for v in views], tuple(house.audiences), tuple(house.formats), source,
                    instructions, material)


def validate_rules(house: House) -> list:
    """The house file's `rules:` as rule models (plume.lint.rules); a broken rule, a duplicate id or an
    unknown audience or format raises InputError naming the file, the field and the problem."""
    from pydantic import TypeAdapter, ValidationError

    from plume.house import problems_of
    from plume.lint.rules import Rule

    where = house.path or "house file"
    try:
        rules = TypeAdapter(list[Rule]).validate_python(house.rules)
    except ValidationError as exc:
        raise InputError(f"{where}: {problems_of(exc, 'rules')}") from None
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.id in seen:
            raise InputError(f"{where}: rules.{i}.id: duplicate rule id {rule.id!r}")
        seen.add(rule.id)
        for field, known in (("audiences", house.audiences), ("formats", house.formats)):
            for key in getattr(rule.scope, field):
                if key not in known:
                    what = field[:-1]
                    raise InputError(f"{where}: rules.{i}.scope.{field}: unknown {what} {key!r} in rule {rule.id!r}")
    return rules


_built: dict[int, tuple[Any, list, LintPlan]] = {}  # id(house) → (house, its rule models, its plan)
_BUILT_MAX = 16


def _built_for(house: House) -> tuple[Any, list, LintPlan]:
    entry = _built.get(id(house))
    if entry is None or entry[0] is not house:
        rules = validate_rules(house)
        entry = (house, rules, build_plan(house, rules))
        if len(_built) >= _BUILT_MAX:
            _built.pop(next(iter(_built)))
        _built[id(house)] = entry
    return entry


def plan_for(house: House) -> LintPlan:
    """The plan of a House object, built once (kept here, keyed by the object, not on the House)."""
    return _built_for(house)[2]


def rules_of(house: House) -> list:
    """The house's rules as validated rule models (plume.lint.rules), for listings and documentation."""
    return _built_for(house)[1]


_REF = re.compile(r"\s*\((?:\d{3}(?:,\s*)?)+\)")  # "(000, 004)": note references in the house file


def house_texts(house: House) -> tuple[dict[str, str], tuple[str, ...]]:
    """(instructions, material): what the house tells the writer (the reader's portrait, the tone, what
    to avoid, the format's guidance, the voice) and the author's own wording (offers, pains, dimensions,
    benefits, verbs, preferred phrases, vocabulary), note references such as "(000)" left out."""
    def clean(lines) -> str:
        return "\n".join(_REF.sub("", line) for line in lines if line)

    author = house.author
    instructions = {"": clean(author.voice)}
    material = [author.designation, *author.earlier_designations, author.offer, *house.verbs, *house.benefits,
                *house.preferred, *(f"{d.name} : {d.role}" for d in house.dimensions)]
    for key, a in house.audiences.items():
        instructions[f"audience:{key}"] = clean([a.label, a.reader, a.tone, *a.avoid])
        material += [*a.pains, *a.vocabulary, a.offer]
    for key, f in house.formats.items():
        instructions[f"format:{key}"] = clean([f.label, f.description, *f.guidance])
    return instructions, tuple(clean([m]) for m in material)


_memo: dict[tuple, LintPlan] = {}


def load_plan(path: str | Path | None = None, *, use_cache: bool = True) -> LintPlan:
    """The plan of a house file (default: the house folder's prompts/house.yaml), from the disk cache
    when the file is unchanged. A broken house file raises InputError naming file, field and problem."""
    if path is None:
        from plume.paths import house_file

        path = house_file()
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: house file not found") from None
    except OSError as exc:  # a folder it cannot enter, a symlink loop: say so, not "not found"
        raise InputError(f"{path}: cannot read the house file ({exc.strerror or exc})") from None
    if not path.is_file():
        raise InputError(f"{path}: house file not found")
    key = _key(path.resolve(), stat)
    if key in _memo:
        return _memo[key]
    cache = _cache_file(key) if use_cache else None
    plan = _read_cache(cache, key) if cache else None
    if plan is None:
        from plume.house import load_house

        plan = plan_for(load_house(path))  # validates the rules too
        if cache:
            _write_cache(cache, key, plan)
    _memo[key] = plan
    return plan


def _key(path: Path, stat: os.stat_result) -> tuple:
    from plume import __version__

    here = Path(__file__).parent
    engine = tuple(os.stat(here / name).st_mtime_ns for name in _ENGINE_FILES)
    return (PLAN_FORMAT, __version__, str(path), stat.st_size, stat.st_mtime_ns, engine)


def _cache_file(key: tuple) -> Path | None:
    try:
        from plume.paths import cache_dir

        digest = f"{zlib.crc32(key[2].encode()):08x}"
        return cache_dir() / "lint" / f"plan-{digest}.pickle"
    except Exception:
        return None


def _read_cache(cache: Path, key: tuple) -> LintPlan | None:
    try:
        with cache.open("rb") as handle:
            stored_key, plan = pickle.load(handle)
    except Exception:  # missing, stale format, or unreadable: rebuild
        return None
    return plan if stored_key == key and isinstance(plan, LintPlan) else None


def _write_cache(cache: Path, key: tuple, plan: LintPlan) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump((key, plan), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only cache folder only costs speed
