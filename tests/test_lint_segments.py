"""The body's blocks and sentences (plume.lint.segments): sentence ends found at their marks are the
matches of the sentence-end regex."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from plume.lint.segments import _SENTENCE_END, _marks, _sentences, sentence_spans, split_blocks
from plume.lint.markdown import Spans


def _sentences_by_regex(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The plain version: every match of the sentence-end regex by its own scan."""
    return sentence_spans(text, start, end, (m.end() for m in _SENTENCE_END.finditer(text, start, end)))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab .!?…»”\"’)*_\n\t", max_size=40), st.data())
def test_sentences_match_the_regex(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert _sentences(text, start, end, _marks(text, 0)) == _sentences_by_regex(text, start, end)


def test_marks_and_blocks():
    text = "Une phrase. Deux ?! Trois… « Quatre. » Fin\n\n- Puce... suite"
    assert _marks(text, 0) == [i for i, ch in enumerate(text) if ch in ".!?…"]
    blocks = split_blocks(text, 0, Spans([]))
    assert [text[s:e] for s, e in blocks[0].sentences] == ["Une phrase.", "Deux ?!", "Trois…", "« Quatre.", "» Fin"]
    assert [text[s:e] for s, e in blocks[1].sentences] == ["Puce...", "suite"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=":;!?»« a\n.’", max_size=30), st.integers(0, 30))
def test_char_offsets_are_the_class_matches(text, start):
    import re

    from plume.lint.segments import char_offsets

    assert char_offsets(text, ":;!?»", start) == [m.start() for m in re.compile(r"[:;!?»]").finditer(text, start)]


def test_blocks_of_lines_with_spaces_rules_and_markers():
    text = "  \n\u00a0\n  - item\n    suite\n# Titre\n#a #b\n---\n1. un\n\rx\n\tpara\n"
    blocks = split_blocks(text, 0, Spans([]))
    got = [(b.kind, text[b.start:b.end], b.indent) for b in blocks]
    assert got == [("item", "item\n    suite", 2), ("heading", "Titre", 0), ("tags", "#a #b", 0), ("rule", "---", 0),
                   ("item", "un", 0), ("para", "\rx\n\tpara", 0)]
