"""Composition: the piece is built from the author's own sentences, word for word (the house file's pains,
dimensions, benefits, offer and steps, sentences of the current notes, the brief's facts and call to
action); the model writes only what must be new — a landing page's title and subtitle, a post's hook
and one bridge sentence — as small JSON fields, N candidates scored by the critic. A field the gate refuses (plume.write.gate: the
client's voice, off the brief, too long, no verb) gives way to the author's (the brief's topic, the house's
opening questions, a note's sentence) before the critic reads it. A field the critic
faults is asked again alone, or dropped when the piece stands without it; when no answer passes, the
author's material alone (a deterministic fallback) is the piece.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from plume.write.candidates import Candidate, choose, record, score_voice
from plume.write.critic import Critic, blocking
from plume.write.gate import refusals
from plume.write.loop import Call, Job, Tally, Unusable, as_dicts
from plume.write.material import (
    Piece,
    clean_pieces,
    corpus_pieces,
    distinct,
    house_pieces,
    noref,
    pick,
    rank,
)
from plume.write.result import WriteResult
from plume.write.schemas import DEFAULT_CTA, Brief, LandingHead, PostHead, field_schema

# what the model may write, and what may be left out when the critic faults it
FIELDS = {"landing": ("title", "subtitle"), "linkedin": ("hook", "bridge")}
DROPPABLE = {"bridge"}
FIELD_CHARS = {"title": 80, "subtitle": 180, "hook": 120, "bridge": 170}
FIELD_WORDS = {"landing": 24, "linkedin": 24}  # words the model's fields add, planned for


def _sentence(text: str) -> str:
    text = _line(text)
    return text if not text or text.endswith((".", "!", "?", "…", ":")) else text + "."


def _line(text: str) -> str:
    from plume.write.render import clean_line

    return clean_line(text)


_WORD = re.compile(r"[^\W\d_][\w’'-]*")
# a sentence that stands alone starts on its subject; a verbless enumeration (« Anticipation des points
# de blocage, sécurisation des dépendances… ») reads as a fragment once taken out of its list
_SUBJECT = re.compile(r"^(?:Vous|Je|J’|J'|Nous|On|Il|Elle|Ils|Elles|C’|C'|Ce|Cet|Cette|Ces|Le|La|L’|L'|Les|"
                      r"Un|Une|Des|Mon|Ma|Mes|Votre|Vos|Notre|Nos|Chaque|Tout|Toute)\b")


def stands_alone(sentence: str) -> bool:
    return bool(_SUBJECT.match(sentence.strip()))


def proper_words(house, texts: list[str]) -> frozenset[str]:
    """Words written capitalised inside sentences of the author's texts (names, titles, acronyms)."""
    keep = {w for d in house.dimensions for w in _WORD.findall(d.name)}
    keep |= set(_WORD.findall(house.author.designation))
    for text in texts:
        for sentence in re.split(r"(?<=[.!?:])\s+|\n+", text):
            keep |= {w for w in _WORD.findall(sentence)[1:] if w[0].isupper()}
    return frozenset(keep)


def sentence_case(text: str, keep: frozenset[str]) -> str:
    """« Soutien de Direction à Temps Partagé » → « Soutien de direction à temps partagé »: English-style
    Title Case is not French; the author's proper words (Associé Opérationnel & Stratégique, COO) stay."""
    first = True

    def lower(m: re.Match[str]) -> str:
        nonlocal first
        word = m.group(0)
        if first:
            first = False
            return word
        if word in keep or not word[0].isupper() or any(c.isupper() for c in word[1:]) or word[1:2] == "-":
            return word  # a proper word, an acronym, LinkedIn, C-level
        return word[0].lower() + word[1:]

    out = _WORD.sub(lower, text)
    return out


def _words(text: str) -> int:
    from plume.markdown import count_words

    return count_words(text)


def query_of(brief: Brief) -> str:
    return " ".join([brief.topic, brief.angle or "", *brief.facts])


def topic_reader(topic: str, house) -> str | None:
    """The reader a brief's topic is about, when it opens on one of the audiences' roles (« Le COO qui a
    la tête dans le guidon », « Épauler un Chief of Staff interne débordé »); None for a topic about a
    thing (« Le duo COO et Chief of Staff », « L'isolement du dirigeant »)."""
    roles = sorted({r for a in house.audiences.values() for r in a.roles}, key=len, reverse=True)
    if not roles:
        return None
    head = re.compile(r"^(?:[^\W\d_]+(?:er|ir|re)\s+)?(?:le|la|l[’']|un|une|votre)\s*("
                      + "|".join(re.escape(r) for r in roles) + r")\b", re.IGNORECASE)
    m = head.match(topic.strip())
    return m.group(1) if m else None


