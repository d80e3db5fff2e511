"""review.html in a real headless Chromium: click the marks, type notes, download the JSON, fold it back."""

from __future__ import annotations

import json
import time

import pytest
from eval_fixtures import BRIEFS_YAML, responder
from scripted_server import ScriptedServer
from test_preview_browser import DevTools  # the DevTools-over-pipe client of the preview tests
from typer.testing import CliRunner

from plume.backends import get_backend
from plume.cli import app
from plume.evaluate.briefs import load_briefs
from plume.evaluate.run import run_eval
from plume.evaluate.voice import house_voice_model
from plume.preview.chromium import find_chromium

pytestmark = pytest.mark.browser

HOSTILE = {  # copy with markup in it: must show as text, never run
    "hook": "Un post avec <script>window.pwned=1</script> et <img src=x onerror=\"window.pwned=2\">",
    "paragraphs": ["Un regard extérieur aide à trier les priorités."],
}


@pytest.fixture(scope="module")
def browser():
    try:
        find_chromium()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(str(exc))
    tools = DevTools()
    try:
        tools.send("Browser.getVersion")
        yield tools
    finally:
        tools.close()


@pytest.fixture
def run_dir(tmp_path):
    path = tmp_path / "briefs.yaml"
    path.write_text(BRIEFS_YAML, encoding="utf-8")
    out = tmp_path / "run"
    with ScriptedServer(responder=responder()) as srv:
        backend = get_backend(model="scripted-model", base_url=srv.base_url)
        try:
            run_eval(load_briefs(path), out=out, backend=backend, audiences=["pme", "coo"],
                     voice=house_voice_model(), chart=False, strategy="free")
        finally:
            backend.close()
    return out


