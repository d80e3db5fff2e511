"""The preview page and the variants grid as HTML (no browser): cut, marks, escaping, files, CLI."""

from __future__ import annotations

import json
import os
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plume.cli import app
from plume.errors import InputError
from plume.house import load_house
from plume.lint import lint_text, linkedin_cut
from plume.lint.linkedin import post_start
from plume.preview import (
    BrowserError,
    default_html_path,
    find_chromium,
    is_preview,
    parse_post,
    render_post,
    render_variants_index,
    write_preview,
)
from plume.preview.highlight import segments
from plume.preview.output import PNG_SIGNATURE, mark_png

POST = """---
title: Titre secret du frontmatter
audience: pme
format: linkedin
---

Vous êtes dirigeant de PME et vous courez après le temps ? Vous n’êtes pas seul.

J’accompagne les dirigeants comme COS externe, en part time, pour prendre du recul.
Prioriser. Structurer. Piloter. Débloquer.

Le bon niveau d’appui au bon moment, sans recrutement à temps plein.

Et vous, qu’est-ce qui vous empêche d’avancer ?
"""


class Page(HTMLParser):
    """Collects the text of elements by class or id, the tags seen, and the marks with their attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.texts: dict[str, list[str]] = {}
        self.tags: list[str] = []
        self.marks: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "mark":
            attrs["text"] = ""
            self.marks.append(attrs)
        if tag not in ("br", "meta", "link", "input", "img"):
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        keys = set()
        for tag, attrs in self.stack:
            keys.update((attrs.get("class") or "").split())
            if attrs.get("id"):
                keys.add("#" + attrs["id"])
            if attrs.get("data-device"):
                keys.add("device=" + attrs["data-device"])
        for key in keys:
            self.texts.setdefault(key, []).append(data)
        if self.stack and self.stack[-1][0] == "mark":
            self.stack[-1][1]["text"] += data

    def text(self, key: str) -> str:
        return "".join(self.texts.get(key, []))


def test_cards_cut_where_the_linter_cuts():
    html = render_post(parse_post(POST))
    start = post_start(POST)
    for device in ("mobile", "desktop"):
        cut = linkedin_cut(POST, device=device)
        assert cut.truncated
        parser = Page(html.split(f'data-device="{device}"', 1)[1].split("</article>", 1)[0])
        assert parser.text("before-cut") == POST[start : cut.offset]
        assert parser.text("see-more") == "…voir plus"


def test_short_post_has_no_see_more():
    html = render_post(parse_post("Une phrase courte ?\n"), audience="pme")
    page = Page(html)
    assert "voir plus" not in page.text("feed-card")
    assert page.text("before-cut") == "Une phrase courte ?" * 2  # mobile and desktop


def test_frontmatter_is_not_shown_and_audience_comes_from_it():
    html = render_post(parse_post(POST))
    assert "Titre secret" not in html
    assert "public : pme" in html


def test_violations_marked_at_their_words():
    result = lint_text(POST, audience="pme", format="linkedin")
    assert result.errors >= 1
    page = Page(render_post(parse_post(POST)))
    by_index: dict[int, str] = {}
    for mark in page.marks:
        for i in mark.get("data-violations", "").split():
            by_index[int(i)] = by_index.get(int(i), "") + mark["text"]
    for i, v in enumerate(result.violations):
        if v.start >= post_start(POST) and v.end > v.start:
            assert by_index[i] == v.text, v
    cos = next(m for m in page.marks if m["text"] == "COS externe")
    assert "sev-error" in cos["class"] and "designation-externe" in cos["title"]
    # the list beside the post names every violation
    assert len(page.texts.get("violation", [])) > 0
    assert all(v.rule in page.text("violations") for v in result.violations)


def test_every_character_of_the_post_is_in_the_full_text():
    page = Page(render_post(parse_post(POST)))
    start = post_start(POST)
    assert page.text("#full-text") == POST[start:].rstrip()


def test_html_in_the_post_is_escaped():
    text = 'Attention <script>alert(1)</script> et <img src=x onerror="alert(2)"> & <b>gras</b>.\n'
    html = render_post(parse_post(text), audience="pme")
    assert "<script" not in html.lower()
    assert "<img" not in html.lower() and "<b>" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert Page(html).text("#full-text") == text.rstrip()


def test_page_is_self_contained():
    html = render_post(parse_post(POST))
    assert "http://" not in html and "https://" not in html and "@import" not in html
    assert "<link" not in html and "src=" not in html
    assert "default-src 'none'" in html  # nothing may load even if something slipped through


def test_author_from_plume_toml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    house = load_house()
    html = render_post(parse_post(POST))
    assert house.author.designation.replace("&", "&amp;") in html  # default: the house file's author
    (tmp_path / "plume.toml").write_text('[author]\nname = "Claire <Martin>"\nheadline = "Associée"\n', "utf-8")
    page = Page(render_post(parse_post(POST)))
    assert "Claire <Martin>" in page.text("actor-name")
    assert page.text("actor-headline") == "Associée" * 3
    assert page.text("avatar") == "CM" * 3


def test_options_override_frontmatter_and_unknown_audience_is_an_input_error():
    html = render_post(parse_post(POST), audience="cos")
    assert "public : cos" in html
    with pytest.raises(InputError, match="unknown audience"):
        render_post(parse_post(POST), audience="nobody")


def test_landing_is_rendered_as_a_section_without_raw_html():
    text = "---\nformat: landing\naudience: pme\n---\n# Titre\n\n- point <script>x</script>\n\n![logo](https://e.x/l.png)\n"
    html = render_post(parse_post(text))
    assert "<h1>Titre</h1>" in html and "<li>point &lt;script&gt;x&lt;/script&gt;</li>" in html
    assert "<img" not in html and "voir plus" not in html


def test_segments_split_overlaps_and_skip_the_frontmatter():
    vs = [
        {"rule": "a", "severity": "warning", "start": 12, "end": 20, "message": "m"},
        {"rule": "b", "severity": "error", "start": 15, "end": 25, "message": "m"},
        {"rule": "c", "severity": "suggestion", "start": 2, "end": 4, "message": "in frontmatter"},
        {"rule": "d", "severity": "suggestion", "start": 30, "end": 30, "message": "point"},
    ]
    text = "0123456789abcdefghijklmnopqrstuvwxyz"[10:]  # file offsets 10…35
    segs = segments(text, vs, offset=10)
    assert "".join(s["text"] for s in segs) == text
    assert [(s["text"], s["violations"]) for s in segs if s["violations"]] == [
        ("cde", [0]), ("fghij", [0, 1]), ("klmno", [1]), ("", [3])]
    assert next(s for s in segs if s["violations"] == [0, 1])["severity"] == "error"
    assert all(2 not in s["violations"] for s in segs)


def test_write_preview_never_overwrites_a_user_file(tmp_path):
    post = tmp_path / "post.md"
    post.write_text(POST, encoding="utf-8")
    out = tmp_path / "page.html"
    out.write_text("<html>mine</html>", encoding="utf-8")
    with pytest.raises(InputError, match="not a Plume preview"):
        write_preview(post, out)
    assert out.read_text(encoding="utf-8") == "<html>mine</html>"
    write_preview(post, out, force=True)
    assert is_preview(out)
    write_preview(post, out)  # an earlier preview is replaced without --force
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_png_mark_round_trip():
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0)
    png = PNG_SIGNATURE + struct.pack(">I", 13) + ihdr + b"\0\0\0\0" + b"\0\0\0\0IEND\xaeB`\x82"
    marked = mark_png(png)
    assert marked.startswith(PNG_SIGNATURE) and b"tEXtSoftware\x00plume preview" in marked
    assert mark_png(marked) == marked


def test_cli_writes_stem_preview_in_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "drafts").mkdir()
    post = tmp_path / "drafts" / "mon-post.md"
    post.write_text(POST, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    runner = CliRunner()
    result = runner.invoke(app, ["preview", str(post)])
    assert result.exit_code == 0, result.output
    out = work / "mon-post.preview.html"
    assert result.stdout.strip() == str(out)
    assert default_html_path(post) == out
    assert is_preview(out) and sorted(os.listdir(tmp_path / "drafts")) == ["mon-post.md"]
    (work / "other.html").write_text("x", encoding="utf-8")
    refused = runner.invoke(app, ["preview", str(post), "--html", "other.html"])
    assert refused.exit_code == 2 and "not a Plume preview" in refused.stderr


@pytest.mark.parametrize("args, message", [
    (["preview", "missing.md"], "missing.md: no such file"),
    (["preview", "{post}", "--audience", "nobody"], "unknown audience"),
    (["preview", "{post}", "--format", "tweet"], "unknown format"),
    (["preview", "{post}", "--size", "big"], "WIDTHxHEIGHT"),
])
def test_cli_input_errors(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    post = tmp_path / "p.md"
    post.write_text(POST, encoding="utf-8")
    result = CliRunner().invoke(app, [a.format(post=post) for a in args])
    assert result.exit_code == 2
    assert message in result.output
    assert not list(tmp_path.glob("*.html"))


def test_missing_chromium_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PLUME_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(BrowserError, match="no such executable"):
        find_chromium()
    monkeypatch.delenv("PLUME_CHROMIUM")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BrowserError, match="chromium not found: install it"):
        find_chromium()
    monkeypatch.chdir(tmp_path)
    post = tmp_path / "p.md"
    post.write_text(POST, encoding="utf-8")
    result = CliRunner().invoke(app, ["preview", str(post), "--png", "p.png"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "chromium not found" in result.stderr
    assert not (tmp_path / "p.png").exists() and not list(tmp_path.glob("*.html"))


# --- the variants grid -----------------------------------------------------------------------------

def _variant(folder: Path, audience: str, fmt: str, body: str) -> None:
    (folder / f"{audience}-{fmt}.md").write_text(f"---\naudience: {audience}\nformat: {fmt}\n---\n{body}", "utf-8")


def _entry(audience: str, fmt: str, status: str = "clean", **extra) -> str:
    entry = {"id": f"{audience}-{fmt}", "audience": audience, "format": fmt, "file": f"{audience}-{fmt}.md",
             "status": status, "attempts": 1, "errors": 0, "warnings": 0, "prompt_tokens": 100,
             "completion_tokens": 50, "cost_usd": 0.001, "duration_s": 1.0, "error": None}
    entry.update(extra)
    return json.dumps(entry, ensure_ascii=False)


@pytest.fixture
def variants_dir(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    long_post = POST.split("---\n", 2)[2]
    _variant(folder, "pme", "linkedin", long_post)
    _variant(folder, "cos", "linkedin", "Chief of Staff débordé ? Je vous épaule <script>alert(1)</script>.\n")
    _variant(folder, "pme", "landing", "# Un associé à temps partagé\n\n- **Sparring Partner** <b>x</b>\n")
    lines = [
        _entry("pme", "linkedin", "violations", errors=1),
        _entry("cos", "linkedin"),
        _entry("pme", "landing"),
        _entry("coo", "landing", "failed", error="délai dépassé <côté serveur>"),
        _entry("pme", "linkedin", "violations", attempts=3),  # a resumed run: the last entry wins
        '{"id": "coo-linkedin", "audience": "co',  # cut short by an interrupted run
    ]
    (folder / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_variants_index_grid(variants_dir):
    index = render_variants_index(variants_dir)
    assert index == variants_dir / "index.html" and is_preview(index)
    html = index.read_text(encoding="utf-8")
    page = Page(html)
    house = load_house()
    rows = [house.audiences[a].label for a in ("pme", "cos", "coo")]  # house order, not manifest order
    assert [r for r in rows if r in html] == rows
    assert html.index(rows[0]) < html.index(rows[1]) < html.index(rows[2])
    assert {house.formats["linkedin"].label, house.formats["landing"].label} <= set(page.texts["#grid-head"])
    assert html.count('class="variant"') == 4
    # LinkedIn variants as feed cards cut by the linter
    pme_text = (variants_dir / "pme-linkedin.md").read_text(encoding="utf-8")
    cut = linkedin_cut(pme_text, device="mobile")
    card = Page(html.split('id="pme-linkedin"', 1)[1].split("</article>", 1)[0])
    assert card.text("before-cut") == pme_text[post_start(pme_text) : cut.offset]
    assert "3 essais" in html  # the resumed entry replaced the first
    # lint badges from the linter
    pme_errors = lint_text(pme_text, audience="pme", format="linkedin").errors
    assert f"{pme_errors} erreur" in Page(html.split('id="pme-linkedin"', 1)[1]).text("badge")
    # landing copy as a page section, raw HTML escaped; failures shown with their error
    assert "<h1>Un associé à temps partagé</h1>" in html and "<strong>Sparring Partner</strong>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<script" not in html.lower()
    assert "délai dépassé &lt;côté serveur&gt;" in html and "échec" in page.text("badge")


def test_variants_index_refuses_a_user_index(variants_dir):
    (variants_dir / "index.html").write_text("<p>my own index</p>", encoding="utf-8")
    with pytest.raises(InputError, match="not a Plume preview"):
        render_variants_index(variants_dir)


def test_variants_index_without_manifest(tmp_path):
    with pytest.raises(InputError, match="manifest.jsonl: no manifest"):
        render_variants_index(tmp_path)


def test_cli_open_keeps_the_page_out_of_the_users_folders(tmp_path, monkeypatch):
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    monkeypatch.chdir(tmp_path)
    post = tmp_path / "p.md"
    post.write_text(POST, encoding="utf-8")
    result = CliRunner().invoke(app, ["preview", str(post), "--open"])
    assert result.exit_code == 0, result.output
    page = Path(result.stdout.strip())
    assert page.parent != tmp_path and is_preview(page)
    assert opened == [page.resolve().as_uri()]
    assert sorted(os.listdir(tmp_path)) == ["p.md"]
    page.unlink()
    page.parent.rmdir()


from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list("ab <>&\"'«»:;!?…\n*#-_`é") + ["COS externe", "part time", "\n\n", "---\n"]),
                max_size=150).map("".join))
def test_any_text_renders_whole_and_cut_like_the_linter(text):
    try:
        post = parse_post(text)
    except InputError as exc:  # a broken frontmatter is reported, not rendered
        assert "frontmatter" in str(exc)
        assume(False)
    page = Page(render_post(post, audience="pme"))
    start, end = post_start(text), len(text.rstrip())
    assert page.text("#full-text") == text[start:end]
    mobile = linkedin_cut(text, device="mobile")
    desktop = linkedin_cut(text, device="desktop")
    assert page.text("before-cut") == text[start : mobile.offset] + text[start : desktop.offset]


def test_variants_index_tolerates_sparse_entries(tmp_path):
    (tmp_path / "pme-linkedin.md").write_text("Bonjour, une question ?\n", encoding="utf-8")
    lines = [json.dumps({"audience": "pme", "format": "linkedin"}),
             json.dumps({"audience": "autre", "format": "tweet", "status": "failed", "error": "hors maison"})]
    (tmp_path / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    html = render_variants_index(tmp_path).read_text(encoding="utf-8")
    assert 'id="pme-linkedin"' in html and "Bonjour, une question ?" in html
    assert 'id="autre-tweet"' in html and "hors maison" in html