def about_another(topic: str, house, audience: str, beside: bool = False) -> bool:
    """The topic is about another audience's reader (« Le COO qui… » on a page for a founder); `beside`:
    the people this reader works with count as theirs (a fact may speak of them)."""
    role = topic_reader(topic, house)
    a = house.audience(audience)
    own = {r.lower() for r in [*a.roles, *(a.works_with if beside else [])]}
    return role is not None and role.lower() not in own


# a word that points back at something the reader must already have met: a demonstrative (« Ce duo »),
# « un tel associé », or a pair (« Le binôme ») — a pair is always a given one
_POINTER = re.compile(r"^(?:Ce|Cet|Cette|Ces)\s+([^\W\d_][\w-]{2,})"
                      r"|\b(?:le|du|au|l[’'])\s*((?:binôme|duo|tandem|trio)s?)\b"
                      r"|\b(?:un|une|de)\s+tel(?:le)?s?\s+([^\W\d_][\w-]{2,})", re.IGNORECASE)


def dangling(sentence: str, before: list[str]) -> str | None:
    """The word of `sentence` that points back at something none of `before` names (« Le binôme
    renforce… » when no pair was introduced, « Qu'attendriez-vous d'un tel associé ? » after an offer of a
    COO externe), else None."""
    from plume.write.material import fold

    seen = {fold(w) for w in _WORD.findall(" ".join(before)) if len(w) >= 3}
    for m in _POINTER.finditer(sentence):
        noun = fold(next(g for g in m.groups() if g))
        k = min(5, len(noun))
        if not any(w[:k] == noun[:k] for w in seen):
            return m.group(0)
    return None


# --- landing ---------------------------------------------------------------------------------------


@dataclass
class LandingPlan:
    pains: list[str]
    offer: str
    facts: list[str]
    dimensions: list[tuple[str, str]]
    benefits: list[str]
    steps: list[str]
    cta: str
    fallback: dict[str, str] = field(default_factory=dict)
    more: list[str] = field(default_factory=list)  # the author's sentences after the offer
    closing: str = ""  # the author's « En résumé : » before the call to action, when the page is short
    keep: frozenset[str] = frozenset()  # the author's proper words (sentence case keeps them)

    def material(self) -> list[str]:
        return [*self.pains, self.offer, *self.more, *self.facts, *(r for _, r in self.dimensions),
                *self.benefits, *self.steps]

    def said(self) -> list[str]:
        """The author's sentences on the page (a model field must not say them again)."""
        return [*self.pains, self.offer, *self.more, *self.facts, *self.benefits, *self.steps, self.closing, self.cta]


