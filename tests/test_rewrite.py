"""rewrite: deterministic substitutions with no model, the model path with repair, the draft kept safe."""

from __future__ import annotations

import io
import json

from scripted_server import Reply, ScriptedServer
from typer.testing import CliRunner

from plume.backends import get_backend
from plume.cli import app
from plume.lint import lint_text
from plume.write import rewrite
from plume.write.rewrite import unwrap

DRAFT = """---
title: brouillon
---
Pourquoi faire appel à un Chief of Staff externe ?

Je travaille en part time auprès des C-level, comme COS externe.

- prioriser
- structurer
"""
MODEL_KEEPS_JARGON = "Pourquoi faire appel à un Associé Opérationnel & Stratégique ?\n\nJe travaille à temps partagé auprès des C-level.\n\n- prioriser\n- structurer"
MODEL_CLEAN = "Pourquoi faire appel à un Associé Opérationnel & Stratégique ?\n\nJe travaille à temps partagé auprès des dirigeants.\n\n- prioriser\n- structurer"


def test_no_llm_applies_only_the_safe_substitutions():
    r = rewrite(DRAFT, "pme", llm=False)
    assert "Chief of Staff externe" not in r.text and "part time" not in r.text and "COS externe" not in r.text
    assert "Associé Opérationnel & Stratégique" in r.text
    assert "C-level" in r.text  # a banned term has no automatic fix: it is reported
    assert r.attempts == 0 and r.errors >= 1 and r.source == DRAFT
    assert r.text.startswith("---\ntitle: brouillon\n---\n")
    assert rewrite(r.text, "pme", llm=False).text == r.text  # idempotent


def test_model_rewrite_repairs_until_no_error():
    with ScriptedServer([Reply(MODEL_KEEPS_JARGON), Reply(f"«\n{MODEL_CLEAN}\n»")]) as srv:
        backend = get_backend(model="m", base_url=srv.base_url)
        r = rewrite(DRAFT, "pme", None, backend)
        first_user = srv.requests[0]["messages"][1]["content"]
        repair_user = srv.requests[1]["messages"][1]["content"]
    assert r.attempts == 2
    # the model saw the draft with the safe fixes already applied, and the jargon to remove
    assert "part time" not in first_user.split("Brouillon :")[1] and "C-level" in first_user
    assert "title: brouillon" not in repair_user  # frontmatter never goes to the model
    assert "C-level" in repair_user
    assert r.text.startswith("---\ntitle: brouillon\n---\n")  # frontmatter kept
    assert "«" not in r.text and "dirigeants" in r.text
    assert lint_text(r.text, audience="pme").errors == 0
    assert r.first_pass_violations and any(v["text"] == "C-level" for v in r.first_pass_violations)


FIXABLE = "Pourquoi faire appel à un Chief of Staff externe ?\n\nJe travaille en part time pour prioriser et structurer.\n"


def test_a_model_that_makes_the_draft_worse_gives_way_to_the_safe_fixes():
    # every answer brings an error the draft with its safe fixes does not have: no model beats no model
    with ScriptedServer([Reply("Je travaille pour les C-level des PME.")] * 3) as srv:
        r = rewrite(FIXABLE, "pme", None, get_backend(model="m", base_url=srv.base_url), attempts=3)
        asked = len(srv.requests)
    safe = rewrite(FIXABLE, "pme", llm=False)
    assert asked == 3 and r.model_calls == 3  # the model was asked, and repaired
    assert safe.errors == 0 and r.text == safe.text and r.errors == 0
    assert r.candidates[r.winner].origin == "draft" and r.winner_reason.startswith("fewest errors")
    assert "C-level" not in r.text


