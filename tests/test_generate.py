"""generate: structured answers rendered, the lint/repair loop, CLI exit codes and --out, over a real HTTP server."""

from __future__ import annotations

import json

import pytest
import yaml
from scripted_server import Reply, ScriptedServer
from typer.testing import CliRunner

from plume import history
from plume.backends import get_backend
from plume.cli import app
from plume.lint import lint_text
from plume.write import Brief, LandingCopy, generate

BAD_POST = {
    "hook": "Vous êtes débordé ? Un Chief of Staff externe en part time peut vous aider.",
    "paragraphs": ["Les C-level le savent : **tout** semble urgent.", "Je viens pour prioriser et débloquer."],
    "bullets": ["prendre du recul", "structurer"],
    "closing": "Et vous, comment gardez-vous le cap ?",
    "hashtags": ["PME", "#direction"],
}
GOOD_POST = {
    "hook": "Vous êtes débordé ? Tout semble urgent ?",
    "paragraphs": ["Un Associé Opérationnel & Stratégique à temps partagé vous aide à prendre du recul.",
                   "Je viens pour prioriser et débloquer ce qui stagne."],
    "bullets": ["prendre du recul", "structurer"],
    "closing": "Et vous, comment gardez-vous le cap ?",
    "hashtags": ["PME", "direction"],
}
LANDING = {
    "title": "Garder le cap sans recruter à temps plein",
    "subtitle": "Un Associé Opérationnel & Stratégique à temps partagé, au plus près de la direction.",
    "pains": ["Tout semble urgent.", "Les journées sont trop courtes."],
    "dimensions": [{"name": "Sparring Partner", "role": "Je challenge la stratégie et les arbitrages."},
                   {"name": "Architecte", "role": "Je structure l'organisation."},
                   {"name": "Éclaireur", "role": "Je débloque et je fais avancer."}],
    "benefits": ["Un regard extérieur.", "Du temps gagné pour la direction.", "Des résultats mesurables."],
    "how_it_works": ["Un test à temps partagé de trois mois.", "Un point chaque semaine.", "Un bilan."],
    "call_to_action": "Parlons-en.",
}