def plan_landing(brief: Brief, audience: str, house, corpus, words: int) -> LandingPlan:
    """The author's sentences for the page, chosen and ordered for the brief, sized for `words`."""
    from plume.write.material import is_prose, is_situation

    q = query_of(brief)
    pieces = clean_pieces(house_pieces(house, audience), house, audience)
    kind = lambda k: [p for p in pieces if p.kind == k]  # noqa: E731
    a = house.audience(audience)
    offer = noref(a.offer)
    dimensions = [(d.name, noref(d.role)) for d in house.dimensions]
    steps = [p.text for p in kind("step")] or [noref(s) for s in a.steps]
    steps = steps[:1] + [t for t in steps[1:] if distinct(t, [offer])]  # the trial first; no step restating the offer
    title = re.sub(r"\s*[.?!]+$", "", noref(brief.topic))
    # the brief's topic is the title unless it is in words this reader does not use (« Chief of Staff » to
    # a founder) or about another reader (« Le COO qui… » on a founder's page)
    topic_title = bool(clean_pieces([Piece(title, "title", "brief")], house, audience)) \
        and not about_another(title, house, audience)
    shown = title if topic_title else ""
    kept_facts = brief_facts(brief, house, audience, shown)
    cta = brief_cta(brief, "landing", [shown, offer, *kept_facts])
    taken = [offer, *(r for _, r in dimensions), *steps, cta]
    facts, own = [], {"pain": [], "benefit": []}
    for f in kept_facts:
        if distinct(f, taken):
            k = fact_kind(f, house)
            (own[k] if k else facts).append(f)
            taken.append(f)
    # a fact that is one of the house's pains or benefits goes where the page says those (« Jongler entre
    # la stratégie… » is a pain, not what I propose); the brief's own come first
    n_pains, n_benefits = 3, 3
    pains = [Piece(t, "pain", "brief") for t in own["pain"]] + pick(kind("pain"), q, 5 - len(own["pain"]), taken)
    benefits = [Piece(t, "benefit", "brief") for t in own["benefit"]] + \
        pick(kind("benefit"), q, 7, taken + [p.text for p in pains])

    def total(np: int, nb: int) -> int:
        body = [*(p.text for p in pains[:np]), offer, *facts, *(f"{n} : {r}" for n, r in dimensions),
                *(b.text for b in benefits[:nb]), *steps, cta, "Vous vous reconnaissez ? Trois dimensions "
                "Ce que vous y gagnez Comment ça se passe Ce que je vous propose"]
        return sum(_words(t) for t in body) + FIELD_WORDS["landing"]

    while total(n_pains, n_benefits) < words * 0.97:
        grown = False
        if n_benefits < len(benefits) and total(n_pains, n_benefits + 1) <= words * 1.12:
            n_benefits += 1
            grown = True
        if n_pains < len(pains) and total(n_pains, n_benefits) < words * 0.97 \
                and total(n_pains + 1, n_benefits) <= words * 1.12:
            n_pains += 1
            grown = True
        if not grown:
            break
    chosen_pains = [p.text for p in pains[:n_pains]]
    chosen_benefits = [b.text for b in benefits[:n_benefits]]
    sentences = clean_pieces([p for p in corpus_pieces(house, corpus, audience) if p.kind == "sentence"],
                             house, audience)
    used = [*chosen_pains, *chosen_benefits, *taken]
    # what the reader gets, said to « vous » (a note's « Vous jonglez… » is a founder's day, not a promise)
    subtitle = next((p.text for p in rank(sentences, q)
                     if p.text.startswith("Vous ") and not is_situation(p.text) and distinct(p.text, used)),
                    house.preferred[0] if house.preferred else offer)
    used.append(subtitle)
    missing = words * 0.97 - total(n_pains, n_benefits) - _words(subtitle) + FIELD_WORDS["landing"] // 2
    more: list[str] = []
    for p in rank([p for p in sentences if is_prose(p.text) and not is_situation(p.text)
                   and not p.text.startswith("En résumé")], q):
        if missing <= 8 or len(more) >= 4:
            break
        if distinct(p.text, used) and _words(p.text) <= missing + 8 and stands_alone(p.text):
            more.append(p.text)
            used.append(p.text)
            missing -= _words(p.text)
    summary = next((p.text for p in sentences if p.text.startswith("En résumé") and distinct(p.text, used)), "")
    closing = summary if summary and missing > 12 else ""
    if not topic_title:  # the house's opening question closest to the brief stands in
        title = authored_hook(brief, house, audience, used)
    keep = proper_words(house, [p.text for p in sentences] + [offer, *chosen_pains, *chosen_benefits, *steps]) \
        | {w for w in _WORD.findall(brief.topic)[1:] if w[0].isupper()}
    return LandingPlan(chosen_pains, offer, facts, dimensions, chosen_benefits, steps, cta,
                       fallback={"title": title, "subtitle": subtitle}, more=more, keep=keep, closing=closing)


def render_landing_plan(plan: LandingPlan, fields: dict[str, str]) -> str:
    title = fields.get("title")
    if title and title != plan.fallback["title"]:  # the model's title; the brief's topic is the user's words
        title = sentence_case(title, plan.keep)
    lines = [f"# {title or plan.fallback['title']}", ""]
    if fields.get("subtitle"):
        lines += [sentence_case(fields["subtitle"], plan.keep), ""]
    lines += ["### Vous vous reconnaissez ?", "", *(f"- {p}" for p in plan.pains), ""]
    # one fact is a sentence, not a list of one (« Tenir vraiment la vision… » after the offer becomes what I
    # help the reader do); in a list, an infinitive reads as what I propose
    inline = [as_clause(f) for f in plan.facts] if len(plan.facts) < 2 else []
    lines += ["### Ce que je vous propose", "", " ".join([plan.offer, *plan.more, *inline]), ""]
    if plan.facts and not inline:
        lines += [*(f"- {f}" for f in plan.facts), ""]
    lines += ["### Trois dimensions", "", *(f"- **{n}** : {r[0].lower()}{r[1:]}" for n, r in plan.dimensions), ""]
    lines += ["### Ce que vous y gagnez", "", *(f"- {b}" for b in plan.benefits), ""]
    lines += ["### Comment ça se passe", "", *(f"{i}. {s}" for i, s in enumerate(plan.steps, 1)), ""]
    if plan.closing:
        lines += [plan.closing, ""]
    lines += [f"**{plan.cta}**", ""]
    return "\n".join(lines)


