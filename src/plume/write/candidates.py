"""Candidates: several answers to one prompt, each judged by the critic; the best wins, with a reason."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


# the texts that stand in for the model's answers when none is as clean, as `reason` names them
STAND_INS = {"fallback": "the author's material alone", "draft": "the draft with the safe fixes alone"}


@dataclass
class Candidate:
    """One version of the piece after the deterministic fixes, and the critic's verdict on it.

    `origin`: "model" (an answer to the first prompt), "fallback" (the author's material alone), "draft"
    (a rewrite's draft with the safe fixes alone), "repair:<field>" (a field asked again alone),
    "drop:<field>" (a field left out), "whole" (the whole text asked again). `draft` is the text as
    rendered, before the safe fixes. A stand-in (fallback, draft) loses a tie with the model's answers
    unless `author_first`.
    """

    text: str
    draft: str
    errors: int
    warnings: int
    words: int
    requested_words: int | None = None
    voice: float | None = None
    rules: list[str] = field(default_factory=list)
    origin: str = "model"
    history_id: int | None = None
    fields: dict[str, str] = field(default_factory=dict)  # the model-written fields, as used
    violations: list[dict[str, Any]] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=dict)  # model fields the gate refused, and why

    @property
    def clean(self) -> bool:
        return self.errors == 0 and self.warnings == 0

    @property
    def length_deviation(self) -> float:
        if not self.requested_words:
            return 0.0
        return abs(self.words - self.requested_words) / self.requested_words

    def key(self, author_first: bool = False) -> tuple:
        """Fewest errors, then warnings, then a model answer over the fallback (which only stands in when
        no answer is as clean) — or, `author_first`, the fallback over any answer as clean —, then length
        deviation (by 5 % steps), then closest voice."""
        own = self.origin not in STAND_INS if author_first else self.origin in STAND_INS
        return (self.errors, self.warnings, own, round(self.length_deviation * 20), -(self.voice or 0.0))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["clean"] = self.clean
        data["length_deviation"] = round(self.length_deviation, 3)
        return data


def reason(best: Candidate, others: list[Candidate], author_first: bool = False) -> str:
    """Why `best` beat the runner-up, in words."""
    rest = [c for c in others if c is not best]
    if not rest:
        return "only candidate"
    runner = min(rest, key=lambda c: c.key(author_first))
    if best.errors != runner.errors:
        return f"fewest errors ({best.errors} vs {runner.errors})"
    if best.warnings != runner.warnings:
        return f"fewest warnings ({best.warnings} vs {runner.warnings})"
    if best.origin in STAND_INS and author_first:
        return f"{STAND_INS[best.origin]}, as clean as the model's answers"
    stand_in = next((c.origin for c in (runner, best) if c.origin in STAND_INS), None)
    if stand_in is not None:
        return f"a model answer as clean as {STAND_INS[stand_in]}"
    if round(best.length_deviation * 20) != round(runner.length_deviation * 20):
        return f"closest to the requested length ({best.length_deviation:.0%} vs {runner.length_deviation:.0%} off)"
    if (best.voice or 0) != (runner.voice or 0):
        return f"closest to the author's voice ({best.voice or 0:.3f} vs {runner.voice or 0:.3f})"
    return "tie: first drawn"


def choose(candidates: list[Candidate], author_first: bool = False) -> tuple[Candidate, str]:
    """The best candidate (stable: the first drawn wins a tie) and the reason it won; `author_first`: the
    author's material alone wins a tie with the model's answers."""
    best = min(candidates, key=lambda c: c.key(author_first))
    return best, reason(best, candidates, author_first)


def score_voice(candidates: list[Candidate], corpus=None) -> None:
    """Fill `voice` where the scorer is available (scikit-learn); left None otherwise."""
    from plume.voice import corpus_voice

    todo = [c for c in candidates if c.voice is None]
    if not todo:
        return
    scores = corpus_voice([c.text for c in todo], corpus)
    if scores is None:
        return
    for c, s in zip(todo, scores):
        c.voice = round(s, 4)


def record(candidates: list[Candidate], winner: Candidate, why: str) -> None:
    """Each candidate's verdict on its history row: scores, whether it won and why."""
    try:
        from plume.history import set_lint
    except ImportError:
        return
    for i, c in enumerate(candidates):
        if c.history_id is None:
            continue
        summary = {"errors": c.errors, "warnings": c.warnings, "clean": c.clean, "rules": c.rules,
                   "candidate": i, "origin": c.origin, "words": c.words, "voice": c.voice,
                   "winner": c is winner, "reason": why if c is winner else None}
        try:
            set_lint(c.history_id, summary)
        except Exception:  # the log is a convenience; never lose the copy over it
            pass
