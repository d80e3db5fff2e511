"""The one reader of Markdown in Plume: frontmatter, wikilinks, what a reader sees, and words.

The linter (its masks in plume.lint.markdown build on this), the corpus, eval, the prompts, the preview
and rewrite all read notes and copy through these functions, so they agree on where the body starts,
what the metadata says, what a `[[wikilink]]` is and what counts as a word.

Light on purpose (only `re` at import): `plume lint` starts through it. PyYAML is imported only for a
frontmatter that is more than plain `key: text` lines.
"""

from __future__ import annotations

import re
from typing import Any

from plume.errors import InputError


class FrontmatterError(InputError):
    """A frontmatter that cannot be read: `reason` is the message without the file name."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.reason = reason

# YAML frontmatter: `---` on the first line (a BOM allowed), closed by `---` or `...`.
FRONTMATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?:.*?\r?\n)??(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
# [[target]], [[target#section]], [[target|alias]], [[target#section|alias]] (Obsidian's syntax).
WIKILINK = re.compile(r"\[\[(?P<target>[^\[\]|#\n]+)(?:#(?P<section>[^\[\]|\n]*))?(?:\|(?P<alias>[^\[\]\n]*))?\]\]")
# Word tokens for a lexicon (a URL, `l’équipe`, `pensez-vous`, a number like `3,5`: one token each).
WORD = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]«»\"]+|[^\W\d_][\w’'-]*|\d+(?:[.,]\d+)*")
# A whitespace-separated token with no letter or digit: punctuation alone (French puts a space before
# « ? ! : ; »), a dash, a list bullet, an arrow, an emoji. Not a word. (Possessive `++`: a shorter run
# is followed by another such character, never by a space, so giving some back cannot match; without
# the backtracking states the scan takes ≈ 29 µs for a 3,000-character post instead of ≈ 35.)
_BARE = re.compile(r"\s(?:[^\w\s]|_)++(?=\s|\Z)")
_ORDERED_ITEM = re.compile(r"\n[ \t]*\d{1,3}[.)][ \t]")  # "1. " opens a list item: no word
_WIKI_TARGET = re.compile(r"\[\[[^\[\]|\n]*\|(?=[^\[\]\n]*\]\])")
_LINK_TARGET = re.compile(r"\]\([^()\s]*(?:\([^()\s]*\))*[^()\s]*(?:\s+\"[^\"\n]*\")?\)")


def has(text: str, marker: str) -> bool:
    """`marker in text`, its characters tested first: a one-character test is a memchr, about twenty
    times faster than a search for a longer marker, and a marker's characters are mostly absent."""
    for ch in marker:
        if ch not in text:
            return False
    return marker in text


# --- frontmatter -----------------------------------------------------------------------------------


def body_start(text: str) -> int:
    """Offset of the first character after the YAML frontmatter (0 when there is none)."""
    if not text.startswith(("---", "\ufeff---")):
        return 0
    m = FRONTMATTER.match(text)
    return m.end() if m else 0


def split_frontmatter(text: str) -> tuple[str, str]:
    """(frontmatter block including its `---` lines, body)."""
    start = body_start(text)
    return text[:start], text[start:]


_LINE = re.compile(r"([A-Za-z_][\w-]*):(?:[ \t]+(.*?))?[ \t]*")
_PLAIN = re.compile(r"""(?:"([^"\\]*)"|'([^']*)'|([^\s"'\[\]{}|>&*!%@`#,?:\-][^#]*?))(?:[ \t]+#.*)?""")
# Plain scalars PyYAML would not read as a string (numbers, dates, booleans, null…): PyYAML decides.
_TYPED = re.compile(r"[-+.\d~=<]|(?:[yYnN]|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
                    r"|null|Null|NULL)\Z")


_TEMPLATE_VALUE = re.compile(r"(?:[^{}<>]*(?:\{\{[^{}]*\}\}|<%[^%]*%>))+[^{}<>]*")


