"""House terms → regular expressions that catch their real variants, fast.

A term such as "part time" or "Chief of Staff externe" matches:
* regardless of case (unless the rule is case-sensitive): case-insensitive terms are matched against the
  lower-cased text, so patterns stay plain literals that Python's regex engine can scan for quickly;
* with or without its accents ("Eclaireur", "ECLAIREUR" for "Éclaireur"; "oe" for "œ");
* whatever separates its words: space, hyphen, nothing ("part time", "part-time", "parttime");
* with a plural -s/-x on any word of three letters or more ("Chiefs of Staff externes");
* with straight or curly apostrophes.
The plural of the last word is captured so a fix can use the plural wording.

Every term compiles to its own regex starting with a literal (the word-boundary check comes right after
it, as a lookbehind), and the matches of a rule's terms are merged, longest first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from itertools import compress, repeat

_SEPARATOR = r"[\s\-\u2010\u2011\u2013]*"
_TOKEN = re.compile(r"(\w+)|([\s\-\u2010\u2011\u2013]+)|(.)", re.S)


def _accent_class(ch: str, case_sensitive: bool) -> str | None:
    """A class for an accented letter (accent optional in the text); None for a plain character."""
    if ch in "œŒ":
        return "(?:œ|oe)" if ch == "œ" else "(?:Œ|OE|Oe)"
    base = unicodedata.normalize("NFD", ch)[0]
    if base == ch or not base.isalpha():
        return None
    variants = {ch, base}
    if not case_sensitive:
        return f"[{''.join(sorted(variants))}]"
    return f"[{''.join(sorted(variants | {c.upper() for c in variants} if ch.isupper() else variants))}]"


def _word(word: str, case_sensitive: bool, plural_group: str | None) -> list[str]:
    units = [_accent_class(c, case_sensitive) or re.escape(c) for c in word]
    if len(word) >= 3 and word[-1].lower() not in "sx" and not word.isdigit():
        units.append(f"(?P<{plural_group}>[sx])?" if plural_group else "[sx]?")
    return units


def term_pattern(term: str, case_sensitive: bool = False, plural_group: str | None = None) -> str:
    """The regex source for one house term, to run on the lower-cased text (unless case-sensitive)."""
    term = term.strip() if case_sensitive else term.strip().lower()
    tokens = list(_TOKEN.finditer(term))
    words = [i for i, m in enumerate(tokens) if m.group(1)]
    last_word = words[-1] if words else -1
    units: list[str] = []
    for i, m in enumerate(tokens):
        word, sep, other = m.groups()
        if word:
            units.extend(_word(word, case_sensitive, plural_group if i == last_word else None))
        elif sep:
            units.append(_SEPARATOR)
        elif other in "'’":
            units.append("['’]")
        else:
            units.append(re.escape(other))
    if term[:1].isalnum() or term[:1] == "_":
        # word boundary on the left, checked after the leading literal so the scan stays a fast search
        prefix = 0
        while prefix < len(units) and len(units[prefix]) <= 2 and not units[prefix].startswith(("[", "(")):
            prefix += 1
        if prefix:
            units.insert(prefix, f"(?<!\\w{''.join(units[:prefix])})")
        elif units[0].startswith("["):  # an accented first letter: check after its class
            units.insert(1, f"(?<!\\w{units[0]})")
        else:
            units.insert(0, r"(?<!\w)")
    source = "".join(units)
    if term[-1:].isalnum() or term[-1:] == "_":
        source += r"(?!\w)"
    return source


def needles(term: str, case_sensitive: bool = False) -> tuple[str, ...]:
    """Substrings any match of the term contains, longest first, so that a text lacking one of them is
    skipped by substring tests (much faster than a regex scan): the longest run of plain characters
    inside each word. Unless case-sensitive they are looked up in the text's distinct words, one space
    apart (Context.contains), so they also say where a word starts and ends: the first word's plain
    start as " start" (a term begins a word), and a single plain word without a plural as " word "."""
    term = term.strip() if case_sensitive else term.strip().lower()
    words = re.findall(r"\w+", term)
    found: list[str] = []
    for word in words:
        runs = re.split(r"[^\x00-\x7f]", word)  # accented letters are optional in the text
        best = max(runs, key=len)
        if best and best not in found:
            found.append(best)
    if not case_sensitive and words and term[:1] == words[0][:1]:  # the term starts with its first word
        first = words[0]
        start = re.match(r"[\x00-\x7f]*", first).group()
        if len(words) == 1 and start == first == term and (len(first) < 3 or first[-1] in "sx" or first.isdigit()):
            found = [f" {first} "]  # the whole word, no plural: exactly one of the text's words
        elif len(start) >= 2:
            found = [key for key in found if key != start] + [f" {start}"]
    return tuple(sorted(found, key=len, reverse=True))


def regex_needles(source: str, case_sensitive: bool = False) -> tuple[str, ...]:
    """Substrings every match of a raw regex contains, longest first: the word pieces of the literal
    characters it always consumes (outside alternations, optional parts and lookarounds; inside plain
    groups and repeats of at least one). Looked up like a term's needles (Context.contains), so a rule's
    regex is not run on a text that lacks one. () when the regex holds no such literal, or when it cannot
    be read (sre's parser is private: any change there only costs speed)."""
    try:
        from re import _parser as sre

        tree = sre.parse(source)
    except Exception:  # noqa: BLE001 - an unreadable pattern just gets no needles
        return ()
    if tree.state.flags & re.IGNORECASE:  # (?i): its literals need not be in the text as written
        return ()
    runs: list[str] = []
    current: list[str] = []

    def walk(items) -> None:
        for op, arg in items:
            if op is sre.LITERAL:
                current.append(chr(arg))
                continue
            if op is sre.SUBPATTERN and not arg[1] and not arg[2]:  # a group with no flags of its own
                walk(arg[3])
                continue
            if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[0] >= 1:
                close()
                walk(arg[2])  # its first time round
            close()

    def close() -> None:
        if current:
            runs.append("".join(current))
            current.clear()

    walk(tree.data)
    close()
    found: list[str] = []
    for run in runs:
        for piece in re.findall(r"\w+", run if case_sensitive else lower_same_length(run)):
            if piece not in found:
                found.append(piece)
    return tuple(sorted(found, key=len, reverse=True))


class TermMatcher:
    """The terms (and raw regexes) of one rule: (needles, regex source) pairs, compiled on first use.
    A pattern one of whose needles (none for a raw regex) is absent from the text is never compiled
    nor run."""

    __slots__ = ("sources", "case_sensitive", "_compiled", "_needles")

    def __init__(self, sources: tuple[tuple[tuple[str, ...], str], ...], case_sensitive: bool):
        self.sources = sources
        self.case_sensitive = case_sensitive
        self._compiled: list[re.Pattern[str] | None] = [None] * len(sources)
        self._needles = [keys for keys, _ in sources]

    def __getstate__(self):
        return (self.sources, self.case_sensitive)

    def __setstate__(self, state):
        self.__init__(*state)

    def gate(self) -> tuple[str, ...] | None:
        """One needle of each pattern: a text holding none of them has no match (so a rule can be
        skipped before any call); None when a pattern has no needle (a raw regex that is always run)."""
        if not all(self._needles):
            return None
        return tuple(dict.fromkeys(keys[0] for keys in self._needles))

    def _pattern(self, i: int) -> re.Pattern[str]:
        pattern = self._compiled[i]
        if pattern is None:
            pattern = self._compiled[i] = re.compile(self.sources[i][1], re.S)
        return pattern

    def finditer(
        self,
        text: str,
        lower: str,
        pos: int,
        contains: Callable[[str], bool],
        endpos: int | None = None,
        text_contains: Callable[[str], bool] | None = None,
    ) -> Iterator[re.Match[str]]:
        """Non-overlapping matches in text[pos:endpos], in text order (longest first at one position).
        Matches are on `lower` (the lower-cased text, same offsets) unless the rule is case-sensitive.
        `contains`: whether the words of lower[pos:] hold a needle (Context.contains); `text_contains`:
        whether the text holds one (a case-sensitive rule's needles; Context.text_contains)."""
        subject = text if self.case_sensitive else lower
        if self.case_sensitive:  # its needles keep their case: looked up in the text itself
            contains = text_contains or text.__contains__
        stop = len(subject) if endpos is None else endpos
        # the patterns whose needles are all there, picked in C (most rules have none)
        live = compress(range(len(self.sources)), map(all, map(map, repeat(contains), self._needles)))
        found = [m for i in live for m in self._pattern(i).finditer(subject, pos, stop) if m.end() > m.start()]
        if len(found) < 2:
            yield from found
            return
        found.sort(key=lambda m: (m.start(), -m.end()))
        end = -1
        for m in found:
            if m.start() >= end:
                end = m.end()
                yield m


def compile_terms(
    terms: list[str], regex: list[str] = (), case_sensitive: bool = False, plural: bool = False
) -> TermMatcher | None:
    """A matcher over every term and raw regex (raw ones see the lower-cased text unless case-sensitive);
    None when both lists are empty."""
    sources = [(needles(t, case_sensitive), term_pattern(t, case_sensitive, "pl" if plural else None)) for t in terms]
    sources.extend((regex_needles(r, case_sensitive), r) for r in regex)
    return TermMatcher(tuple(sources), case_sensitive) if sources else None


def is_plural(match: re.Match[str]) -> bool:
    """Did the last word of the matched term carry a plural -s/-x?"""
    return bool(match.re.groupindex.get("pl") and match.group("pl"))


def lower_same_length(text: str) -> str:
    """text.lower(), with the rare characters whose lower case is longer (İ) left as they are."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def match_case(found: str, replacement: str) -> str:
    """Carry the case of the found text over to the replacement, sensibly.

    ALL CAPS stays all caps; a capitalised start stays capitalised; a replacement that is a proper
    name (has capitals of its own) keeps its own case.
    """
    letters = [c for c in found if c.isalpha()]
    if len(letters) > 3 and all(c.isupper() for c in letters) and not any(c.isupper() for c in replacement):
        return replacement.upper()
    if found[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement
