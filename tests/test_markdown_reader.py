"""plume.markdown, the one reader: frontmatter, wikilinks, the visible text and the word counter that
lint, corpus, eval, prompts, preview and rewrite share."""

from __future__ import annotations

import datetime

import pytest

from plume.errors import InputError
from plume.markdown import FrontmatterError, count_words, has, plain_text, read_frontmatter, wikilinks


@pytest.mark.parametrize(
    "text, meta, body",
    [
        ("Pas de frontmatter.\n", {}, "Pas de frontmatter.\n"),
        ("---\naudience: pme\nformat: linkedin\n---\nCorps\n", {"audience": "pme", "format": "linkedin"}, "Corps\n"),
        ("---\ntitle: \"Un titre : deux points\"\n---\nx", {"title": "Un titre : deux points"}, "x"),
        ("---\ntitle: 'simple'  # commentaire\n---\nx", {"title": "simple"}, "x"),
        ("---\nwords: 180\ndraft: true\n---\nx", {"words": 180, "draft": True}, "x"),  # typed: YAML decides
        ("---\ndate: 2026-12-01\n---\nx", {"date": datetime.date(2026, 12, 1)}, "x"),
        ("---\ntags: [a, b]\nbrief:\n  cta: Écrivez-moi\n---\nx", {"tags": ["a", "b"], "brief": {"cta": "Écrivez-moi"}}, "x"),
        ("---\nempty:\n---\nx", {"empty": None}, "x"),
        ("---\n---\nx", {}, "x"),
        ("\ufeff---\naudience: cos\n...\nx", {"audience": "cos"}, "x"),
        ("---\ncreated: {{date}} {{time}}\ntitle: <% tp.file.title %>\n---\nx",  # an Obsidian template note
         {"created": "{{date}} {{time}}", "title": "<% tp.file.title %>"}, "x"),
    ],
)
def test_read_frontmatter(text, meta, body):
    found, start = read_frontmatter(text, "n.md")
    assert found == meta and text[start:] == body


@pytest.mark.parametrize(
    "text, reason",
    [
        ("---\ntitle: [unclosed\n---\nx", "invalid YAML frontmatter at line 2"),
        ("---\n- a\n- b\n---\nx", "the frontmatter must be a YAML mapping"),
        ("---\na: b: c\n---\nx", "invalid YAML frontmatter at line 2"),
    ],
)
def test_broken_frontmatter_is_one_input_error_naming_the_file(text, reason):
    with pytest.raises(FrontmatterError) as exc:
        read_frontmatter(text, "notes/n.md")
    assert isinstance(exc.value, InputError)
    assert str(exc.value).startswith(f"notes/n.md: {reason}") and exc.value.reason.startswith(reason)


@pytest.mark.parametrize(
    "text, words",
    [
        ("l’équipe n’est pas « débordée » : 3 fois !", 6),
        ("Vous jonglez — vraiment ? → oui 🚀", 4),
        ("- Qu’en pensez-vous ?\n- 30 minutes, 3,5 jours", 6),
        ("1. Un premier échange.\n2) Un test\n\n3 fois 2. pas de liste", 11),
        ("**Gras** et _italique_ #PME", 4),
        ("Voir [le site](https://exemple.fr/page) ou https://exemple.fr", 5),
        ("[[000-chief-of-staff|la note]] et [[autre#section]]", 4),
        ("---\ntitle: dix mots de titre ne comptent pas\n---\nUn deux", 2),
        ("<!-- plume off -->\nUn %%caché%% deux\n```\ncode code\n```\n", 4),  # code is read, its fences are not
        ("", 0),
    ],
)
def test_one_word_counter(text, words):
    assert count_words(text) == words


def test_everyone_counts_with_the_same_counter():
    from plume import corpus
    from plume.evaluate import records

    text = "---\ntitle: x\n---\nUn **mot** [[cible|alias]] : 30 minutes — fin ?"
    assert corpus.count_words(text) == records.count_words(text) == count_words(text) == 6


def test_the_linter_word_limit_uses_the_same_counter():
    from plume.lint import lint_text, load_plan

    text = "mot ? " * 451  # 902 whitespace tokens, 451 words
    (v,) = [v for v in lint_text(text, load_plan(), None, "linkedin", checkers=[]).violations if v.rule == "linkedin-mots"]
    assert "451 mots" in v.message
    assert not [v for v in lint_text("mot ? " * 450, load_plan(), None, "linkedin", checkers=[]).violations
                if v.rule == "linkedin-mots"]


def test_one_wikilink_pattern():
    from plume import prompts
    from plume.lint.context import Context

    text = "Voir [[cible#partie|l’alias]], [[autre]] et [[cible]]."
    assert wikilinks(text) == ["cible", "autre"]
    assert plain_text(text) == "Voir l’alias, autre et cible."
    assert prompts._clean(text) == "Voir l’alias, autre et cible."
    from plume.write import material

    assert material._plain(text) == "Voir l’alias, autre et cible."
    never = Context(text).never
    alias = text.index("l’alias")
    assert never.hits(2 + 4, alias - 1) and not never.hits(alias, alias + 7)  # the target is masked, not the alias


def test_no_other_module_has_its_own_wikilink_regex_or_word_split():
    import re
    from pathlib import Path

    import plume

    src = Path(plume.__file__).parent
    own = [p.relative_to(src).as_posix() for p in src.rglob("*.py") if p.name != "markdown.py"
           and re.search(r"\\\[\\\[|len\([^()]*\.split\(\)\)", p.read_text(encoding="utf-8"))]
    assert own == []


def test_plain_text():
    text = "---\na: b\n---\n## Titre\n\n> Citation **forte** et `code`\n\n- [lien](http://x) <!-- note -->\n---\nFin"
    assert plain_text(text) == "Titre\n\nCitation forte et code\n\nlien \n\nFin"


def test_preview_and_lint_read_the_same_frontmatter(tmp_path):
    from plume.lint.files import frontmatter_scope
    from plume.preview.source import parse_post

    text = "---\naudience: coo\nformat: linkedin\nwords: 120\n---\nCorps."
    post = parse_post(text, "p.md")
    assert post.meta == {"audience": "coo", "format": "linkedin", "words": 120} and post.body == "Corps."
    assert frontmatter_scope(text, "p.md") == ("coo", "linkedin")
    with pytest.raises(InputError, match="p.md: the frontmatter must be a YAML mapping"):
        parse_post("---\n[1, 2]\n---\nx", "p.md")


@pytest.mark.parametrize("text", ["", "a", "<!- -->", "x <!-- y", "%", "%%", "a%b%c", "``` ~~", "[[x]]", "](", "«»"])
@pytest.mark.parametrize("marker", ["<!--", "%%", "```", "~~~", "[[", "](", "://", "www.", "..."])
def test_has_is_substring_test(text, marker):
    assert has(text, marker) == (marker in text)
