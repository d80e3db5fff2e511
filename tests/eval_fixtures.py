"""Canned model answers for the eval tests: known violations, lengths and dimension mentions."""

from __future__ import annotations

import json

from scripted_server import Reply, error_body

from plume.house import load_house


# pme/linkedin, first answer: "C-level" (jargon-pme, error, no fix) + "Chief of Staff externe"
# (designation-externe, safe fix) → 2 banned hits before fixes, not clean after the fixes.
PME_POST_FIRST = {
    "hook": "Vous jonglez entre la stratégie et les urgences ?",
    "paragraphs": ["Un regard C-level aide à trier les priorités.",
                   "Je travaille comme Chief of Staff externe auprès des dirigeants."],
    "bullets": [], "closing": "Qu'en pensez-vous ?", "hashtags": [],
}
# after repair: clean, 8 + 8 + 9 + 2 = 27 words
PME_POST_REPAIRED = {
    "hook": "Vous jonglez entre la stratégie et les urgences ?",
    "paragraphs": ["Un regard extérieur aide à trier les priorités.",
                   "Je travaille comme Associé Opérationnel & Stratégique auprès des dirigeants."],
    "bullets": [], "closing": "Qu'en pensez-vous ?", "hashtags": [],
}
# coo/linkedin: clean at once, 10 + 8 + 9 + 1 = 28 words
COO_POST = {
    "hook": "Votre directeur des opérations a la tête dans le guidon ?",
    "paragraphs": ["Un regard décalé aide à débloquer les situations.",
                   "Un soutien à temps partagé complète le rôle interne."],
    "bullets": [], "closing": "Parlons-en.", "hashtags": [],
}


def landing(subtitle: str) -> dict:
    return {
        "title": "Garder le cap sans recruter à temps plein",
        "subtitle": subtitle,
        "pains": ["Tout semble urgent.", "Les journées sont trop courtes."],
        "dimensions": [
            {"name": "Sparring Partner", "role": "Je challenge vos arbitrages."},
            {"name": "Architecte", "role": "Je structure votre organisation."},
            {"name": "Éclaireur", "role": "Je débloque ce qui stagne."},
        ],
        "benefits": ["Un regard extérieur.", "Du temps gagné.", "Des résultats mesurables."],
        "how_it_works": ["Un premier échange.", "Un test à temps partagé."],
        "call_to_action": "Prenons rendez-vous.",
    }


PME_LANDING = landing("Un soutien à temps partagé pour la direction.")  # clean at once
# coo/landing: "Operating Partner" (operating-partner, warning, no fix) in every answer → 3 attempts
COO_LANDING = landing("Un Operating Partner à temps partagé pour vos opérations.")


def request_kind(body: dict) -> tuple[str, str, bool]:
    """(audience, format, is_repair) of a chat request from plume.write."""
    text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    name = (body.get("response_format") or {}).get("json_schema", {}).get("name", "")
    fmt = "landing" if "Landing" in name else "linkedin"
    audience = next((key for key, a in load_house().audiences.items()
                     if f"Lecteur : {a.reader}" in text or f"Lecteur : {a.label}" in text), "?")
    return audience, fmt, "enfreint les règles de la maison" in text


def responder(fail: tuple[str, str] | None = None):
    """A responder for ScriptedServer: 100 prompt + 50 completion tokens per call."""

    def answer(body: dict) -> Reply:
        audience, fmt, repair = request_kind(body)
        if fail == (audience, fmt):
            return Reply(status=400, body=error_body(400, "scripted failure"))
        if (audience, fmt) == ("pme", "linkedin"):
            data = PME_POST_REPAIRED if repair else PME_POST_FIRST
        elif (audience, fmt) == ("coo", "linkedin"):
            data = COO_POST
        elif (audience, fmt) == ("pme", "landing"):
            data = PME_LANDING
        else:
            data = COO_LANDING
        return Reply(content=json.dumps(data, ensure_ascii=False), prompt_tokens=100, completion_tokens=50)

    return answer


BRIEFS_YAML = """\
briefs:
  - id: alpha
    topic: "Sujet Alpha : prendre du recul"
    angle: "Quand tout est urgent."
    facts: ["Un test à temps partagé."]
    words: {linkedin: 30, landing: 90}
"""
