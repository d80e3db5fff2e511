"""The corpus loader: notes verbatim, bad files skipped with a reason, the style profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plume.cli import app
from plume.corpus import count_words, load_corpus, load_note, profile, wikilinks
from plume.paths import corpus_dir

SEED = Path(__file__).resolve().parents[2] / "shared" / "corpus-seed"


def test_corpus_has_the_five_notes():
    corpus = load_corpus()
    assert [n.id[:3] for n in corpus.notes] == ["000", "001", "002", "003", "004"]
    assert corpus.skipped == []


@pytest.mark.skipif(not SEED.is_dir(), reason="../shared/corpus-seed not beside the checkout")
def test_notes_are_byte_for_byte_the_seed():
    ours = sorted(p.read_bytes() for p in corpus_dir().glob("*.md"))
    seed = sorted(p.read_bytes() for p in SEED.iterdir())
    assert ours == seed


def test_note_fields():
    note = load_corpus().get("000-chief-of-staff")
    assert note.title == "chief of staff"
    assert note.tags == ["atome"]
    assert note.wikilinks == ["chief of staff", "Sparring Partner", "Operating Partner"]
    assert note.body.startswith("**Pourquoi travailler")
    assert 500 < note.word_count < 700


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("voir [[a]] et [[b|alias]] puis [[a]]", ["a", "b"]),
        ("[[note#section]] [[x#y|z]]", ["note", "x"]),
        ("pas de lien [ici](http://x)", []),
    ],
)
def test_wikilinks(text, expected):
    assert wikilinks(text) == expected


def test_count_words_handles_french_elision():
    # one word counter for lint, eval and corpus (plume.markdown): a number is a word, punctuation is not
    assert count_words("l’équipe n’est pas « débordée » : 3 fois !") == 6


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"---\ntitle: x\n---\nab\x00cd", "binary"),
        (b"---\ntitle: caf\xe9\n---\ntexte", "not UTF-8"),
        (b"---\ntitle: [unclosed\n---\ntexte", "invalid YAML frontmatter at line 2"),
        (b"---\ntitle: seul\n---\n", "no text after the frontmatter"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(tmp_path, content, reason):
    (tmp_path / "bad.md").write_bytes(content)
    (tmp_path / "good.md").write_text("---\ntitle: Bon\ntags: solo\n---\nUne note qui tient.\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [n.id for n in corpus.notes] == ["good"]
    assert corpus.notes[0].tags == ["solo"]
    assert len(corpus.skipped) == 1
    assert corpus.skipped[0].path.name == "bad.md"
    assert reason in corpus.skipped[0].reason
    with pytest.raises(ValueError):
        load_note(tmp_path / "bad.md")


def test_profile_measures_the_notes():
    notes = load_corpus().notes
    prof = profile(notes)
    assert prof["notes"] == 5
    assert prof["headings"] == {"h2": 2, "h3": 7}
    assert prof["bold_per_100_words"] > 1.0
    assert prof["question_hooks"] >= 2  # 000 and 001 open on a question
    top = dict(prof["top_lexicon"])
    assert "temps" in top and "vous" not in top
    assert 10 < prof["sentence_words_mean"] < 30


def test_profile_of_a_note_without_markup():
    prof = profile([load_note_text("Une phrase courte. Une autre phrase un peu plus longue ?")])
    assert prof["sentences"] == 2
    assert prof["sentence_words_mean"] == 5.0
    assert prof["bold_per_100_words"] == 0
    assert prof["question_hooks"] == 0  # the first sentence is not a question


def load_note_text(body: str):
    from plume.corpus import Note

    return Note(id="t", path=Path("t.md"), title="t", body=body, word_count=count_words(body))


def test_cli_corpus_json_lists_notes_and_skipped(tmp_path):
    (tmp_path / "ok.md").write_text("---\ntitle: OK\n---\nTexte [[lien]].\n", encoding="utf-8")
    (tmp_path / "ko.md").write_bytes(b"\xff\xfe\x00")
    result = CliRunner().invoke(app, ["corpus", str(tmp_path), "--json", "--profile"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [n["id"] for n in data["notes"]] == ["ok"]
    assert data["notes"][0]["wikilinks"] == ["lien"]
    assert data["skipped"][0]["path"].endswith("ko.md")
    assert data["profile"]["notes"] == 1


def test_cli_corpus_marks_the_earlier_version():
    result = CliRunner().invoke(app, ["corpus", "--json"])
    assert result.exit_code == 0, result.output
    notes = {n["id"]: n for n in json.loads(result.stdout)["notes"]}
    assert notes["001-chief-of-staff-version-initiale"]["status"] == "earlier"
    assert notes["001-chief-of-staff-version-initiale"]["superseded_by"] == "000-chief-of-staff"
    assert notes["000-chief-of-staff"]["status"] == "current"


def test_cli_corpus_missing_folder_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(app, ["corpus", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "corpus folder not found" in result.output