def test_a_rewrite_that_copies_its_instructions_is_a_leak_and_gives_way_to_the_draft():
    # the embedded model once ended its rewrite with a sentence of the prompt
    safe = rewrite(FIXABLE, "pme", llm=False)
    leaked = safe.text.rstrip() + "\n\nGarder ses faits, sa structure (intertitres, listes, paragraphes) et sa longueur. Ne rien ajouter d'inventé.\n"
    with ScriptedServer([Reply(leaked)] * 3) as srv:
        r = rewrite(FIXABLE, "pme", None, get_backend(model="m", base_url=srv.base_url), attempts=3)
    model_answers = [c for c in r.candidates if c.origin != "draft"]
    assert model_answers and all("fuite-consigne" in c.rules for c in model_answers)
    assert r.text == safe.text and "Garder ses faits" not in r.text


UNWRAP = [
    # (the model's answer, what the rewrite keeps)
    ("«\nBonjour « toi »\n»", "Bonjour « toi »"),
    ("«Bonjour»", "Bonjour"),
    ("```markdown\nBonjour\n```", "Bonjour"),
    # the repair prompt's labels and wrapper copied, the guillemet closed twice (embedded, note 001)
    ("Lecteur\u00a0: Dirigeante, dirigeant de PME/PMI.\n\nTexte :\n«\nA\n\nB « c »\n»\n»", "A\n\nB « c »"),
    ("Brouillon :\n«\nA\n»", "A"),
    # no wrapper: nothing removed (a label left is the critic's to report)
    ("Lecteur : x\nBonjour", "Lecteur : x\nBonjour"),
    ("Bonjour\n»", "Bonjour\n»"),
    ("« Citation » dit-il.", "« Citation » dit-il."),
    ("Texte : un intertitre\n\nUn paragraphe.", "Texte : un intertitre\n\nUn paragraphe."),
]


def test_unwrap_removes_only_the_prompts_wrapper_and_its_labels():
    for answer, kept in UNWRAP:
        assert unwrap(answer) == kept, answer


def test_a_rewrite_wrapped_in_the_prompts_labels_is_read_without_them():
    clean = "Pourquoi faire appel à un Associé Opérationnel & Stratégique ?\n\nJe travaille à temps partagé, au plus près de la direction, pour prioriser et structurer."
    wrapped = f"Lecteur : Dirigeante, dirigeant de PME/PMI.\n\nTexte :\n«\n{clean}\n»\n»"
    with ScriptedServer([Reply(wrapped)]) as srv:
        r = rewrite(FIXABLE, "pme", None, get_backend(model="m", base_url=srv.base_url))
    assert r.errors == 0 and r.text.startswith("Pourquoi faire appel") and "Lecteur" not in r.text
    assert "«" not in r.text and "»" not in r.text


def test_labels_left_in_a_rewrite_are_errors_and_the_draft_is_kept():
    # no wrapper to remove: the labels stay in the answer, and the critic reports them
    leaked = "Lecteur : Dirigeante, dirigeant de PME/PMI.\nTexte : Je travaille à temps partagé pour prioriser et structurer."
    with ScriptedServer([Reply(leaked)] * 3) as srv:
        r = rewrite(FIXABLE, "pme", None, get_backend(model="m", base_url=srv.base_url), attempts=3)
    answers = [c for c in r.candidates if c.origin != "draft"]
    assert answers and all("etiquette-consigne" in c.rules for c in answers)
    assert r.text == rewrite(FIXABLE, "pme", llm=False).text


NEGATED = ("Aujourd’hui, je ne me présente pas comme Chief of Staff externe à proprement parler : ce titre reste peu "
           "répandu en France.\n\nJe travaille en part time pour prioriser et structurer.\n")


def test_a_sentence_the_model_got_wrong_goes_back_to_the_authors():
    # the embedded model turned note 001's « pas comme Chief of Staff externe » (a mention) into the opposite
    # of the offer, and kept it through its repairs; its other sentence was better than the draft's
    answer = ("Aujourd’hui, je ne me présente pas comme Associé Opérationnel : ce titre reste peu répandu en France."
              "\n\nJe travaille à temps partagé, au plus près de la direction, pour prioriser et structurer.")
    with ScriptedServer([Reply(answer)] * 3) as srv:
        r = rewrite(NEGATED, "pme", None, get_backend(model="m", base_url=srv.base_url), attempts=3)
    assert r.errors == 0, r.violations
    assert "pas comme Chief of Staff externe à proprement parler" in r.text  # the author's sentence
    assert "au plus près de la direction" in r.text  # the model's own sentence kept
    assert "pas comme Associé Opérationnel" not in r.text


