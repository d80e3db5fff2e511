"""House terms → regular expressions that catch their real variants.

A term such as "part time" or "Chief of Staff externe" matches regardless of case (unless the rule is
case-sensitive), accents ("Eclaireur" / "Éclaireur"), the separator between words (space, hyphen, none:
"part time", "part-time", "parttime"), a plural -s/-x on words of three letters or more, and straight or
curly apostrophes. The plural of the last word is captured so a fix can use the plural wording.
"""

from __future__ import annotations

import re
import unicodedata

_FAMILIES = {
    "a": "aàâä",
    "e": "eéèêë",
    "i": "iîï",
    "o": "oôö",
    "u": "uùûü",
    "c": "cç",
    "y": "yÿ",
}
_SEPARATOR = r"[\s\-\u2010\u2011\u2013]*"
_TOKEN = re.compile(r"(\w+)|([\s\-\u2010\u2011\u2013]+)|(.)", re.S)


def _base(ch: str) -> str:
    return unicodedata.normalize("NFD", ch)[0]


def _char(ch: str, case_sensitive: bool) -> str:
    if ch == "œ":
        return "(?:œ|oe)"
    if ch == "Œ":
        return "(?:Œ|OE|Oe)"
    base = _base(ch.lower())
    family = _FAMILIES.get(base)
    if family is None:
        return re.escape(ch)
    if case_sensitive and ch.isupper():
        family = family.upper()
    return f"[{family}]"


def _word(word: str, case_sensitive: bool, plural_group: str | None) -> str:
    body = "".join(_char(c, case_sensitive) for c in word)
    if len(word) >= 3 and word[-1].lower() not in "sx" and not word.isdigit():
        if plural_group:
            return f"{body}(?P<{plural_group}>[sx])?"
        return f"{body}[sx]?"
    return body


def term_pattern(term: str, case_sensitive: bool = False, plural_group: str | None = None) -> str:
    """The regex source for one house term (without flags)."""
    tokens = [m for m in _TOKEN.finditer(term.strip())]
    words = [i for i, m in enumerate(tokens) if m.group(1)]
    last_word = words[-1] if words else -1
    out = []
    for i, m in enumerate(tokens):
        word, sep, other = m.groups()
        if word:
            out.append(_word(word, case_sensitive, plural_group if i == last_word else None))
        elif sep:
            out.append(_SEPARATOR)
        elif other in "'’":
            out.append("['’]")
        else:
            out.append(re.escape(other))
    source = "".join(out)
    head = r"(?<!\w)" if term.strip()[:1].isalnum() else ""
    tail = r"(?!\w)" if term.strip()[-1:].isalnum() else ""
    return f"{head}{source}{tail}"


def compile_terms(
    terms: list[str], regex: list[str] = (), case_sensitive: bool = False, plural: bool = False
) -> re.Pattern[str] | None:
    """One alternation over every term (longest first) and raw regexes; None when both are empty."""
    parts = []
    for n, term in enumerate(sorted(terms, key=len, reverse=True)):
        parts.append(term_pattern(term, case_sensitive, f"pl{n}" if plural else None))
    parts.extend(regex)
    if not parts:
        return None
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile("|".join(f"(?:{p})" for p in parts), flags)


def is_plural(match: re.Match[str]) -> bool:
    """Did the last word of the matched term carry a plural -s/-x?"""
    return any(v for k, v in match.groupdict().items() if k.startswith("pl"))


def match_case(found: str, replacement: str) -> str:
    """Carry the case of the found text over to the replacement, sensibly.

    ALL CAPS stays all caps; a capitalised start stays capitalised; a replacement that is a proper
    name (starts with a capital) keeps its own case.
    """
    letters = [c for c in found if c.isalpha()]
    if len(letters) > 3 and all(c.isupper() for c in letters) and any(c.islower() for c in replacement):
        if not any(c.isupper() for c in replacement):
            return replacement.upper()
    if found[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement
