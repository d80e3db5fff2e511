"""The gate on model-written fields: examples the embedded model wrote in the eval outputs of
docs/quality/embedded-default (each refused for the reason a reader gave), and fields that pass."""

from __future__ import annotations

import pytest

from plume.house import load_house
from plume.write.gate import refusals

TOPIC = "Le coût d'un soutien à temps partagé comparé à un recrutement à temps plein"
CONTEXT = [*load_house().audience("coo").pains,
    "Payer le bon niveau de séniorité au bon moment plutôt qu'un poste à temps plein qu'on n'occupe pas toute la semaine."]


@pytest.mark.parametrize("name, value, reason", [
    ("hook", "J’ai une grande responsabilité comme COO interne, et je ne sais pas comment la faire gagner.", "« je »"),
    ("hook", "Avec mes journées courtes, mes urgences submergent, je ne peux pas prendre du recul.", "« je »"),
    ("hook", "Quand l’un des deux directeurs des opérations semble avoir le cap, qui décide d’abandonner le travail ?",
     "ne s’adresse pas au lecteur"),
    ("hook", "Vous avez besoin d’un soutien à temps partagé. Comment faites-vous pour gérer cette charge ?", "2 phrases"),
    ("title", "Comment trouver une solution qui rend le COO externe efficace et rentable", "hors sujet"),
    ("title", "Bienvenue à la direction : une charge invisible de structure", "parle du texte"),
    ("subtitle", "Un Guide pour Améliorer la Clarté et Gagner l’Équipe", "hors sujet"),
    ("bridge", "Si vous pouviez me donner des conseils sur le coût d’un recrutement, je serais reconnaissant.",
     "à la place du client"),
    ("bridge", "Mon accroche est : le coût d’un temps partagé comparé à un temps plein.", "parle du texte"),
    # embedded-default at 79284b3: the topic with a formula glued on, or the audience's tone as a title
    ("title", "Le coût d’un soutien à temps partagé comparé à un recrutement à temps plein : une solution efficace",
     "en deux temps"),
    ("title", "Opérationnel et concret : le coût d’un soutien à temps partagé face au temps plein", "en deux temps"),
    # embedded-default at 49aa07d: the tone instruction copied as a statement; « ainsi » before the offer
    ("bridge", "Vous expliquez-vous en termes d’exécution, de processus, de cadence.", "tournure de question"),
    ("bridge", "Vous pourrez ainsi prendre du recul sur le coût d’un recrutement à temps plein.", "renvoie à ce qui précède"),
    # embedded-default at be93ea3: the subject twice, a spoken word order, a hook that sells the offer
    ("hook", "Vous êtes toujours prêt à prendre du recul, mais vous vous sentez-vous pris au sérieux ?",
     "le sujet dit deux fois"),
    ("hook", "Comment vous passez vos journées face au coût d’un recrutement à temps plein ?", "l’ordre de l’oral"),
    ("hook", "Pour quelles raisons avez-vous besoin d’un COO externe à temps partagé pour sortir la tête de l’eau ?",
     "nomme l’offre"),
    # embedded-default at 3184dbf: an infinitive for the verb; the same word twice in one sentence
    ("hook", "Comment vous gérer votre quotidien quand le coût d’un recrutement à temps plein monte ?", "l’ordre de l’oral"),
    ("bridge", "Lorsque le COO interne est sur une tâche cruciale, il est crucial de peser le coût d’un temps plein.",
     "un mot dit deux fois (« cruciale », « crucial »)"),
    ("title", "Le COO qui porte encore le coût d’un temps plein de COO", "un mot dit deux fois (« COO », « COO »)"),
    # embedded-default at 2f936b8: an agency's « nous » where the author says « je »
    ("bridge", "Nous pouvons vous aider à peser le coût d’un recrutement à temps plein.", "« nous »"),
])
def test_what_a_reader_would_not_post_is_refused(name, value, reason):
    why = refusals(name, value, topic=TOPIC, context=CONTEXT)
    assert any(reason in w for w in why), why


@pytest.mark.parametrize("name, value", [
    ("hook", "Un recrutement à temps plein vous coûte plus que le temps qu’il vous fait gagner ?"),
    ("title", "Le coût d’un soutien à temps partagé face à un recrutement à temps plein"),
    ("subtitle", "Vous payez le bon niveau de séniorité au bon moment, sans poste à temps plein."),
    ("bridge", "Je vous propose un soutien à temps partagé : vous payez le temps dont vous avez besoin."),
    ("hook", "Avez-vous chiffré ce que vous coûte un recrutement à temps plein ?"),
])
def test_fields_on_the_brief_in_the_authors_voice_pass(name, value):
    assert refusals(name, value, topic=TOPIC, context=CONTEXT) == []


def test_an_empty_field_is_not_refused():
    assert refusals("bridge", "", topic=TOPIC) == []


def test_a_bridge_that_says_the_offer_again_is_refused():
    offer = "Je vous propose un Associé Opérationnel & Stratégique à temps partagé, qui aide à prendre du recul."
    bridge = "C’est pourquoi je propose un Associé Opérationnel & Stratégique à temps partagé pour vous aider."
    why = refusals("bridge", bridge, topic=TOPIC, context=[offer], said=[offer])
    assert any("redit" in w for w in why) and any("répond à la consigne" in w for w in why), why


def test_a_model_hook_is_a_question():
    why = refusals("hook", "Vous êtes le chef de direction responsable du chantier et vous travaillez trop vite.",
                   topic="Le chef de direction et le chantier", context=[])
    assert any("pas une question" in w for w in why), why


def test_a_subtitle_speaks_to_the_reader_and_a_bridge_does_not_ask_the_topic_again():
    topic = "Tester un soutien de direction à temps partagé avant de recruter à temps plein"
    sub = refusals("subtitle", "Comment tester le soutien de direction sans engager long terme", topic=topic,
                   context=[topic])
    assert any("ne s’adresse pas au lecteur" in w for w in sub), sub
    bridge = refusals("bridge", "Comment puis-je vous aider à tester un soutien de direction à temps partagé avant "
                                "de recruter à temps plein ?", topic=topic, context=[topic])
    assert any("une question" in w for w in bridge) and any("redit le sujet" in w for w in bridge), bridge


def test_a_hook_or_subtitle_that_says_the_offer_again_is_refused():
    """embedded-default at a4ffcf4: the model's hook « Vous avez besoin d'un soutien pour prendre du recul,
    prioriser, structurer et piloter… sans recruter à temps plein ? », then the offer says it again."""
    offer = ("Je vous propose un Associé Opérationnel & Stratégique à temps partagé, qui aide à prendre du recul, "
             "prioriser, structurer, piloter et débloquer, sans recruter à temps plein.")
    hook = ("Vous avez besoin d’un soutien pour prendre du recul, prioriser, structurer et piloter votre équipe "
            "sans recruter à temps plein ?")
    for name in ("hook", "subtitle"):
        why = refusals(name, hook, topic="Tester un soutien de direction avant de recruter", context=[offer],
                       said=[offer])
        assert any("redit" in w for w in why), (name, why)