def test_restore_sentences_only_where_it_removes_errors():
    from plume.house import load_house
    from plume.write.loop import fix
    from plume.write.restore import restore_sentences

    house = load_house()
    fixed, _ = fix(NEGATED, house, "pme", None)
    wrong = "Aujourd’hui, je ne me présente pas comme Associé Opérationnel : ce titre reste peu répandu en France."
    text, n = restore_sentences(wrong + "\n\nJe travaille à temps partagé.", fixed, house, "pme")
    assert n == 1 and text.startswith("Aujourd’hui, je ne me présente pas comme Chief of Staff externe")
    assert text.endswith("\n\nJe travaille à temps partagé.")
    # no error: nothing to do; an error in a sentence like none of the draft's: kept for the critic to report
    assert restore_sentences("Je travaille à temps partagé.", fixed, house, "pme") == ("Je travaille à temps partagé.", 0)
    other = "Je ne suis plus un Associé Opérationnel depuis que les C-level des grands groupes m’appellent."
    assert restore_sentences(other, fixed, house, "pme") == (other, 0)


def test_a_misspelled_sentence_goes_back_to_the_authors():
    # Grammalecte's spelling warning is a fault of the answer's sentence, the author's has none
    from plume.house import load_house
    from plume.write.loop import fix
    from plume.write.restore import restore_sentences

    house = load_house()
    draft = "Aujourd’hui, je travaille en part time pour prioriser et structurer les chantiers des dirigeants.\n"
    fixed, _ = fix(draft, house, "pme", None)
    answer = "Aujourd’hui, je travaille à temps partagé pour prioriser et structurrer les chantiers des dirigeants."
    assert [v.rule for v in lint_text(answer, house, "pme").violations] == ["orthographe"]
    assert restore_sentences(answer, fixed, house, "pme") == (fixed.strip(), 1)


def test_cli_says_when_the_safe_fixes_were_kept(tmp_path):
    draft = tmp_path / "brouillon.md"
    draft.write_text(FIXABLE, encoding="utf-8")
    with ScriptedServer([Reply("Je travaille pour les C-level des PME.")] * 3) as srv:
        result = CliRunner().invoke(app, ["rewrite", str(draft), "-a", "pme", "--base-url", srv.base_url, "--model", "m"])
    assert result.exit_code == 0, result.output
    assert "Associé Opérationnel & Stratégique" in result.stdout and "C-level" not in result.stdout
    assert "kept the draft with the safe fixes alone: no answer of the model was better (fewest errors (0 vs 1))" in result.stderr
    assert draft.read_text(encoding="utf-8") == FIXABLE  # the draft is kept


def test_a_model_answer_as_clean_as_the_safe_fixes_wins():
    clean = "Pourquoi faire appel à un Associé Opérationnel & Stratégique ?\n\nJe travaille à temps partagé, au plus près de la direction, pour prioriser et structurer."
    with ScriptedServer([Reply(clean)]) as srv:
        r = rewrite(FIXABLE, "pme", None, get_backend(model="m", base_url=srv.base_url))
    assert r.errors == 0 and "au plus près de la direction" in r.text
    assert r.candidates[r.winner].origin == "model"
    assert r.winner_reason == "a model answer as clean as the draft with the safe fixes alone"