# --- LinkedIn --------------------------------------------------------------------------------------


@dataclass
class PostPlan:
    paragraphs: list[list[str]]
    intro: str
    bullets: list[str]
    cta: str
    hashtags: list[str]
    fallback: dict[str, str] = field(default_factory=dict)

    def material(self) -> list[str]:
        return [*(s for p in self.paragraphs for s in p), self.intro, *self.bullets]

    def said(self) -> list[str]:
        """The author's sentences in the post (a model field must not say them again)."""
        return [*(s for p in self.paragraphs for s in p), self.cta]


def _bullet_groups(house, corpus, audience: str) -> list[tuple[str, list[str]]]:
    """Lists the author wrote (intro line, items): the verbs of 000, the three dimensions, the benefits."""
    groups: dict[str, list[str]] = {}
    for p in clean_pieces([p for p in corpus_pieces(house, corpus, audience) if p.kind == "item"], house, audience):
        groups.setdefault(p.name, []).append(p.text)
    out = [(intro, items) for intro, items in groups.items() if len(items) >= 3]
    out.append(("Mon positionnement en trois dimensions :",
                [f"{d.name} : {noref(d.role)[0].lower()}{noref(d.role)[1:]}" for d in house.dimensions]))
    return out


def plan_post(brief: Brief, audience: str, house, corpus, words: int) -> PostPlan:
    """The author's sentences for the post, sized for `words`: the reader's situation, the brief's facts,
    one of the author's lists, what the reader gains; closest to the brief first, none saying another's."""
    from plume.write.material import echoes, is_line, is_prose, is_situation, says_again, similarity, stems

    q = query_of(brief)
    qs = stems(q)
    groups = _bullet_groups(house, corpus, audience)
    # the list closest to the brief, unless a fact kept beside it, or the offer, says its items in short
    # (« Prendre du recul, prioriser, structurer… » above « • prendre du recul quand tout va trop vite »);
    # a fact the list says in full gives way to the list
    offer_stems = stems(house.audience(audience).offer)

    def echoed(items: list[str]) -> bool:
        said_in_offer = sum(bool(stems(i.split()[0]) & offer_stems) for i in items if i.split())
        return said_in_offer >= 2 or any(distinct(_sentence(f), items, 0.5)
                                         and len(stems(f) & stems(" ".join(items))) >= 3 for f in brief.facts)

    fresh = [g for g in groups if not echoed(g[1])] or groups
    intro, items = max(fresh, key=lambda g: similarity(stems(" ".join(g[1])), qs))
    ranked = rank([Piece(t, "item", "") for t in items], q)[:4 if words >= 170 else 3]
    bullets = [t for t in items if t in {p.text for p in ranked}]  # the author's order
    offer_said = noref(house.audience(audience).offer)
    kept_facts = brief_facts(brief, house, audience)  # a post does not show the topic
    cta = brief_cta(brief, "linkedin", [offer_said, *kept_facts])
    taken = [*bullets, cta]
    facts, situation_fact = [], []
    for f in kept_facts:  # the brief's own words: kept unless a bullet or the offer says them
        if len(facts) < 2 and distinct(f, bullets, 0.5) and distinct(f, [offer_said], 0.5) and f not in facts:
            if fact_kind(f, house) == "pain":  # the reader's situation, not what I offer (« Je vous aide à jongler… »)
                if situation_fact or not is_line(f):
                    continue  # an infinitive cut from a list: the hook and the house's pains say it
                situation_fact.append(f)
            else:
                facts.append(f)
            taken.append(f)
    house_side = [p for p in clean_pieces(house_pieces(house, audience), house, audience)
                  if p.kind in ("pain", "offer")]
    corpus_side = clean_pieces([p for p in corpus_pieces(house, corpus, audience) if p.kind == "sentence"],
                               house, audience)
    a = house.audience(audience)
    offer = _sentence(noref(a.offer))
    offer = f"Je vous propose {offer[0].lower()}{offer[1:]}" if offer[:3] in ("Un ", "Une") else offer  # a clause
    hook = authored_hook(brief, house, audience, [*bullets, cta, *situation_fact], facts)
    common = " ".join([offer, *house.verbs, "à temps partagé", "temps plein"])  # the house's own words recur
    # the question stays on the brief; a fact it echoes gives way (« Avec qui partagez-vous vraiment la
    # conduite de votre stratégie ? » then « Je vous aide à tenir vraiment la vision et la conduite de la
    # stratégie. »)
    facts = [as_clause(f) for f in facts if not echoes(f, [hook], common)]
    taken += [hook, offer]
    prose = [Piece(_sentence(p.text), p.kind, p.source) for p in house_side + corpus_side
             if is_prose(p.text) and p.kind != "offer"]
    situation = [p for p in prose if is_situation(p.text)]
    # the reader's own pains (the house file's, for this audience) before the notes' sentences, which
    # may speak of another reader (a founder's day in a post to a Chief of Staff)
    pains = [Piece(_sentence(p.text), p.kind, p.source) for p in house_side if p.kind == "pain" and is_line(p.text)]
    answer = [p for p in prose if p.kind != "pain" and not is_situation(p.text) and not p.text.startswith("En résumé")]
    summary = [p for p in prose if p.text.startswith("En résumé")]
    budget = words - FIELD_WORDS["linkedin"] - sum(_words(t) for t in [intro, *bullets, cta, *facts, *situation_fact,
                                                                          hook, offer]) - 3

    def take(pieces: list[Piece], k: int) -> list[str]:
        nonlocal budget
        out = []
        for p in rank(pieces, q):
            if len(out) >= k or budget <= 6:
                break
            if distinct(p.text, taken) and not says_again(p.text, taken) and not echoes(p.text, taken, common) \
                    and _words(p.text) <= budget + 6:
                out.append(p.text)
                taken.append(p.text)
                budget -= _words(p.text)
        return out

    # the reader's situation; what I offer and the brief's facts; (the list); what the reader gains;
    # the author's summary when there is room
    first = situation_fact or take(pains, 1) or take(situation, 1)
    gains = take(answer, 2)
    closing = take(summary, 1) if budget > 20 else []
    gains += take(answer, 1) if budget > 14 else []
    paragraphs = [first, [offer, *facts], gains, closing]
    tags = house.audience(audience).hashtags
    ranked_tags = rank([Piece(t, "tag", "") for t in tags[1:]], q)[:2]
    hashtags = tags[:1] + [p.text for p in ranked_tags]
    return PostPlan([p for p in paragraphs if p], intro, bullets, cta, hashtags,
                    fallback={"hook": hook, "bridge": ""})