def read_frontmatter(text: str, name: str = "<text>") -> tuple[dict[str, Any], int]:
    """(metadata, offset where the body starts): the one frontmatter reader. No frontmatter: ({}, 0).

    Plain `key: text` lines are read directly (what Plume writes and most notes have: no YAML parser to
    import), a template placeholder (`date: {{date}}`, `<% tp.date.now() %>`) is kept as text; anything
    else goes through PyYAML. Broken YAML or a frontmatter that is not a mapping:
    InputError naming `name` and the line."""
    start = body_start(text)
    if not start:
        return {}, 0
    lines = text[:start].lstrip("\ufeff").splitlines()[1:-1]  # between the --- lines
    meta: dict[str, Any] = {}
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.fullmatch(line)
        value = m and m.group(2)
        if value and _TEMPLATE_VALUE.fullmatch(value):  # `date: {{date}}` in a template note: text
            meta[m.group(1)] = value
            continue
        if not m or _TYPED.match(m.group(1)) or ": " in (value or "") or (value and _TYPED.match(value)):
            return _yaml(lines, name), start
        if value is None:
            meta[m.group(1)] = None
            continue
        scalar = _PLAIN.fullmatch(value)
        if not scalar:
            return _yaml(lines, name), start
        meta[m.group(1)] = next(g for g in scalar.groups() if g is not None).strip()
    return meta, start


def _yaml(lines: list[str], name: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""  # + the opening --- line, 1-based
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontmatterError(name, f"invalid YAML frontmatter{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontmatterError(name, "the frontmatter must be a YAML mapping (key: value lines)")
    return data


# --- what a reader sees ----------------------------------------------------------------------------

_HIDDEN = re.compile(r"<!--.*?-->|%%.*?%%|^[ \t]{0,3}(?:`{3,}|~{3,})[^\n]*$", re.S | re.M)
_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\s]*(?:\([^()\s]*\))*[^()\s]*(?:\s+\"[^\"\n]*\")?\)")
_LINE_MARKUP = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|(?:[-*+•→]|\d+[.)])[ \t]+|(?:[-*_][ \t]*){3,}$)", re.M)
_INLINE_MARKUP = re.compile(r"\*\*|__|`+|(?<![\w\\])[*_](?=\S)|(?<=\S)[*_](?!\w)")


def plain_text(text: str) -> str:
    """The text as a reader sees it: frontmatter, HTML and Obsidian comments and the fence lines of code
    blocks gone (their code is kept), `[label](url)` as its label, `[[target|alias]]` as its alias (else
    its target), heading, quote and list markers, rulers and emphasis marks removed; characters and
    line breaks otherwise kept."""
    text = text[body_start(text):]
    if has(text, "<!--") or has(text, "%%") or has(text, "```") or has(text, "~~~"):
        text = _HIDDEN.sub("", text)
    if has(text, "[["):
        text = WIKILINK.sub(lambda m: (m.group("alias") or m.group("target")).strip(), text)
    if has(text, "]("):
        text = _LINK.sub(lambda m: m.group(1), text)
    text = _LINE_MARKUP.sub("", text)
    return _INLINE_MARKUP.sub("", text)


def count_words(text: str) -> int:
    """Words as a reader counts them: the one word counter (the linter's word limits, the corpus profile,
    eval's lengths). A word is a whitespace-separated token of what the reader sees that holds a letter
    or a digit: `l’équipe`, `pensez-vous`, `30`, `#PME`, `**gras**`, a URL count one each; « ? », « — »,
    a bullet, a `1.` list marker, an emoji count none; frontmatter, comments, fence lines and link targets are left out, a
    `[[target|alias]]` counts as its alias. (As fast as `str.split`: it runs on every linted post.)"""
    text = text[body_start(text):]
    if has(text, "<!--") or has(text, "%%") or has(text, "```") or has(text, "~~~"):
        text = _HIDDEN.sub(" ", text)
    if has(text, "[["):
        text = _WIKI_TARGET.sub("", text)  # [[target|alias]] reads as its alias
    if has(text, "]("):
        text = _LINK_TARGET.sub("]", text)  # [label](url) reads as its label
    text = "\n" + text
    return len(text.split()) - len(_BARE.findall(text)) - len(_ORDERED_ITEM.findall(text))


def wikilinks(text: str) -> list[str]:
    """Targets of [[target]], [[target|alias]] and [[target#section]], in order, without duplicates."""
    return list(dict.fromkeys(m.group("target").strip() for m in WIKILINK.finditer(text)))
