"""The author's own sentences as material: the house file's pains, dimensions, benefits, offer and steps,
and sentences of the current notes, each kept word for word and ranked by closeness to a brief.

Closeness is word overlap on folded, stop-worded, stem-cut words (no model, no heavy dependency); a pick
skips a sentence that says what an already chosen one says (shared word 3-grams).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from plume.markdown import WIKILINK, count_words

_REF = re.compile(r"\s*\((?:\d{3}(?:,\s*)?)+\)")  # "(000, 004)": note references in the house file
_MARKUP = re.compile(r"\*\*|__|(?<!\w)_(?=\S)|(?<=\S)_(?!\w)|`")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[«A-ZÀ-ÖØ-Þ])")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
# A sentence that leans on the one before it reads badly alone.
_ANAPHORA = re.compile(
    r"^(?:il|elle|ils|elles|ce|cet|cette|ces|cela|ça|c['’]est|puis|et|mais|ainsi|donc|résultat|"
    r"en d['’]autres termes|au-delà|plus encore|son|sa|ses|leur|leurs|là|alors|de plus|pourtant|"
    r"l['’]idée|concrètement|aujourd['’]hui|pendant|la différence)\b",
    re.IGNORECASE,
)
_CONTEXT = re.compile(r"\b(?:il|ils|elle|elles|ce terme|ce titre|cette fonction|ce rôle|le mot)\b|^Vous \w+er\b",
                      re.IGNORECASE)
STOPWORDS = frozenset("""
a à au aux avec ce ces cet cette dans de des du elle en et est être il ils je la le les leur leurs lui ma
mais me même mes moi mon ne nos notre nous on ou où par pas plus pour qu que qui sa se ses si son sur ta te
tes toi ton tu un une vos votre vous c d j l m n s t y été sont ont fait faire comme tout tous toute toutes
sans entre très bien aussi encore plutôt quand dont cela ça peut
""".split())


def noref(text: str) -> str:
    """The house file's sentence without its note references, with typographic apostrophes."""
    return _APOSTROPHE.sub("’", _REF.sub("", str(text)).strip())


def topic_unsaid(topic: str, text: str) -> list[str] | None:
    """The topic's content words, as the user wrote them, when the text uses none of them (words compared
    as `stems` compares them: folded, cut to six letters); None when it uses one, or the topic has none.
    A piece that says none of its topic's words is the house's generic piece: the author's material holds
    nothing closer to the brief."""
    said = stems(text)
    words = [w for w in dict.fromkeys(_WORD.findall(noref(topic))) if stems(w)]
    if not words or any(stems(w) & said for w in words):
        return None
    return words


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stems(text: str) -> frozenset[str]:
    """Content words of `text`, folded and cut to 6 letters (« prioriser », « priorités » meet)."""
    return frozenset(w[:6] for w in _WORD.findall(fold(text)) if len(w) > 2 and w not in STOPWORDS)