def test_cli_no_llm_prints_text_and_diff_and_keeps_the_draft(tmp_path):
    draft = tmp_path / "draft.md"
    draft.write_text(DRAFT, encoding="utf-8")
    result = CliRunner().invoke(app, ["rewrite", str(draft), "-a", "pme", "--no-llm"])
    assert result.exit_code == 0  # copy produced; C-level remains, listed on stderr
    assert "jargon-pme" in result.stderr
    strict = CliRunner().invoke(app, ["rewrite", str(draft), "-a", "pme", "--no-llm", "--strict"])
    assert strict.exit_code == 1 and strict.stdout == result.stdout
    assert "Associé Opérationnel & Stratégique" in result.stdout
    assert "-Pourquoi faire appel à un Chief of Staff externe" in result.stderr
    assert "+Pourquoi faire appel à un Associé Opérationnel & Stratégique" in result.stderr
    assert draft.read_text(encoding="utf-8") == DRAFT


def test_cli_in_place_writes_a_backup_first(tmp_path):
    draft = tmp_path / "draft.md"
    draft.write_text(DRAFT, encoding="utf-8")
    with ScriptedServer([Reply(MODEL_CLEAN)]) as srv:
        result = CliRunner().invoke(app, ["rewrite", str(draft), "-a", "pme", "--in-place", "--base-url", srv.base_url,
                                          "--model", "m"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "draft.md.bak").read_text(encoding="utf-8") == DRAFT
    assert "dirigeants" in draft.read_text(encoding="utf-8")
    again = CliRunner().invoke(app, ["rewrite", str(draft), "-a", "pme", "--in-place", "--no-llm"])
    assert again.exit_code == 2 and ".bak" in again.stderr  # an existing backup is not overwritten


def test_cli_out_and_audience_from_frontmatter(tmp_path):
    draft = tmp_path / "draft.md"
    draft.write_text("---\naudience: pme\n---\nJe suis Chief of Staff externe.\n", encoding="utf-8")
    out = tmp_path / "out.md"
    result = CliRunner().invoke(app, ["rewrite", str(draft), "--no-llm", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["audience"] == "pme" and data["diff"].startswith("--- a/draft.md")
    assert "Associé Opérationnel & Stratégique" in out.read_text(encoding="utf-8")
    refused = CliRunner().invoke(app, ["rewrite", str(draft), "--no-llm", "--out", str(out)])
    assert refused.exit_code == 2 and "already exists" in refused.stderr


def test_cli_missing_draft():
    result = CliRunner().invoke(app, ["rewrite", "/nonexistent/draft.md", "-a", "pme", "--no-llm"])
    assert result.exit_code == 2 and "/nonexistent/draft.md" in result.stderr


def test_where_the_authors_words_win_ties_an_answer_no_better_than_the_draft_gives_way(tmp_path, monkeypatch):
    # the embedded default's rule ([compose] prefer = "author"): its answers as clean as the draft still
    # copied the prompt's headers (« Lecteur : … Texte : "… ») in a rewrite of note 001
    (tmp_path / "plume.toml").write_text('[compose]\nprefer = "author"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    clean = "Pourquoi faire appel à un Associé Opérationnel & Stratégique ?\n\nJe travaille à temps partagé, au plus près de la direction, pour prioriser et structurer."
    with ScriptedServer([Reply(clean)]) as srv:
        r = rewrite(FIXABLE, "pme", None, get_backend(model="m", base_url=srv.base_url))
    assert r.model_calls == 1 and r.errors == 0
    assert r.text == rewrite(FIXABLE, "pme", llm=False).text
    assert r.candidates[r.winner].origin == "draft"
    assert r.winner_reason == "the draft with the safe fixes alone, as clean as the model's answers"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_names_each_model_call():
    from plume.cli.generate import call_progress

    assert call_progress(io.StringIO()) is None  # a pipe or a file: no progress lines
    term = _Terminal()
    with ScriptedServer([Reply(MODEL_KEEPS_JARGON), Reply(MODEL_CLEAN)]) as srv:
        r = rewrite(DRAFT, "pme", None, get_backend(model="m", base_url=srv.base_url), on_call=call_progress(term))
    lines = term.getvalue().splitlines()
    assert len(lines) == r.model_calls == 2
    assert lines[0] == "plume: model call 1…"
    assert lines[1].startswith("plume: model call 2, ") and lines[1].endswith(" s so far…")
