"""French grammar and spelling from Grammalecte, as Plume violations (`grammaire`, `orthographe`).

The text Grammalecte sees is the linted text with everything that is not prose replaced by spaces of
the same length (frontmatter, code, URLs, link and wikilink targets, Markdown markup: `**`, `###`,
list markers…), so its offsets are the text's own. Its typography options that Plume's own
typography rules cover (apostrophes, non-breaking spaces, ellipsis, guillemets, extra spaces) are
turned off: one problem, one violation.

The house's words (plume.lint.lexicon) are not misspellings; each word of a hashtag is spell-checked
(`#SoutienDirection` → soutien, direction) and a hashtag with `_` is reported. Findings inside the
author's own sentences (the house file's dimensions, pains, benefits, offers) or an accepted phrase of
prompts/grammar.yaml are dropped, as are the rule ids it silences. Grammalecte's suggestions become
fixes that are never safe (`--fix` leaves them alone). The rule id Grammalecte used is kept in
`Violation.source_rule`.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from plume.lint.violation import Violation

if TYPE_CHECKING:
    from plume.lint.grammalecte import Finding
    from plume.lint.context import Context
    from plume.lint.lexicon import Lexicon
    from plume.lint.target import Target

NAME = "grammalecte"
GRAMMAR_RULE = "grammaire"
SPELLING_RULE = "orthographe"
HASHTAG_RULE = "plume-mot-diese"  # source_rule of a hashtag written with "_"
MAX_SUGGESTIONS = 3

# Grammalecte options Plume's typography rules already cover, or that masking would trip.
OPTIONS = {"apos": False, "nbsp": False, "esp": False, "tab": False, "typo": False, "unit": False, "num": False}

_MARKUP = re.compile(
    r"^[ \t]{0,3}#{1,6}(?=[ \t])"  # ATX heading marks
    r"|^[ \t]*>[> \t]*"  # block quotes
    r"|^[ \t]*(?:[-*+]|\d{1,3}[.)])(?=[ \t])"  # list markers
    r"|^[ \t]{0,3}(?:[-*_][ \t]*){3,}$"  # thematic breaks
    r"|\*+|~~|(?<!\w)_+|_+(?!\w)|[\[\]|]",  # emphasis, strike-through, link brackets, table pipes
    re.M,
)
_NOT_NEWLINE = re.compile(r"[^\n]")
_HASHTAG = re.compile(r"(?<![\w&/#])#(\w[\w-]*)")
_TAG_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ]{2,}(?![a-zà-öø-ÿ])|[A-ZÀ-ÖØ-Þ]?[a-zà-öø-ÿ]+|[A-ZÀ-ÖØ-Þ]")


def mask(ctx: Context) -> str:
    """The text with all that is not prose blanked out (same length, newlines kept)."""
    text = ctx.text
    spans = list(ctx.never)
    spans.extend(m.span() for m in _MARKUP.finditer(text, ctx.start))
    if not spans:
        return text.replace("\r", " ")
    spans.sort()
    out, pos = [], 0
    for start, end in spans:
        if end <= pos:
            continue
        start = max(start, pos)
        out.append(text[pos:start])
        out.append(_NOT_NEWLINE.sub(" ", text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out).replace("\r", " ")


def hashtag_words(masked: str, lexicon: Lexicon | None = None) -> list[tuple[int, int, str, str]]:
    """(start, end, word, hashtag) for each word of each hashtag of the masked text."""
    out = []
    for m in _HASHTAG.finditer(masked):
        tag = m.group()
        if lexicon is not None and lexicon.knows(m.group(1)):  # #LinkedIn, #PME: a house word
            continue
        for w in _TAG_WORD.finditer(m.group(1)):
            word = w.group()
            if len(word) > 1 and not word.isupper():
                word = word.lower()
            out.append((m.start(1) + w.start(), m.start(1) + w.end(), word, tag))
    return out


def _camel(tag: str) -> str:
    parts = [p for p in re.split(r"[_-]+", tag.lstrip("#")) if p]
    return "#" + "".join(p[:1].upper() + p[1:] for p in parts)


class GrammalecteChecker:
    """The `grammalecte` checker of the lint seam (plume.lint.sources.Checker)."""

    name = NAME
    rule_ids = (GRAMMAR_RULE, SPELLING_RULE)  # what --select/--ignore may name (plume.lint.selection)

    def __init__(self, house_dir: Path | None = None, suggestions: bool = True):
        self.house_dir = house_dir
        self.suggestions = suggestions  # ask Grammalecte for spelling suggestions (one request a new word)
        from plume.lint.grammalecte import shared_server  # the client (sockets, processes) when a checker is made

        self._server = shared_server(OPTIONS)
        self._lock = threading.Lock()

    @property
    def server(self):
        return self._server

    def lexicon(self) -> Lexicon:
        from plume.lint.lexicon import load_lexicon  # on the first check: --no-grammar never loads it

        return load_lexicon(self.house_dir)

    def status(self) -> str | None:
        """None when Grammalecte runs (started on first use), else why not, one line."""
        return self._server.unavailable()

    # -- requests ----------------------------------------------------------------------------------
    def _request(self, ctx: Context, lexicon: Lexicon) -> tuple[str, str, list[tuple[int, int, int, str, str]]]:
        """(masked text, text sent, hashtag words sent: (offset in sent text, start, end, word, tag))."""
        masked = mask(ctx)
        sent_words = []
        line = []
        base = len(masked) + 1
        pos = 0
        for start, end, word, tag in hashtag_words(masked, lexicon):
            if len(word) < 2 or lexicon.knows(word) or not word.isalpha():
                continue
            sent_words.append((base + pos, start, end, word, tag))
            line.append(word)
            pos += len(word) + 1
        sent = masked + ("\n" + " ".join(line) if line else "")
        return masked, sent, sent_words

    def prefetch(self, texts: list[str]) -> None:
        """Check several texts in one request (best-of-N candidates); `check` then answers from cache."""
        from plume.lint.context import Context

        lexicon = self.lexicon()
        self._server.check_many([self._request(Context(t), lexicon)[1] for t in texts])

    def check(self, ctx: Context, target: Target) -> list[Violation]:
        lexicon = self.lexicon()
        masked, sent, tag_words = self._request(ctx, lexicon)
        findings = self._server.check(sent)
        protected = lexicon.protected(masked) if any(f.start < len(masked) for f in findings) else []
        out: list[Violation] = []
        limit = len(masked)
        for f in findings:
            if f.start >= limit:  # a hashtag word
                if f.kind == "spelling":
                    out.extend(self._hashtag_word(ctx, f, tag_words, lexicon))
                continue
            if _inside(f.start, protected):
                continue
            if f.kind == "grammar":
                if f.rule in lexicon.ignore_rules:
                    continue
                out.append(self._grammar(ctx, f, lexicon))
            elif not lexicon.knows(f.value):
                out.append(self._spelling(ctx, f.start, f.end, f.value, lexicon))
        out.extend(self._underscored(ctx, masked, lexicon))
        return out

    # -- violations --------------------------------------------------------------------------------
    def _make(self, ctx: Context, rule: str, start: int, end: int, message: str, fix: str | None,
              source_rule: str, lexicon: Lexicon) -> Violation:
        line, column = ctx.position(start)
        return Violation(rule, lexicon.severity[rule], start, end, line, column, ctx.text[start:end], message,
                         fix, False, source_rule)

    def _grammar(self, ctx: Context, f: Finding, lexicon: Lexicon) -> Violation:
        message = f.message.strip()
        sugg = [s for s in f.suggestions if s]
        if len(sugg) > 1:
            message += " Suggestions : " + ", ".join(f"« {s} »" for s in sugg[:MAX_SUGGESTIONS]) + "."
        elif sugg:
            message += f" Suggestion : « {sugg[0]} »."
        return self._make(ctx, GRAMMAR_RULE, f.start, f.end, message, sugg[0] if sugg else None,
                          f.rule or f.type, lexicon)

    def _spelling(self, ctx: Context, start: int, end: int, word: str, lexicon: Lexicon,
                  tag: str | None = None) -> Violation:
        sugg: list[str] = []
        if self.suggestions:
            from plume.lint.grammalecte import GrammalecteError

            try:
                sugg = [s for s in self._server.suggest(word) if s][:MAX_SUGGESTIONS]
            except GrammalecteError:
                pass
        where = f" dans le mot-dièse « {tag} »" if tag else ""
        message = f"Mot inconnu{where} : « {word} »."
        if sugg:
            message += " Suggestions : " + ", ".join(f"« {s} »" for s in sugg) + "."
        message += " Un mot de la maison ? Ajoutez-le à prompts/words.txt."
        fix = sugg[0] if sugg else None
        if fix is not None and tag is not None and ctx.text[start:end][:1].isupper():
            fix = fix[:1].upper() + fix[1:]
        return self._make(ctx, SPELLING_RULE, start, end, message, fix, "grammalecte-orthographe", lexicon)

    def _hashtag_word(self, ctx, f: Finding, tag_words, lexicon: Lexicon) -> list[Violation]:
        for offset, start, end, word, tag in tag_words:
            if offset <= f.start < offset + len(word):
                return [self._spelling(ctx, start, end, word, lexicon, tag)]
        return []

    def _underscored(self, ctx: Context, masked: str, lexicon: Lexicon) -> list[Violation]:
        out = []
        if "#" not in masked:
            return out
        for m in _HASHTAG.finditer(masked):
            tag = m.group()
            if "_" in tag:
                fix = _camel(tag)
                message = (f"Mot-dièse « {tag} » : pas de tiret bas dans un hashtag, LinkedIn le coupe mal ; "
                           f"écrivez « {fix} ».")
                out.append(self._make(ctx, SPELLING_RULE, m.start(), m.end(), message, fix, HASHTAG_RULE, lexicon))
        return out


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= offset < e for s, e in spans)


_checker: GrammalecteChecker | None = None
_checker_lock = threading.Lock()


def grammalecte_checker(house_dir: Path | None = None) -> GrammalecteChecker:
    """The process's Grammalecte checker (one server; `house_dir` selects the house folder's lexicon)."""
    global _checker
    if house_dir is not None:
        return GrammalecteChecker(house_dir)
    with _checker_lock:
        if _checker is None:
            _checker = GrammalecteChecker()
        return _checker


def warm_up() -> None:
    """Start Grammalecte in the background now (plume lint: while the house rules load and run)."""
    grammalecte_checker().server.warm_up()


def grammar_state(start: bool = False) -> dict:
    """Grammalecte's state for `plume backend`: the executable found, and (start=True) whether it answers."""
    from plume.lint.grammalecte import INSTALL, find_executable

    executable = find_executable()
    state = {"checker": NAME, "executable": executable, "install": INSTALL, "ready": None, "detail": None}
    if executable is None:
        state["detail"] = f"not installed: grammar and spelling are not checked ({INSTALL})"
    elif start:
        began = time.monotonic()
        reason = grammalecte_checker().status()
        state["ready"] = reason is None
        state["detail"] = reason or f"answers (started in {time.monotonic() - began:.2f} s)"
    else:
        state["detail"] = "installed (started on first lint; --check starts it)"
    return state