def norm(text: str) -> str:
    """The linter's typography fixes put no-break spaces before « ? : ; ! »: compare with plain spaces."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def js(data: dict) -> Reply:
    return Reply(json.dumps(data, ensure_ascii=False))


def backend_for(srv):
    return get_backend(model="scripted-model", base_url=srv.base_url)


def test_repair_loop_quotes_violations_and_ends_clean():
    with ScriptedServer([js(BAD_POST), js(GOOD_POST)]) as srv:
        r = generate(Brief(topic="Prendre du recul"), "pme", "linkedin", backend_for(srv), strategy="free")
        repair_prompt = srv.requests[1]["messages"][1]["content"]
    assert len(srv.requests) == 2 and r.attempts == 2
    assert r.clean and r.violations == [] or all(v["severity"] == "suggestion" for v in r.violations)
    # the safe fixes ran before the lint: no "Chief of Staff externe" or "part time" reached the repair prompt
    assert "Chief of Staff externe" not in repair_prompt and "part time" not in repair_prompt
    assert "C-level" in repair_prompt  # the remaining error is quoted
    assert {v["rule"] for v in r.first_pass_violations if v["severity"] == "error"}
    assert r.first_pass_violations and not lint_text(r.text, audience="pme", format="linkedin").errors
    assert r.post is not None and r.model == "scripted-model" and r.prompt_tokens > 0


def test_plain_text_rendering_for_linkedin():
    with ScriptedServer([js(GOOD_POST)]) as srv:
        r = generate("Prendre du recul", "pme", "linkedin", backend_for(srv), strategy="free")
    assert r.attempts == 1
    assert norm(r.text).startswith("Vous êtes débordé ?")
    assert "• prendre du recul\n• structurer" in r.text
    assert r.text.rstrip().endswith("#PME #direction")
    assert "**" not in r.text and "\n- " not in r.text


def test_a_field_cut_by_the_length_limit_ends_at_a_sentence_or_is_dropped():
    from plume.write.render import render_linkedin
    from plume.write.schemas import LinkedInPost

    cut = ("Vous portez la stratégie, les urgences et les équipes, et vos journées semblent trop courtes pour "
           "prendre du recul sur ce qui compte vraiment pour vous")[:140]
    text = render_linkedin(LinkedInPost(**{**GOOD_POST, "hook": cut}))
    assert "…" not in text and "prendre du recul sur ce qui" not in text  # the fragment is dropped
    two = ("Tout semble urgent. Vous portez la stratégie, les urgences et les équipes, et vos journées semblent "
           "trop courtes pour prendre du recul sur ce qui compte vraiment")[:140]
    text = render_linkedin(LinkedInPost(**{**GOOD_POST, "hook": two}))
    assert text.split("\n")[0] == "Tout semble urgent."  # cut at the last sentence end
    long_paragraph = "Je structure. " + "Un paragraphe sans fin qui continue " * 20
    text = render_linkedin(LinkedInPost(**{**GOOD_POST, "paragraphs": [long_paragraph[:420], "Je débloque."]}))
    assert "Je structure.\n" in text and "sans fin" not in text and "…" not in text


def test_markdown_switch_keeps_markdown_for_the_vault():
    with ScriptedServer([js(GOOD_POST)]) as srv:
        r = generate("Prendre du recul", "pme", "linkedin", backend_for(srv), strategy="free", markdown=True)
    assert "- prendre du recul" in r.text and "•" not in r.text


def test_repair_false_makes_one_call_and_reports_what_remains():
    with ScriptedServer([js(BAD_POST)]) as srv:
        r = generate("Prendre du recul", "pme", "linkedin", backend_for(srv), strategy="free", repair=False)
    assert len(srv.requests) == 1 and r.attempts == 1
    assert not r.clean and r.errors >= 1
    assert any(v["text"] == "C-level" for v in r.violations)
    assert r.violations == r.first_pass_violations


def test_attempts_bound_the_calls_and_best_pass_wins():
    with ScriptedServer([js(BAD_POST)] * 3) as srv:
        r = generate("Prendre du recul", "pme", "linkedin", backend_for(srv), strategy="free", attempts=3)
    assert len(srv.requests) == 3 and r.attempts == 3 and not r.clean


def test_landing_structured_answer_rendered_to_markdown():
    partial = {**LANDING, "dimensions": LANDING["dimensions"][:2]}
    with ScriptedServer([js(partial)]) as srv:
        r = generate(Brief(topic="Garder le cap", cta="Réservez un appel de 30 minutes."), "pme", "landing",
                     backend_for(srv), strategy="free")
        sent = srv.requests[0]
    assert sent["response_format"]["type"] == "json_schema"
    enum = json.dumps(sent["response_format"]["json_schema"]["schema"], ensure_ascii=False)
    assert "Sparring Partner" in enum and "Éclaireur" in enum  # the dimension names are a schema enum
    assert isinstance(r.landing, LandingCopy)
    assert r.text.startswith("# Garder le cap sans recruter à temps plein")
    for name in ("Sparring Partner", "Architecte", "Éclaireur"):  # the missing one is filled from the house
        assert f"**{name}**" in r.text
    assert "1. Un test à temps partagé de trois mois." in r.text
    assert r.text.rstrip().endswith("**Réservez un appel de 30 minutes.**")  # the brief's CTA, word for word


def test_unusable_json_is_asked_again():
    with ScriptedServer([Reply('{"hook": "coupé'), js(GOOD_POST)]) as srv:
        r = generate("Prendre du recul", "pme", "linkedin", backend_for(srv), strategy="free", attempts=3)
    assert len(srv.requests) == 2 and r.attempts == 2 and r.post is not None


def test_the_chat_parser_refusing_the_answer_is_asked_again():
    """llama.cpp answers 500 « … does not match the expected peg-native format » when its chat parser cannot
    read the model's output: that answer is unusable (asked again), not a server failure."""
    from scripted_server import error_body

    refused = Reply(status=500, body=error_body(500, "The model produced output that does not match the expected "
                                                     "peg-native format"))
    with ScriptedServer([refused, js(GOOD_POST)]) as srv:
        b = get_backend(model="scripted-model", base_url=srv.base_url, max_retries=0)
        r = generate("Prendre du recul", "pme", "linkedin", b, strategy="free", attempts=3)
    assert len(srv.requests) == 2 and r.attempts == 2 and r.post is not None


