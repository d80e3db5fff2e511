"""Closeness to the house voice (used by plume.write to break ties, by plume eval to report): TF-IDF over character n-grams, cosine to the corpus.

The vectorizer (char_wb 3–5, sublinear tf) is fitted on the corpus and the reference set together, so
both share one vocabulary and one idf. A text's voice score is its cosine to the centroid of the corpus
notes; `voice_max` is its cosine to the closest single note. The reference set of generic French business
copy, scored the same way, is the baseline; the corpus notes scored against the centroid of the *other*
notes (leave one out) show where the author's own writing lands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from statistics import fmean

from plume.errors import InputError

NGRAMS = (3, 5)


def plain_text(text: str) -> str:
    """Copy without Markdown markup or frontmatter (plume.markdown.plain_text), typographic quotes and
    spaces made plain."""
    from plume.markdown import plain_text as markdown_plain

    text = markdown_plain(text)
    text = text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"[«»“”]", '"', text)


def _sklearn():
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError:
        raise InputError("plume eval needs scikit-learn: pip install 'plume[eval]'") from None
    return TfidfVectorizer


@dataclass
class Scores:
    centroid: list[float]
    closest: list[float]


class VoiceModel:
    """Fit once on the corpus (+ reference texts), then score any number of texts."""

    def __init__(self, corpus: list[str], reference: list[str] | None = None):
        if not corpus:
            raise InputError("voice similarity needs at least one corpus note")
        import numpy as np

        self._np = np
        self.corpus = [plain_text(t) for t in corpus]
        self.reference = [plain_text(t) for t in reference or []]
        vectorizer = _sklearn()(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True, lowercase=True)
        vectorizer.fit(self.corpus + self.reference)
        self.vectorizer = vectorizer
        self.notes = vectorizer.transform(self.corpus).toarray()  # rows are L2-normalised
        self.centroid = self._unit(self.notes.mean(axis=0))

    def _unit(self, v):
        norm = self._np.linalg.norm(v)
        return v / norm if norm else v

    def score(self, texts: list[str]) -> Scores:
        if not texts:
            return Scores([], [])
        m = self.vectorizer.transform([plain_text(t) for t in texts]).toarray()
        return Scores([float(x) for x in m @ self.centroid], [float(x) for x in (m @ self.notes.T).max(axis=1)])

    def reference_scores(self) -> Scores:
        return self.score(self.reference)

    def corpus_leave_one_out(self) -> list[float]:
        """Each note against the centroid of the other notes (needs two notes or more)."""
        if len(self.notes) < 2:
            return []
        total = self.notes.sum(axis=0)
        return [float(row @ self._unit(total - row)) for row in self.notes]

    def baseline(self) -> dict:
        ref = self.reference_scores()
        loo = self.corpus_leave_one_out()
        return {
            "method": f"TF-IDF char_wb {NGRAMS[0]}-{NGRAMS[1]}, cosine to the corpus centroid",
            "corpus_notes": len(self.corpus),
            "reference_texts": len(self.reference),
            "reference_voice": fmean(ref.centroid) if ref.centroid else None,
            "reference_voice_max": fmean(ref.closest) if ref.closest else None,
            "corpus_voice_loo": fmean(loo) if loo else None,
        }


def reference_texts(folder: Path | None = None) -> list[str]:
    """The generic-copy reference set (eval/reference/ref-*.md), frontmatter dropped."""
    if folder is None:
        from plume.paths import eval_dir

        folder = eval_dir() / "reference"
    files = sorted(Path(folder).glob("ref-*.md"))
    if not files:
        raise InputError(f"{folder}: no reference texts (ref-*.md)")
    return [plain_text(p.read_text(encoding="utf-8")) for p in files]


def house_voice_model(corpus_root: Path | None = None, reference_folder: Path | None = None) -> VoiceModel:
    """The model for the house: every loaded corpus note and the reference set."""
    from plume.corpus import load_corpus

    corpus = load_corpus(corpus_root)
    return VoiceModel([n.body for n in corpus.notes], reference_texts(reference_folder))


@lru_cache(maxsize=4)
def _corpus_model(root: str | None, mtimes: tuple) -> VoiceModel:
    from plume.corpus import load_corpus

    return VoiceModel([n.body for n in load_corpus(Path(root) if root else None).notes])


def corpus_voice(texts: list[str], corpus=None) -> list[float] | None:
    """Each text's closeness to the corpus centroid; None when scikit-learn is not installed."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return None
    if corpus is not None:
        model = VoiceModel([n.body for n in corpus.notes])
    else:
        model = _corpus_model(None, ())
    return model.score(texts).centroid
