"""The rule reference (docs/rules.md), written from the house file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plume.lint.linkedin import CUTS

if TYPE_CHECKING:
    from plume.house import House

KIND_DOC = {
    "substitution": "a variant of a house term → the preferred wording (safe fix unless `safe: false`)",
    "banned": "a term to avoid; no automatic fix",
    "occurrence": "a term allowed at most `max` times; later occurrences are flagged",
    "required": "terms the text must name (`require: all` or `any`); one violation per missing term",
    "metric": "a measure against a limit: `chars_utf16`, `words`, `hashtags`, `hook`, `markdown` (fix to plain text), "
    "`ending` (a question or one of `terms`)",
    "typography": "French typography: `space-before`, `nbsp`, `guillemets`, `ellipsis`, `apostrophe`",
    "repetition": "the same said twice: `sentences` (two sentences or list items whose word `n`-grams overlap by "
    "`threshold` of the shorter one's) or `phrase` (a group of words repeated back to back)",
    "script": "letters outside the Latin script (a model switching language mid-word)",
    "cut": "a paragraph, list item or heading that stops on « … », on one of `endings`, or on « : » with nothing after",
    "cta": "the brief's call to action (`--cta`, frontmatter `cta`) written more than `max` times, fuzzy (`threshold` "
    "of its words in order)",
    "length": "the word count outside `band` (±share) of the requested words (`--words`, frontmatter `words`)",
    "leak": "a run of `min_words` words or more copied from the prompt's instructions (the job's, else the house's "
    "reader, tone, avoid, format guidance, voice) and not from the author's material (notes, house wording, facts)",
}


def scope_label(rule: Any) -> str:
    audiences = ", ".join(rule.scope.audiences) or "toutes"
    formats = ", ".join(rule.scope.formats) or "tous"
    return f"audiences : {audiences} ; formats : {formats}"


def rule_detail(rule: Any) -> str:
    """What the rule looks for, in one line."""
    kind = rule.kind
    if kind in ("substitution", "banned", "occurrence"):
        parts = [", ".join(f"« {t} »" for t in rule.terms)]
        if rule.regex:
            parts.append(f"{len(rule.regex)} regex")
        text = " + ".join(p for p in parts if p)
        if kind == "substitution":
            text += f" → « {rule.fix} »" + ("" if rule.safe else " (correction manuelle)")
        if kind == "occurrence":
            text += f" ≤ {rule.max} fois"
        if rule.exceptions:
            text += " ; sauf " + ", ".join(f"« {t} »" for t in rule.exceptions)
        return text
    if kind == "required":
        return f"{rule.require} : " + ", ".join(f"« {t} »" for t in rule.terms)
    if kind == "metric":
        limits = [f"max {rule.max}" if rule.max is not None else "", f"min {rule.min}" if rule.min is not None else ""]
        extra = f" ({rule.device})" if rule.measure == "hook" else ""
        return f"{rule.measure}{extra} " + " ".join(x for x in limits if x)
    if kind == "repetition":
        if rule.check == "phrase":
            return "phrase : un groupe de mots répété à la suite" + (
                " ; sauf " + ", ".join(f"« {w} »" for w in rule.allow) if rule.allow else "")
        return f"sentences : {rule.n}-grammes communs ≥ {round(rule.threshold * 100)} % ; phrases de {rule.min_words} mots et plus"
    if kind == "script":
        return "lettres hors de l’alphabet latin"
    if kind == "cut":
        return "« … », « : » sans suite, ou un de : " + ", ".join(rule.endings)
    if kind == "cta":
        return f"l’appel à l’action du brief ≤ {rule.max} fois (≥ {round(rule.threshold * 100)} % de ses mots, dans l’ordre)"
    if kind == "length":
        return f"mots demandés ± {round(rule.band * 100)} %"
    if kind == "leak":
        return f"{rule.min_words} mots ou plus recopiés de la consigne"
    return rule.check


def rules_markdown(house: House) -> str:
    """docs/rules.md: every rule of the house file, grouped by kind."""
    out = [
        "# Plume lint rules",
        "",
        "Generated from `prompts/house.yaml` by `plume rules --markdown > docs/rules.md`; edit the house file,",
        "not this page. Rules are data (the house file); rule kinds are code (`src/plume/lint/kinds.py`).",
        "",
        "## How matching works",
        "",
        "- Terms match their real variants: case (unless `case_sensitive: true`); accents (a term's accented letters",
        "  match with or without their accent: \"Eclaireur\" for \"Éclaireur\", \"oe\" for \"œ\"); space / hyphen /",
        "  nothing between words (\"part time\", \"part-time\", \"parttime\"); a plural -s/-x on words of three letters",
        "  or more (`fix_plural` is then used); straight or curly apostrophes. `regex:` entries are raw patterns matched",
        "  against the lower-cased text (unless `case_sensitive: true`); `exceptions:` are terms whose matches",
        "  contain a match that must not count (\"Chief of Staff interne\").",
        "- A mention is not a use: a term inside short italics (`_x_`, `*x*`, at most 12 words; a longer italic run",
        "  is emphasis and is linted), quotes (« », “ ”, \" \") or inline code does not trigger term rules",
        "  (substitution, banned, occurrence).",
        "- Never linted: YAML frontmatter, fenced and inline code, HTML comments and tags, URLs, e-mail addresses,",
        "  link targets `[text](target)`, `[[wikilink]]` targets (the alias of `[[target|alias]]` is linted),",
        "  Obsidian comments `%%…%%`, template syntax (`{{date}}`, `{% … %}`, `<% … %>`).",
        "- Silenced in a file: `<!-- plume off -->` … `<!-- plume on -->` (or the end of the file), and the paragraph",
        "  after `<!-- plume ignore rule-id … -->` for those rules (every rule without an id). Selection:",
        "  `plume lint --select/--ignore/--min-severity`, plume.toml `[lint]` and `[lint.per-folder.\"FOLDER\"]`.",
        "- Scope: a rule listing audiences (formats) runs only when the audience (format) is known and listed;",
        "  `plume lint` takes them from `--audience`/`--format` or the file's frontmatter (`audience:`, `format:`).",
        "- Fixes: only `safe` fixes apply with `--fix`, right to left, overlapping edits skipped, then the text is",
        "  linted again until nothing changes (at most 10 passes). A second `--fix` changes nothing. Case is carried",
        "  over (\"Part time\" → \"Temps partagé\", \"PART TIME\" → \"TEMPS PARTAGÉ\"); proper names keep theirs.",
        "- `plume lint` keeps the compiled rules in `$PLUME_CACHE_DIR/lint/` (rebuilt when the house file changes).",
        "- LinkedIn's \"…voir plus\" cut: "
        + ", ".join(f"{device} {chars} characters or {lines} lines" for device, (chars, lines) in CUTS.items())
        + ", whichever comes first; a blank line counts as a line (`plume.lint.linkedin_cut`).",
        "",
        "## Rule kinds",
        "",
        "| kind | what it does |",
        "|---|---|",
        *(f"| `{k}` | {v} |" for k, v in KIND_DOC.items()),
        "",
        "## Rules",
        "",
        "| id | kind | severity | scope | looks for | message |",
        "|---|---|---|---|---|---|",
    ]
    from plume.lint.plan import rules_of

    rules = rules_of(house)
    for rule in rules:
        cells = [f"`{rule.id}`", rule.kind, rule.severity, scope_label(rule), rule_detail(rule), rule.message]
        out.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    described = [r for r in rules if r.description]
    if described:
        out += ["", "## Why (from the notes)", ""]
        out += [f"- `{r.id}`: {r.description.strip()}" for r in described]
    return "\n".join(out) + "\n"