def brief_facts(brief: Brief, house, audience: str, shown: str = "") -> list[str]:
    """The brief's facts as sentences, with the house's typographic apostrophes; those the critic faults for
    this reader are left out (a fact written for another reader: « Un COO externe… » in a page for a Chief
    of Staff, whose offer is another), as the house's and the notes' sentences are; so is a fact that
    points back at what neither `shown` (the page's title, when it is the topic) nor an earlier fact names
    (« Le binôme renforce… » after « Le COO pilote… »), and one about another reader (« Le COO pilote les
    opérations… » after the offer made to a founder reads as a stray remark on a third person)."""
    facts = [_sentence(noref(f)) for f in brief.facts if f.strip()]
    ok = {p.text for p in clean_pieces([Piece(f, "fact", "brief") for f in facts], house, audience)}
    kept: list[str] = []
    for f in facts:
        if f in ok and not dangling(f, [shown, *kept]) and not about_another(f, house, audience, beside=True):
            kept.append(f)
    return kept


# a call to action a page cannot take (« Dites-le en commentaire. »: a landing page has no comments)
_POST_ONLY = re.compile(r"\bcommentaires?\b|\bcommentez\b", re.IGNORECASE)


def brief_cta(brief: Brief, format: str, before: list[str]) -> str:
    """The brief's call to action, word for word, less a sentence the format cannot take (a comment on a
    landing page); the house's when what is left points back at what the piece does not name
    (« Qu'attendriez-vous d'un tel associé ? » after an offer of « COO externe »)."""
    cta = noref(brief.cta or DEFAULT_CTA)
    if format == "landing":
        sentences = [t for t in re.split(r"(?<=[.!?…])\s+", cta) if t]
        cta = " ".join(t for t in sentences if not _POST_ONLY.search(t))
    if not cta or dangling(cta, before):
        return DEFAULT_CTA
    return cta


