"""Targeted repair from the draft: a sentence of a model's rewrite that carries an error or a warning
goes back to the author's own sentence it rewrote, when that sentence has neither.

The embedded model rewrote note 001's « je ne me présente pas comme Chief of Staff externe » (what the
author no longer calls himself: a mention) into « je ne me présente pas comme Associé Opérationnel »,
the opposite of the offer, and kept it through its repairs; another answer spelled the title
« Associé Opérationnel & Stratégorique ». Its other sentences were as good as the draft's; only those go
back. The faults are the whole critic's: house rules and Grammalecte's grammar and spelling.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from plume.lint import lint_text
from plume.lint.markdown import body_start, never_spans
from plume.lint.segments import WORD, split_blocks
from plume.lint.target import Target

# how alike (difflib's ratio over the words) an answer's sentence and a draft sentence must be for the
# latter to be the sentence it rewrote
MIN_LIKENESS = 0.5


def _sentences(text: str) -> list[tuple[int, int]]:
    start = body_start(text)
    return [span for block in split_blocks(text, start, never_spans(text, start)) for span in block.sentences]


def _faults(text: str, house, audience: str, format: str | None, target: Target | None) -> list:
    """The errors and warnings the whole critic finds (house rules and Grammalecte, as the rewrite's judge)."""
    result = lint_text(text, house, audience, format, target=target)
    return [v for v in result.violations if v.severity in ("error", "warning")]


def _score(faults: list) -> tuple[int, int]:
    """(errors, warnings): the judge's order."""
    errors = sum(v.severity == "error" for v in faults)
    return errors, len(faults) - errors


def restore_sentences(answer: str, draft: str, house, audience: str, format: str | None = None,
                      target: Target | None = None) -> tuple[str, int]:
    """(the answer with each sentence that holds an error or a warning replaced by the draft sentence it
    rewrote, how many were replaced). A sentence goes back only to a draft sentence with neither, at least
    MIN_LIKENESS alike; the whole is kept only when it scores better than the answer (fewer errors, or as
    many and fewer warnings)."""
    faults = _faults(answer, house, audience, format, target)
    if not faults:
        return answer, 0
    drafted = _faults(draft, house, audience, format, target)
    clean = [(s, e) for s, e in _sentences(draft) if not any(v.start < e and s < v.end for v in drafted)]
    if not clean:
        return answer, 0
    words = [WORD.findall(draft[s:e].lower()) for s, e in clean]
    replaced: list[tuple[int, int, str]] = []
    for s, e in _sentences(answer):
        if not any(s <= v.start and v.end <= e for v in faults):
            continue
        mine = WORD.findall(answer[s:e].lower())
        best, likeness = None, MIN_LIKENESS
        for k, theirs in enumerate(words):
            ratio = SequenceMatcher(None, mine, theirs, autojunk=False).ratio()
            if ratio >= likeness:
                best, likeness = k, ratio
        if best is not None:
            replaced.append((s, e, draft[clean[best][0] : clean[best][1]]))
    if not replaced:
        return answer, 0
    text = answer
    for s, e, sentence in reversed(replaced):
        text = text[:s] + sentence + text[e:]
    if _score(_faults(text, house, audience, format, target)) >= _score(faults):
        return answer, 0
    return text, len(replaced)