def trigrams(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(fold(text))
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine of two word sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def overlap(a: str, b: str) -> float:
    """Share of the shorter text's word 3-grams found in the other: 1.0 when one repeats the other."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


@dataclass(frozen=True)
class Piece:
    """One sentence (or list item) of the author's, word for word, and where it comes from."""

    text: str
    kind: str  # pain, benefit, dimension, offer, step, sentence, item, question, fact, preferred
    source: str  # "house" or a note id
    name: str = ""  # a dimension's name

    @property
    def words(self) -> int:
        return count_words(self.text)


def house_pieces(house, audience: str) -> list[Piece]:
    """The house file's material for one audience, in the file's order."""
    a = house.audience(audience)
    pieces = [Piece(noref(p), "pain", "house") for p in a.pains]
    pieces += [Piece(noref(d.role), "dimension", "house", d.name) for d in house.dimensions]
    pieces += [Piece(noref(b), "benefit", "house") for b in house.benefits]
    pieces += [Piece(noref(s), "step", "house") for s in a.steps]
    pieces.append(Piece(noref(a.offer), "offer", "house"))
    pieces += [Piece(noref(p), "preferred", "house") for p in house.preferred]
    return pieces


def _plain(line: str) -> str:
    line = WIKILINK.sub(lambda m: (m.group("alias") or m.group("target")).strip(), line)
    line = _MARKUP.sub("", line)
    return _APOSTROPHE.sub("’", " ".join(line.split()))


def note_pieces(note_id: str, body: str) -> list[Piece]:
    """Sentences and list items of a note that stand on their own (no heading, link, quote or anaphora)."""
    pieces: list[Piece] = []
    intro = ""
    for block in re.split(r"\n\s*\n", body):
        for raw in block.splitlines():
            if not raw.strip() or raw.lstrip().startswith(("#", ">", "---", "|")):
                continue
            item = _LIST_ITEM.match(raw)
            line = _plain(item.group(1) if item else raw)
            if not line or "http" in line or "(source" in line or "[" in line:
                continue
            if item:
                if intro and 2 <= len(_WORD.findall(line)) <= 14 and line[0].islower():
                    pieces.append(Piece(line.rstrip(",;. "), "item", note_id, intro))
                continue
            intro = line if line.endswith(":") else ""
            for sentence in _SENTENCE.split(line):
                sentence = sentence.strip()
                n = len(_WORD.findall(sentence))
                if not 6 <= n <= 32 or not sentence[0].isupper() or _ANAPHORA.match(sentence) \
                        or _CONTEXT.search(sentence):
                    continue
                if sentence.endswith("?"):
                    pieces.append(Piece(sentence, "question", note_id))
                elif sentence.endswith((".", "!")) and "«" not in sentence and "“" not in sentence:
                    pieces.append(Piece(sentence, "sentence", note_id))
    return pieces


def corpus_pieces(house, corpus, audience: str) -> list[Piece]:
    """Sentences of the notes the house marks current exemplars for this audience."""
    from plume.prompts import exemplar_notes

    pieces: list[Piece] = []
    for note in exemplar_notes(house, corpus, audience):
        pieces += note_pieces(note.id, note.body)
    return pieces


def rank(pieces: list[Piece], query: str) -> list[Piece]:
    """Closest to `query` first; ties keep the given (house) order."""
    q = stems(query)
    scored = sorted(enumerate(pieces), key=lambda ip: (-similarity(stems(ip[1].text), q), ip[0]))
    return [p for _, p in scored]


def fourgrams(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(fold(text))
    return {tuple(words[i : i + 4]) for i in range(len(words) - 3)}


def distinct(piece: str, chosen: list[str], limit: float = 0.2) -> bool:
    """`piece` says something the chosen texts do not say already (no shared 4 words in a row, few shared
    3-grams, not the same content words)."""
    s, f = stems(piece), fourgrams(piece)
    return all(overlap(piece, c) < limit and similarity(s, stems(c)) < 0.5 and not (f & fourgrams(c))
               for c in chosen)


_FINITE = re.compile(r"\b(?:est|sont|semble|semblent|porte|portent|a|ont|peut|\w+(?<!m)ent|\w+ez)\b",
                     re.IGNORECASE)
_SITUATION = re.compile(r"submerg|urgent|jongl|court|débord|isol|guidon|lourd|charge|recul|tourne en rond|"
                        r"prématuré|casquette|stagne", re.IGNORECASE)


_INFINITIVE_LEAD = re.compile(r"^(?:Tout\s+)?(?!(?:Notre|Votre|Autre|Entre)\b)\w+(?:er|ir|re)\b")


def is_prose(text: str) -> bool:
    """A whole sentence (a finite verb), not a list fragment."""
    return bool(_FINITE.search(text)) and not _INFINITIVE_LEAD.match(text) and "(" not in text


def is_line(text: str) -> bool:
    """A line that reads alone in a post: a sentence, or a noun phrase (« Trop de sujets transverses à
    coordonner, pas assez de temps pour les faire avancer. »), not an infinitive cut from a list
    (« Porter sans relais… », « Tout coordonner… »)."""
    return not _INFINITIVE_LEAD.match(text) and "(" not in text


_GAIN = re.compile(r"^Vous (?:obtenez|bénéficiez|accédez|gagnez|disposez)\b")


def is_situation(text: str) -> bool:
    """The sentence describes the reader's situation (a pain), not the answer to it (« Vous obtenez le bon
    niveau de soutien… pour absorber une forte charge » is what the reader gains)."""
    return bool(_SITUATION.search(text)) and not _GAIN.match(text)


def stem_trigrams(text: str) -> set[tuple[str, ...]]:
    """Three content words in a row, stem-cut: « sans recruter à temps plein » and « sans supporter un
    recrutement à temps plein » meet on (recrut, temps, plein)."""
    words = [w[:6] for w in _WORD.findall(fold(text)) if len(w) > 2 and w not in STOPWORDS]
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def says_again(piece: str, chosen: list[str]) -> bool:
    """`piece` repeats an idea of the chosen texts in other words (three content words in a row)."""
    mine = stem_trigrams(piece)
    return any(mine & stem_trigrams(c) for c in chosen)


def stem_bigrams(text: str) -> set[tuple[str, str]]:
    """Two content words in a row, stem-cut: « les vrais leviers » and « identifier rapidement les vrais
    leviers » meet on (vrais, levier)."""
    words = [w[:6] for w in _WORD.findall(fold(text)) if len(w) > 2 and w not in STOPWORDS]
    return set(zip(words, words[1:]))


def echoes(piece: str, chosen: list[str], common: str = "") -> bool:
    """`piece` says a phrase of the chosen texts again (two content words in a row: « une seule
    personne », « vrais leviers »), other than those of `common` (the offer, which every piece may echo)."""
    mine = stem_bigrams(piece) - stem_bigrams(common)
    return any(mine & stem_bigrams(c) for c in chosen)


def pick(pieces: list[Piece], query: str, k: int, chosen: list[str] | None = None) -> list[Piece]:
    """Up to `k` pieces closest to `query`, none repeating another or anything in `chosen`."""
    taken = list(chosen or [])
    out: list[Piece] = []
    for p in rank(pieces, query):
        if len(out) >= k:
            break
        if distinct(p.text, taken):
            out.append(p)
            taken.append(p.text)
    return out


@lru_cache(maxsize=64)
def _clean_cached(key: tuple, texts: tuple[str, ...], audience: str) -> frozenset[str]:
    from plume.lint import lint_text

    house = _HOUSES[key]
    ok = set()
    for t in texts:
        r = lint_text(t, house=house, audience=audience, format=None)
        if r.clean:
            ok.add(t)
    return frozenset(ok)


_HOUSES: dict[tuple, object] = {}


def clean_pieces(pieces: list[Piece], house, audience: str) -> list[Piece]:
    """The pieces the critic finds nothing wrong with for this audience (each linted once a process)."""
    key = (id(house),)
    _HOUSES[key] = house
    ok = _clean_cached(key, tuple(dict.fromkeys(p.text for p in pieces)), audience)
    return [p for p in pieces if p.text in ok]