def fact_kind(fact: str, house) -> str | None:
    """« pain » when a brief's fact is one of the house's pains (any audience's: a fact may be written from
    another reader's notes), « benefit » when it is one of the house's benefits, else None (what I offer)."""
    from plume.write.material import similarity, stems

    mine = stems(fact)
    same = lambda texts: any(similarity(mine, stems(noref(t))) >= 0.6 for t in texts)  # noqa: E731 - the same words
    if same(p for a in house.audiences.values() for p in a.pains):
        return "pain"
    if same(house.benefits):
        return "benefit"
    return None


_INFINITIVE = re.compile(r"^(?!(?:Notre|Votre|Autre|Entre|Contre|Premier|Dernier)\b)([^\W\d_]+(?:er|ir|re))\b")


def as_clause(fact: str) -> str:
    """A brief's fact written as notes (« Prendre du recul, prioriser, structurer, piloter, débloquer. »)
    reads as a list once glued after the offer: it becomes what I help the reader do (« Je vous aide à
    prendre du recul, prioriser, structurer, piloter et débloquer. »). Other facts stay word for word."""
    m = _INFINITIVE.match(fact)
    if not m or stands_alone(fact):
        return fact
    rest = fact[0].lower() + fact[1:]
    if " et " not in rest and rest.count(",") >= 1:
        head, _, last = rest.rpartition(", ")
        rest = f"{head} et {last}"
    return f"Je vous aide à {rest}"


def authored_hook(brief: Brief, house, audience: str, taken: list[str], facts: list[str] = ()) -> str:
    """The opening line when the model's is refused: the brief's topic when it is a question (the
    user's own words), else the house's opening question closest to the brief, among those that repeat
    nothing `taken` says and say no fact of the brief again (a question may touch a fact's theme: that
    is what keeps it on the brief)."""
    from plume.write.material import says_again, stems, similarity

    topic = _line(noref(brief.topic))
    if topic.endswith("?"):
        return topic
    hooks = [noref(h) for h in house.audience(audience).hooks]
    if not hooks:
        pains = [noref(p) for p in house.audience(audience).pains]
        return _sentence(pains[0]) if pains else topic
    q = stems(query_of(brief))
    fresh = [h for h in hooks if distinct(h, taken) and not says_again(h, list(facts))] or hooks
    return max(fresh, key=lambda h: (similarity(stems(h), q), -hooks.index(h)))


def render_post_plan(plan: PostPlan, fields: dict[str, str], markdown: bool = False) -> str:
    """Hook, the reader's situation, the bridge and the facts, the author's list, the gains, the call to
    action, the hashtags."""
    hook = fields.get("hook") or plan.fallback["hook"]
    blocks = [f"**{hook}**" if markdown else hook]
    paragraphs = [list(p) for p in plan.paragraphs]
    if fields.get("bridge"):
        at = 1 if len(paragraphs) > 1 else 0
        paragraphs[at:at] = [[fields["bridge"]]] if at >= len(paragraphs) else []
        if at < len(paragraphs):
            paragraphs[at].insert(0, fields["bridge"])
    mark = "- " if markdown else "• "
    listed = "\n".join([plan.intro, *(mark + b for b in plan.bullets)])
    texts = [" ".join(p) for p in paragraphs if p]
    tail = [t for t in texts[2:]]
    blocks += texts[:2] + [listed] + tail
    blocks.append(plan.cta)
    blocks.append(" ".join(f"#{t}" for t in plan.hashtags))
    return "\n\n".join(b for b in blocks if b) + "\n"


# --- the job ---------------------------------------------------------------------------------------


def _fields_of(completion, schema, format: str) -> dict[str, str] | None:
    from plume.write.render import parse_structured

    parsed = completion.parsed if isinstance(completion.parsed, schema) else parse_structured(completion.text, schema)
    if parsed is None:
        return None
    out = {}
    for name in FIELDS[format]:
        value = _line(getattr(parsed, name, "") or "")
        out[name] = value
    return out