def test_a_server_error_is_not_an_unusable_answer():
    from scripted_server import error_body

    from plume.errors import BackendError

    with ScriptedServer([Reply(status=500, body=error_body(500, "boom")), js(GOOD_POST)]) as srv:
        b = get_backend(model="scripted-model", base_url=srv.base_url, max_retries=0)
        with pytest.raises(BackendError):
            generate("Prendre du recul", "pme", "linkedin", b, strategy="free", attempts=3)


def test_an_unusable_last_repair_keeps_the_best_draft():
    with ScriptedServer([js(BAD_POST), Reply('{"hook": "coupé')]) as srv:
        r = generate("Prendre du recul", "pme", "linkedin", backend_for(srv), strategy="free", attempts=2)
    assert r.attempts == 2 and r.post is not None and r.errors >= 1


def test_history_records_the_calls_and_their_lint():
    with ScriptedServer([js(BAD_POST), js(GOOD_POST)]) as srv:
        r = generate("Prendre du recul", "pme", "linkedin", backend_for(srv), strategy="free")
    assert len(r.history_ids) == 2
    first, second = (history.get(i) for i in r.history_ids)
    assert first["command"] == "generate" and first["audience"] == "pme" and first["format"] == "linkedin"
    assert first["lint"]["errors"] >= 1 and second["lint"]["clean"] is True


def test_stream_shows_the_first_answer():
    pieces: list[str] = []
    with ScriptedServer([js(GOOD_POST)]) as srv:
        r = generate("Prendre du recul", "pme", "linkedin", backend_for(srv), strategy="free", on_delta=pieces.append)
    assert json.loads("".join(pieces))["hook"] == GOOD_POST["hook"] and r.clean


# --- CLI ---------------------------------------------------------------------------------------------


def run(args):
    return CliRunner().invoke(app, args)