def wait_for_file(folder, pattern: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        if found:
            return found[0]
        time.sleep(0.1)
    raise TimeoutError(f"no {pattern} in {folder}")


def test_marks_are_downloaded_and_folded_into_the_report(browser, run_dir, tmp_path):
    page = run_dir / "review.html"
    session = browser.open(page.as_uri())
    ids = browser.eval(session, "[...document.querySelectorAll('article.card')].map(c => c.dataset.id)")
    assert sorted(ids) == ["alpha-coo-landing", "alpha-coo-linkedin", "alpha-pme-landing", "alpha-pme-linkedin"]
    # the copy is on the card as written, and its critic findings beside it
    saved = json.loads((run_dir / "outputs" / "alpha-coo-landing.json").read_text(encoding="utf-8"))
    shown = browser.eval(session, "document.querySelector('#card-alpha-coo-landing .copy').innerText")
    assert shown == saved["text"].rstrip()
    shown_rules = browser.eval(session, "[...document.querySelectorAll('#card-alpha-coo-landing .lint code')]"
                                        ".map(c => c.innerText)")
    assert sorted(shown_rules) == sorted(v["rule"] for v in saved["critic_final"]) and shown_rules

    def click(card: str, mark: str) -> None:
        browser.eval(session, f"document.querySelector('#card-{card} button[data-mark=\"{mark}\"]').click()")

    click("alpha-pme-linkedin", "publishable")
    click("alpha-coo-linkedin", "rewrite")
    click("alpha-coo-landing", "publishable")
    click("alpha-coo-landing", "light-edit")  # a second click on the card replaces the first
    click("alpha-pme-landing", "rewrite")
    click("alpha-pme-landing", "rewrite")  # clicking the pressed mark again clears it
    browser.eval(session, """(() => {
        const t = document.querySelector('#card-alpha-coo-linkedin textarea.note');
        t.value = 'Phrase « bancale », à reprendre'; t.dispatchEvent(new Event('input')); })()""")
    browser.eval(session, """(() => { const r = document.getElementById('reviewer');
        r.value = 'Camille'; r.dispatchEvent(new Event('input')); })()""")
    assert browser.eval(session, "document.querySelector('#card-alpha-coo-linkedin textarea.note').value") == \
        "Phrase « bancale », à reprendre"  # typed, before the download reads it
    pressed = browser.eval(session, "[...document.querySelectorAll('button[aria-pressed=\"true\"]')].map(b => b.dataset.mark)")
    assert sorted(pressed) == ["light-edit", "publishable", "rewrite"]
    assert browser.eval(session, "document.getElementById('progress').textContent") == "3 / 4 notées"

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.send("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.eval(session, "document.getElementById('save').click()")
    file = wait_for_file(downloads, "ratings-*.json")
    data = json.loads(file.read_text(encoding="utf-8"))
    assert data["schema"] == "plume-review/1" and data["reviewer"] == "Camille"
    assert data["run"] == json.loads((run_dir / "report.json").read_text(encoding="utf-8"))["created"]
    assert data["marks"] == {
        "alpha-pme-linkedin": {"mark": "publishable", "note": ""},
        "alpha-coo-linkedin": {"mark": "rewrite", "note": "Phrase « bancale », à reprendre"},
        "alpha-coo-landing": {"mark": "light-edit", "note": ""},
    }
    assert browser.problems(session) == []

    # a reload keeps the marks (the browser's storage), so a long review survives a closed tab
    since = len(browser.events)
    browser.send("Page.reload", session=session)
    browser.wait_event("Page.loadEventFired", session, since)  # this load, not the first one
    time.sleep(0.3)
    assert browser.eval(session, "document.querySelector('#card-alpha-coo-linkedin textarea.note').value") == \
        "Phrase « bancale », à reprendre"

    result = CliRunner().invoke(app, ["eval", "--ratings", str(file), "--out", str(run_dir), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    o = report["summary"]["overall"]
    assert o["rated"] == 3
    assert o["rated_publishable"] == pytest.approx(1 / 3)
    assert o["rated_light_edit"] == pytest.approx(1 / 3) and o["rated_rewrite"] == pytest.approx(1 / 3)
    cells = {(c["audience"], c["format"]): c for c in report["summary"]["by_variant"]}
    assert cells["pme", "linkedin"]["rated_publishable"] == 1.0
    assert cells["coo", "linkedin"]["rated_rewrite"] == 1.0
    assert cells["pme", "landing"]["rated"] == 0 and cells["pme", "landing"]["rated_publishable"] is None
    assert report["ratings"]["reviewer"] == "Camille"
    rows = {r["id"]: r for r in report["records"]}
    assert rows["alpha-coo-linkedin"]["rating_note"] == "Phrase « bancale », à reprendre"
    md = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "## A reader's ratings (review.html)" in md and "Camille" in md
    assert json.loads((run_dir / "ratings.json").read_text(encoding="utf-8"))["marks"] == data["marks"]


def test_copy_with_markup_shows_as_text(browser, tmp_path):
    from plume.evaluate.records import EvalRecord
    from plume.evaluate.review import write_review

    text = HOSTILE["hook"] + "\n\n" + "\n".join(HOSTILE["paragraphs"]) + "\n"
    record = EvalRecord(brief="alpha", audience="coo", format="linkedin", status="violations", text=text,
                        critic_final=[{"rule": "x</li><script>window.pwned=3</script>", "severity": "error",
                                       "line": 1, "text": "<img src=y onerror=\"window.pwned=4\">",
                                       "message": "</ul><b>gras</b>"}])
    page = write_review(tmp_path, [record], {"created": "</script><script>window.pwned=5</script>"})
    session = browser.open(page.as_uri())
    assert browser.eval(session, "document.querySelectorAll('img, b').length") == 0
    assert browser.eval(session, "document.querySelectorAll('script').length") == 1  # the page's own
    assert browser.eval(session, "window.pwned === undefined")
    assert browser.eval(session, "document.querySelector('.copy').innerText") == text.rstrip()
    assert "<b>gras</b>" in browser.eval(session, "document.querySelector('.lint').innerText")
    assert browser.problems(session) == []


def test_ratings_file_errors_are_one_line(run_dir, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "plume-review/1", "marks": {"alpha-pme-linkedin": {"mark": "great"}}}', "utf-8")
    result = CliRunner().invoke(app, ["eval", "--ratings", str(bad), "--out", str(run_dir)])
    assert result.exit_code == 2 and "bad.json: marks.alpha-pme-linkedin.mark" in result.output
    other = tmp_path / "other.json"
    other.write_text('{"schema": "plume-review/1", "marks": {"nope-pme-linkedin": {"mark": "rewrite"}}}', "utf-8")
    result = CliRunner().invoke(app, ["eval", "--ratings", str(other), "--out", str(run_dir)])
    assert result.exit_code == 2 and "1 rated output(s) are not in" in result.output
    assert not (run_dir / "ratings.json").exists()
    result = CliRunner().invoke(app, ["eval", "--ratings", str(other)])
    assert result.exit_code == 2 and "--ratings needs the run folder" in result.output
    notjson = tmp_path / "x.json"
    notjson.write_text("{}", "utf-8")
    result = CliRunner().invoke(app, ["eval", "--ratings", str(notjson), "--out", str(run_dir)])
    assert result.exit_code == 2 and "not a review.html ratings file" in result.output