def compose_job(brief: Brief, audience: str, format: str, *, house, corpus=None, backend=None,
                candidates: int = 3, attempts: int = 3, repair: bool = True, markdown: bool = False,
                budget: int | None = None, command: str = "generate", temperature: float = 0.7,
                words: int | None = None) -> Job:
    """The composition pipeline as a job (see plume.write.loop): yields batches of calls."""
    from plume import prompts
    from plume.corpus import load_corpus
    from plume.lint.target import Target

    corpus = corpus or load_corpus()
    house.audience(audience)
    words = words or brief.words or house.format(format).default_words
    if format == "landing":
        plan: Any = plan_landing(brief, audience, house, corpus, words)
        schema: type = LandingHead
        render = lambda f: render_landing_plan(plan, f)  # noqa: E731
    elif format == "linkedin":
        plan = plan_post(brief, audience, house, corpus, words)
        schema = PostHead
        render = lambda f: render_post_plan(plan, f, markdown)  # noqa: E731
    else:
        from plume.errors import InputError

        raise InputError(f"format {format!r}: composition knows landing and linkedin")
    prompt = prompts.compose_prompt(brief, audience, format, plan.material(), house=house, backend=backend,
                                    budget=budget)
    target = Target(audience=audience, format=format, cta=plan.cta, words=brief.words,
                    instructions=prompt.instructions, material="\n".join([query_of(brief), *plan.material()]))
    critic = Critic(house, target)
    meta = {"command": command, "audience": audience, "format": format, "strategy": "compose"}
    tally = Tally()
    pool: list[Candidate] = []
    stats = {"calls": 0, "field_repairs": 0, "dropped": 0, "repair_tokens": 0, "gated": 0}

    context = [query_of(brief), *plan.material()]

    def refused_for(name: str, value: str) -> list[str]:
        why = refusals(name, value, topic=brief.topic, context=context, said=plan.said())
        if name == "title" and about_another(value, house, audience):
            why.append(f"un titre sur un autre lecteur (« {topic_reader(value, house)} »)")
        return why

    def gated(fields: dict[str, str]) -> tuple[dict[str, str], dict[str, list[str]]]:
        """The model's fields that pass the gate (plume.write.gate); the author's in place of the rest."""
        out, refused = {}, {}
        for name, value in fields.items():
            why = refused_for(name, value)
            if why:
                refused[name] = why
                out[name] = plan.fallback.get(name, "")
            else:
                out[name] = value
        return out, refused

    def judge(fields: dict[str, str], origin: str, history_id=None, refused=None) -> Candidate:
        fixed = {}
        for name, value in fields.items():
            fixed[name] = critic.fix_field(value)[0].strip() if value else ""
        draft = render(fixed)
        text, result = critic.fix(draft)
        c = Candidate(text=text, draft=draft, errors=result.errors, warnings=result.warnings, words=_words(text),
                      requested_words=words, rules=sorted({v.rule for v in blocking(result.violations)}),
                      origin=origin, history_id=history_id, fields=fixed, violations=as_dicts(result.violations),
                      refused=refused or {})
        pool.append(c)
        return c

    def result(best: Candidate, why: str, first_pass: Candidate, rounds: int) -> WriteResult:
        record(pool, best, why)
        whole = 2 * words + 120  # what asking the whole piece again would have cost in completion tokens
        return WriteResult(
            text=best.text,
            audience=audience,
            format=format,
            brief=brief,
            violations=best.violations,
            first_pass_violations=first_pass.violations,
            attempts=rounds,
            errors=best.errors,
            warnings=best.warnings,
            strategy="compose",
            candidates=pool,
            winner=pool.index(best),
            winner_reason=why,
            model_calls=stats["calls"],
            field_repairs=stats["field_repairs"],
            dropped_fields=stats["dropped"],
            repair_tokens=stats["repair_tokens"],
            tokens_saved=max(0, (rounds - 1) * whole - stats["repair_tokens"]),
            lints=critic.lints,
            **tally.fields(),
        )

    prefer_author = author_first(backend)
    if prefer_author:  # the author's material alone wins any tie: when the critic finds it clean, no answer can beat it
        own = judge(dict(plan.fallback), "fallback")
        if own.clean:
            score_voice(pool, corpus)
            return result(own, AUTHOR_CLEAN, own, 0)
    n = max(1, candidates)
    answers = yield [Call(prompt.messages, 160, schema, temperature, {**meta, "candidate": i}) for i in range(n)]
    stats["calls"] += n
    first: list[Candidate] = []
    for a in answers:
        tally.add(a)
        if isinstance(a, Unusable):
            continue
        got = _fields_of(a, schema, format)
        if got is not None:
            got, refused = gated(got)
            stats["gated"] += len(refused)
            first.append(judge(got, "model", a.history_id, refused))
    fallback = own if prefer_author else judge(dict(plan.fallback), "fallback")
    first_pass = min(first, key=Candidate.key) if first else fallback
    rounds = 1
    drawn = lambda: [c for c in pool if c.origin != "fallback"]  # noqa: E731 - repairs start from an answer
    best = choose(drawn())[0] if drawn() else fallback
    while repair and drawn() and not best.clean and rounds < max(1, attempts):
        faults = {k: v for k, v in _faults(best, critic).items() if best.fields.get(k) != plan.fallback.get(k)}
        if not faults:  # global: try each model field replaced by the author's fallback (no model call)
            for name in best.fields:
                if best.fields[name] and best.fields[name] != plan.fallback.get(name, ""):
                    judge({**best.fields, name: plan.fallback.get(name, "")}, f"fallback:{name}")
            break
        calls, asked = [], []
        for name, problems in faults.items():
            if name in DROPPABLE:
                judge({**best.fields, name: ""}, f"drop:{name}")
                stats["dropped"] += 1
            elif name in best.fields and best.fields[name]:
                p = prompts.field_repair_prompt(name, best.fields[name], problems, audience, format, house=house,
                                                backend=backend, topic=brief.topic)
                calls.append(Call(p.messages, 90, field_schema(FIELD_CHARS[name]), 0.5, {**meta, "repair": name}))
                asked.append(name)
        if calls:
            answers = yield calls
            stats["calls"] += len(calls)
            stats["field_repairs"] += len(calls)
            rounds += 1
            fields = dict(best.fields)
            for name, a in zip(asked, answers):
                tally.add(a)
                if isinstance(a, Unusable):
                    continue
                stats["repair_tokens"] += a.usage.completion_tokens
                value = _repaired_value(a)
                why = refused_for(name, value) if value else []
                if why:
                    stats["gated"] += 1
                    value = ""
                if value:
                    fields[name] = value
                    judge({**best.fields, name: value}, f"repair:{name}", a.history_id)
            if len(asked) > 1:
                judge(fields, "repair:" + "+".join(asked))
        previous = best
        best = choose(drawn())[0]
        if best is previous:
            break
    score_voice(pool, corpus)
    best, why = choose(pool, author_first=prefer_author)
    return result(best, why, first_pass, rounds)


