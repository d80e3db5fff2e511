"""LinkedIn's "…voir plus" cut: the single computation shared by the hook rule and the preview page.

The feed shows the start of a post up to a number of lines or of characters, whichever comes first,
then "…voir plus". A blank line counts as a line; leading blank lines are dropped (LinkedIn trims them).
"""

from __future__ import annotations

from dataclasses import dataclass

from plume.lint.markdown import body_start

# device -> (characters, lines) shown before "…voir plus"
CUTS: dict[str, tuple[int, int]] = {"mobile": (140, 3), "desktop": (210, 5)}


@dataclass(frozen=True, slots=True)
class Cut:
    """`offset`: end (exclusive) of the visible text, an offset into the text given; `lines`: lines shown;
    `truncated`: whether "…voir plus" appears (False when the whole post fits)."""

    offset: int
    lines: int
    truncated: bool


def post_start(text: str) -> int:
    """Where the post begins: after any frontmatter and leading whitespace."""
    i = body_start(text)
    n = len(text)
    while i < n and text[i] in " \t\r\n":
        i += 1
    return i


def linkedin_cut(text: str, device: str = "mobile") -> Cut:
    """Where LinkedIn cuts `text` (frontmatter allowed; offsets into the full text)."""
    try:
        max_chars, max_lines = CUTS[device]
    except KeyError:
        raise ValueError(f"unknown device {device!r} (expected: {', '.join(CUTS)})") from None
    start = post_start(text)
    end = len(text.rstrip())
    chars, lines, i = 0, 1, start
    while i < end:  # a line at a time: its characters (a \r not counted), then its newline
        newline = text.find("\n", i, end)
        stop = end if newline < 0 else newline
        returns = text.count("\r", i, stop)
        if chars + stop - i - returns > max_chars:  # the cut falls on this line
            at = _nth_counted(text, i, max_chars - chars) if returns else i + max_chars - chars
            return Cut(_trim(text, start, _word_boundary(text, start, at)), lines, True)
        chars += stop - i - returns
        if newline < 0:
            break
        if lines == max_lines:
            return Cut(_trim(text, start, newline), lines, True)
        lines += 1
        i = newline + 1
    return Cut(end, lines, False)


def _nth_counted(text: str, i: int, n: int) -> int:
    """Offset of the character after the first n counted ones (all but \r) from i."""
    while True:
        if text[i] != "\r":
            if not n:
                return i
            n -= 1
        i += 1


def _word_boundary(text: str, start: int, i: int) -> int:
    """Back off a cut in the middle of a word to the previous space (if the line has one)."""
    if text[i].isspace() or text[i - 1].isspace():
        return i
    j = i
    while j > start and not text[j - 1].isspace():
        j -= 1
    return j if j > start else i


def _trim(text: str, start: int, i: int) -> int:
    while i > start and text[i - 1].isspace():
        i -= 1
    return i