def test_cli_clean_exit_0_and_out_file_with_frontmatter(tmp_path):
    out = tmp_path / "post.md"
    with ScriptedServer([js(GOOD_POST)]) as srv:
        result = run(["generate", "Prendre du recul", "-a", "pme", "-f", "linkedin", "--base-url", srv.base_url,
                      "--model", "m", "--strategy", "free", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Vous êtes débordé ?" in norm(result.stdout)
    text = out.read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["audience"] == "pme" and meta["format"] == "linkedin" and meta["topic"] == "Prendre du recul"
    assert meta["lint_errors"] == 0 and meta["model"] == "m" and meta["history_id"] and meta["created"]
    with ScriptedServer([js(GOOD_POST)]) as srv:
        again = run(["generate", "X", "-a", "pme", "--base-url", srv.base_url, "--model", "m", "--strategy", "free", "--out", str(out)])
        assert srv.requests == []  # refused before any model call
    assert again.exit_code == 2 and "already exists" in again.output
    assert out.read_text(encoding="utf-8") == text


def test_cli_violations_remain_exit_0_listed_on_stderr_and_strict_exits_1():
    for strict, code in ((False, 0), (True, 1)):
        with ScriptedServer([js(BAD_POST)] * 2) as srv:
            result = run(["generate", "Prendre du recul", "-a", "pme", "--attempts", "2", "--base-url", srv.base_url,
                          "--model", "m", "--strategy", "free", *(["--strict"] if strict else [])])
        assert result.exit_code == code, result.output
        assert "Vous êtes débordé ?" in norm(result.stdout)
        assert "violation(s) remain" in result.stderr and "jargon" in result.stderr


def test_cli_backend_error_exit_3():
    failing = [Reply(status=500)] * 6
    with ScriptedServer(failing) as srv:
        result = run(["generate", "Prendre du recul", "-a", "pme", "--base-url", srv.base_url, "--model", "m", "--strategy", "free"])
    assert result.exit_code == 3, result.output
    assert "error" in result.stderr and result.stdout == ""


def test_cli_json_output():
    with ScriptedServer([js(GOOD_POST)]) as srv:
        result = run(["generate", "Prendre du recul", "-a", "cos", "--json", "--base-url", srv.base_url, "--model", "m", "--strategy", "free"])
    data = json.loads(result.stdout)
    assert data["clean"] is True and data["audience"] == "cos" and data["attempts"] == 1
    assert "first_pass_violations" in data and data["brief"]["topic"] == "Prendre du recul"


def test_unknown_audience_is_an_input_error():
    result = run(["generate", "X", "-a", "nobody", "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--strategy", "free"])
    assert result.exit_code == 2 and "nobody" in result.stderr


def test_brief_file(tmp_path):
    brief = tmp_path / "brief.yaml"
    brief.write_text("topic: Garder le cap\nfacts: [Un test de trois mois]\ncta: Écrivez-moi.\n", encoding="utf-8")
    with ScriptedServer([js(GOOD_POST)]) as srv:
        result = run(["generate", str(brief), "-a", "pme", "--base-url", srv.base_url, "--model", "m", "--strategy", "free"])
        user = srv.requests[0]["messages"][1]["content"]
    assert result.exit_code == 0, result.output
    assert "Garder le cap" in user and "Un test de trois mois" in user
    assert result.stdout.rstrip().splitlines()[-3] == "Écrivez-moi."  # the CTA is held word for word
    bad = tmp_path / "bad.yaml"
    bad.write_text("topic: X\ncolour: blue\n", encoding="utf-8")
    result = run(["generate", str(bad), "-a", "pme", "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--strategy", "free"])
    assert result.exit_code == 2 and "colour" in result.stderr


def test_closing_near_copy_of_the_cta_is_replaced_by_the_exact_wording():
    from plume.write.render import render_linkedin
    from plume.write.schemas import LinkedInPost

    cta = "Parlons-en : un premier échange de 30 minutes, sans engagement."
    post = LinkedInPost(**{**GOOD_POST, "closing": "Parlez-en, un premier échange de 30 minutes, sans engagement."})
    text = render_linkedin(post, cta=cta)
    assert text.count("premier échange") == 1 and cta in text
    labelled = render_linkedin(LinkedInPost(**{**GOOD_POST, "closing": "Appel à l'action : Et vous ?"}))
    assert "Appel à l" not in labelled and "Et vous ?\n\n#PME" in labelled
    # a closing question and the brief's call to action would close the post twice: the call to action wins
    twice = render_linkedin(LinkedInPost(**{**GOOD_POST, "closing": "Et vous, comment gardez-vous le cap ?"}),
                            cta="Écrivez-moi.")
    assert "Et vous, comment" not in twice and twice.count("Écrivez-moi.") == 1


def test_a_paragraph_repeating_the_cta_is_dropped():
    from plume.write.render import render_linkedin
    from plume.write.schemas import LinkedInPost

    cta = "Échangeons 30 minutes pour cadrer un premier test à temps partagé."
    post = LinkedInPost(**{**GOOD_POST, "paragraphs": [*GOOD_POST["paragraphs"], cta],
                           "bullets": ["prendre du recul", "Échangeons 30 minutes pour cadrer un premier test."]})
    text = render_linkedin(post, cta=cta)
    assert text.count(cta) == 1 and "cadrer un premier test.\n" not in text  # nor a near copy in a bullet
    assert text.strip().split("\n\n")[-2] == cta  # once, at the end, before the hashtags


@pytest.mark.parametrize("topic, noted", [
    ("Déléguer sans perdre le contrôle", "« Déléguer », « perdre », « contrôle »"),  # none of them in GOOD_POST
    ("Prendre du recul", None),  # « prendre du recul » is in it
])
def test_cli_notes_a_piece_that_says_none_of_its_topics_words(topic, noted):
    with ScriptedServer([js(GOOD_POST)]) as srv:
        result = run(["generate", topic, "-a", "pme", "--base-url", srv.base_url, "--model", "m", "--strategy", "free"])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if "topic's words" in line]
    if noted is None:
        assert notes == []
    else:
        assert len(notes) == 1 and noted in notes[0] and "BRIEF.yaml" in notes[0]
