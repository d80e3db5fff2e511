"""The gate a model-written field passes before it goes into a composed piece.

The critic (Grammalecte, the house rules) sees grammar, vocabulary and the defects it has rules for; it
does not see a hook written in the client's voice (« J’ai une grande responsabilité comme COO interne, et
je ne sais pas comment la faire gagner. »), a title about something else than the brief (« Comment trouver
une solution qui rend le COO externe efficace et rentable »), or a verbless subtitle. A small model writes
those often; the author's own material stands in for a field that fails here (see plume.write.compose).

`refusals(name, value, ...)` returns the reasons, in French, a field is refused; [] lets it through.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from plume.markdown import count_words
from plume.write.material import STOPWORDS, distinct, fold, is_prose, overlap, similarity, stems

# The reader is « vous »; the author may say « je » (« je vous propose »), never speak as the client.
_CLIENT_VOICE = re.compile(
    r"\b(?:me|m[’']|moi|mon|ma|mes)\b|\bj[’']ai besoin\b|\bje ne (?:sais|peux)\b|\bje veux\b|\bje serais\b"
    r"|\bje me\b|\bje suis\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:je|j[’']|me|m[’']|moi|mon|ma|mes)\b", re.IGNORECASE)
# the author works alone and says « je » (« Je vous propose… »); « Nous pouvons vous aider… » is an agency's voice
_WE = re.compile(r"\bnous\b", re.IGNORECASE)
_READER = re.compile(r"\b(?:vous|votre|vos)\b", re.IGNORECASE)
_META = re.compile(r"\b(?:accroche|titre|sous-titre|paragraphe|publication|post|lecteur|lectrice|consigne|"
                   r"bienvenue|voici)\b", re.IGNORECASE)
_SUBJECT = re.compile(r"\b(?:je|j[’']|vous|nous|on|il|elle|ils|elles)\b", re.IGNORECASE)  # a clause, not a list
_REPLY = re.compile(r"^(?:d[’']accord|bien sûr|certainement|oui|voici|c[’']est pourquoi)\b", re.IGNORECASE)
_SENTENCES = re.compile(r"[.!?…](?:\s|$)")
# the bridge comes before the offer: a word that points back to what it brings (« Vous pourrez ainsi… »)
# points at nothing
_POINTS_BACK = re.compile(r"\b(?:ainsi|donc|grâce à (?:cela|ça|lui|elle)|de cette (?:façon|manière)|"
                          r"c[’']est pourquoi|par conséquent)\b", re.IGNORECASE)
# a question's word order in a statement (« Vous expliquez-vous par vos compétences. »)
_INVERTED = re.compile(r"\b[^\W\d_]+-(?:t-)?(?:vous|nous|je|il|elle|on|ils|elles)\b[^?]*[.!…]?$", re.IGNORECASE)
# the subject said twice around the verb (« mais vous vous sentez-vous pris au sérieux ? »)
_DOUBLE_SUBJECT = re.compile(r"\b(vous|nous)\s+\1\s+[^\W\d_]+-\1\b", re.IGNORECASE)
# a spoken question's word order in writing (« Comment vous passez vos journées ? »: « Comment passez-vous »)
# (« Comment vous gérer votre quotidien ? »: an infinitive where the verb is conjugated)
_SPOKEN_QUESTION = re.compile(r"^(?:Comment|Pourquoi|Combien)\s+(?:vous\s+[^\W\d_]+e[zr]|nous\s+[^\W\d_]+ons)\b(?!-)",
                              re.IGNORECASE)
_CONTENT_WORD = re.compile(r"[^\W\d_]{6,}|\b[A-Z]{2,}\b")  # long words, and acronyms (« Le COO qui… de COO »)
# the opening question is the reader's situation; the offer comes after it (« Pour quelles raisons avez-vous
# besoin d'un COO externe à temps partagé… ? » sells before it asks)
_OFFER_WORDS = re.compile(r"\bexternes?\b|\bà temps partagé\b|\bassocié opérationnel\b", re.IGNORECASE)

# what each field may be: most words, most sentences, and how close to the brief it must stay
LIMITS = {
    "hook": {"words": 20, "sentences": 1, "relevance": 0.2},
    "bridge": {"words": 40, "sentences": 2, "relevance": 0.2},
    "title": {"words": 16, "sentences": 1, "relevance": 0.5},
    "subtitle": {"words": 28, "sentences": 1, "relevance": 0.3},
}


def _sentences(text: str) -> int:
    return max(1, len(_SENTENCES.findall(text.strip())))


def refusals(name: str, value: str, *, topic: str, context: Sequence[str] = (),
             said: Sequence[str] = ()) -> list[str]:
    """Why the model-written field `name` cannot go into the piece as `value` ([] when it can).

    `topic`: the brief's topic (a title must stay on it); `context`: the rest of the brief and the
    audience's material, sentence by sentence (the other fields must be close to one of them or to
    the topic); `said`: the author's sentences the piece already holds (a field must not say them again).
    """
    value = value.strip()
    if not value:
        return []
    limits = LIMITS.get(name)
    if limits is None:
        return []
    out: list[str] = []
    words = count_words(value)
    if words > limits["words"]:
        out.append(f"trop long ({words} mots, {limits['words']} au plus)")
    if _sentences(value) > limits["sentences"]:
        out.append(f"{_sentences(value)} phrases ({limits['sentences']} au plus)")
    if _META.search(value):
        out.append(f"parle du texte (« {_META.search(value).group(0)} »)")
    if name in ("hook", "title", "subtitle") and _FIRST_PERSON.search(value):
        out.append("« je » dans une accroche ou un titre : le lecteur est « vous »")
    elif _CLIENT_VOICE.search(value):
        out.append(f"écrit à la place du client (« {_CLIENT_VOICE.search(value).group(0)} »)")
    if _WE.search(value) and not _DOUBLE_SUBJECT.search(value):
        out.append("« nous » : l’auteur parle seul, en « je »")
    if name in ("hook", "subtitle") and not _READER.search(value):
        out.append("ne s’adresse pas au lecteur (« vous »)")
    if name == "bridge" and _POINTS_BACK.search(value):
        out.append(f"renvoie à ce qui précède (« {_POINTS_BACK.search(value).group(0)} ») alors qu’il vient "
                   "avant l’offre")
    inverted = next((s for s in re.split(r"(?<=[.!?…])\s+", value) if _INVERTED.search(s)
                     and not s.rstrip().endswith("?")), None)
    if inverted is not None:
        out.append(f"une tournure de question sans point d’interrogation (« {_INVERTED.search(inverted).group(0)[:40]} »)")
    if _DOUBLE_SUBJECT.search(value):
        out.append(f"le sujet dit deux fois (« {_DOUBLE_SUBJECT.search(value).group(0)} »)")
    if _SPOKEN_QUESTION.search(value):
        out.append(f"une question dans l’ordre de l’oral (« {_SPOKEN_QUESTION.search(value).group(0)} ») : "
                   "inversez le sujet")
    seen: dict[str, str] = {}
    for w in _CONTENT_WORD.findall(value):  # « une tâche cruciale, il est crucial de… »
        w = w if w.isupper() else w.lower()
        key = fold(w)[:6]
        if key in seen and w not in STOPWORDS:
            out.append(f"un mot dit deux fois (« {seen[key]} », « {w} »)")
            break
        seen[key] = w
    if name == "hook" and _OFFER_WORDS.search(value):
        out.append(f"l’accroche nomme l’offre (« {_OFFER_WORDS.search(value).group(0)} ») au lieu de la "
                   "situation du lecteur")
    if name == "bridge" and value.endswith("?"):
        out.append("une question au milieu du texte (l’accroche pose déjà la question)")
    if name in ("bridge", "subtitle") and topic and overlap(value, topic) >= 0.5:
        out.append("redit le sujet mot pour mot")
    if name == "title" and ":" in value:
        out.append("un titre en deux temps (« sujet : formule ») : la formule ajoutée au sujet est du remplissage")
    if name == "hook" and not value.endswith("?"):
        out.append("pas une question (l’accroche de l’auteur est une question rhétorique)")
    if _REPLY.match(value):
        out.append(f"répond à la consigne (« {_REPLY.match(value).group(0)} »)")
    # a bridge sits among the author's sentences: it must share none of their wording; a hook or a subtitle
    # may raise what the offer answers (« recruter à temps plein ? »), not list the same content again
    if name == "bridge":
        again = next((s for s in said if not distinct(value, [s])), None)
    elif name in ("hook", "subtitle"):
        again = next((s for s in said if similarity(stems(value), stems(s)) >= 0.5), None)
    else:
        again = None
    if again is not None:
        out.append(f"redit « {again[:60]} »")
    if name == "bridge" and not (is_prose(value) or _SUBJECT.search(value)):
        out.append("pas une phrase (aucun verbe conjugué)")
    if name == "title":
        near = similarity(stems(value), stems(topic))
    else:
        mine = stems(value)
        near = max([similarity(mine, stems(t)) for t in (topic, *context)])
    if near < limits["relevance"]:
        out.append(f"hors sujet ({near:.2f} de mots en commun avec la consigne, {limits['relevance']} au moins)")
    return out
