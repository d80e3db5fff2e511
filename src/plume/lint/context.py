"""One text being linted: its masks, its line index, and the factory for violations."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from plume.lint.markdown import Spans, body_start, hidden_spans, mention_spans, never_spans
from plume.lint.patterns import lower_same_length
from plume.lint.target import Target
from plume.lint.violation import Violation, new_violation


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class _Needles(dict):
    """needle → is it in `words` (Context.contains: distinct words, one space apart and around, so a
    needle never spans two; Context.text_contains: the text)? Filled on first lookup; later lookups are
    plain dict lookups, in C."""

    __slots__ = ("words",)

    def __init__(self, words: str):
        super().__init__()
        self.words = words

    def __missing__(self, needle: str) -> bool:
        found = self[needle] = needle in self.words
        return found


class Context:
    """Masks and the line index are computed at most once per text, only when a rule needs them."""

    __slots__ = (
        "text", "start", "audience", "format", "target", "plan",
        "_never", "_mentions", "_hidden", "_lines", "_lower", "_blocks", "_tokens", "_contains",
        "_text_contains",
    )

    def __init__(
        self,
        text: str,
        audience: str | None = None,
        format: str | None = None,
        target: Target | None = None,
        plan=None,
    ):
        self.text = text
        self.start = body_start(text)
        self.audience = audience if audience is not None else (target.audience if target else None)
        self.format = format if format is not None else (target.format if target else None)
        # what the brief asked (call to action, words, the prompt's instructions); audience/format as above
        self.target = (target or Target()).with_(audience=self.audience, format=self.format)
        self.plan = plan  # the LintPlan being run (house data some kinds need), None in bare use
        self._blocks = None
        self._tokens = None
        self._never: Spans | None = None
        self._mentions: Spans | None = None
        self._hidden: Spans | None = None
        self._lines: list[int] | None = None
        self._lower: str | None = None
        self._contains: Callable[[str], bool] | None = None
        self._text_contains: Callable[[str], bool] | None = None

    @property
    def lower(self) -> str:
        """The lower-cased text, same offsets (case-insensitive term rules match on it)."""
        if self._lower is None:
            self._lower = lower_same_length(self.text)
        return self._lower

    @property
    def contains(self) -> Callable[[str], bool]:
        """needle (lower-case word characters, maybe a space on either side: a word's start or end) →
        could the body's lower-cased text hold it? Looked up in the body's distinct words (a set: in any
        order), one space apart (about half the text), once per needle: term rules share needles."""
        if self._contains is None:
            self._contains = _Needles(f" {' '.join(set(self.tokens.every))} ").__getitem__
        return self._contains

    @property
    def text_contains(self) -> Callable[[str], bool]:
        """needle → is it in the text (as written: case-sensitive rules)? Once per needle."""
        if self._text_contains is None:
            self._text_contains = _Needles(self.text).__getitem__
        return self._text_contains

    @property
    def blocks(self):
        """The body's blocks (headings, list items, paragraphs) and their sentences (plume.lint.segments)."""
        if self._blocks is None:
            from plume.lint.segments import split_blocks

            self._blocks = split_blocks(self.text, self.start, self.never)
        return self._blocks

    @property
    def tokens(self):
        """The body's words, lower-cased, with offsets (plume.lint.segments.Tokens)."""
        if self._tokens is None:
            from plume.lint.segments import Tokens

            self._tokens = Tokens(self.lower, self.start, self.never)
        return self._tokens

    @property
    def hidden(self) -> Spans:
        if self._hidden is None:
            self._hidden = hidden_spans(self.text, self.start)
        return self._hidden

    @property
    def never(self) -> Spans:
        if self._never is None:
            self._never = never_spans(self.text, self.start)
        return self._never

    @property
    def mentions(self) -> Spans:
        if self._mentions is None:
            self._mentions = mention_spans(self.text, self.start)
        return self._mentions

    @property
    def lines(self) -> list[int]:
        """The offset at which each line starts."""
        if self._lines is None:
            from plume.lint.segments import char_offsets

            self._lines = [0, *(i + 1 for i in char_offsets(self.text, "\n"))]
        return self._lines

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        lines = self._lines or self.lines
        i = bisect_right(lines, offset) - 1
        return i + 1, offset - lines[i] + 1

    def violation(self, rule, start: int, end: int, fix: str | None = None, safe: bool = False, **values) -> Violation:
        """A violation of `rule` at [start, end); `values` fill the `{placeholders}` of its message."""
        found = self.text[start:end]
        message = rule.message
        if "{" in message:
            fields = {"text": found, "fix": fix if fix is not None else ""}
            if values:
                fields.update(values)
            try:
                message = message.format_map(fields)
            except KeyError:  # a placeholder this violation does not fill stays as written
                message = message.format_map(_Blank(fields))
        lines = self._lines or self.lines  # (self.position, inlined: a call per violation saved)
        i = bisect_right(lines, start)
        return new_violation(rule.id, rule.severity, start, end, i, start - lines[i - 1] + 1, found, message, fix,
                             safe and fix is not None)