AUTHOR_CLEAN = ("the author's material alone, clean: it wins a tie on this backend, so no model call was made "
                "([compose] prefer = \"model\" asks the model)")


def author_first(backend) -> bool:
    """Whether the author's material wins a tie with the model's fields: plume.toml `[compose] prefer =
    "author"` or `"model"`, else the backend's own measure (the embedded default: the author)."""
    from plume.config import section

    prefer = section("compose").get("prefer")
    if prefer in ("author", "model"):
        return prefer == "author"
    if prefer is not None:
        from plume.errors import InputError

        from plume.config import find_config

        raise InputError(f"{find_config()}: [compose] prefer = {prefer!r}: use \"author\" or \"model\"")
    return backend is not None and backend.author_wins_ties


def _repaired_value(completion) -> str:
    from plume.write.render import parse_structured

    parsed = parse_structured(completion.text, field_schema(400))
    return _line(parsed.value) if parsed is not None else ""


def _faults(best: Candidate, critic: Critic) -> dict[str, list[str]]:
    """The model-written fields the critic faults in `best`, with the messages (a field alone, then the
    whole text's violations on it or quoting it); {} when every fault lies in the author's material."""
    from plume.write.material import overlap

    faults: dict[str, list[str]] = {}
    for name, value in best.fields.items():
        if not value:
            continue
        alone = critic.lint(value, critic.field_target())
        problems = [v.message for v in blocking(alone.violations)]
        start = best.text.find(value)
        end = start + len(value)
        for v in best.violations:
            if v["severity"] not in ("error", "warning") or v["message"] in problems:
                continue
            inside = start >= 0 and v["start"] < end and v["end"] > start
            quoted = bool(v["text"]) and (v["text"] in value or overlap(v["text"], value) >= 0.5)
            if inside or quoted:
                problems.append(v["message"])
        if problems:
            faults[name] = problems
    return faults
