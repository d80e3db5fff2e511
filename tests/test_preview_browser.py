"""The preview page in a real headless Chromium, driven over the DevTools protocol.

The protocol runs over `--remote-debugging-pipe` (fd 3 in, fd 4 out, NUL-terminated JSON), so no port and
no websocket library are needed. Every browser process is killed at the end, every wait is bounded.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from plume.lint import linkedin_cut, lint_text
from plume.lint.linkedin import post_start
from plume.preview import parse_post, render_post, write_png
from plume.preview.chromium import command, find_chromium, stop
from plume.preview.output import PNG_SIGNATURE, is_preview

pytestmark = pytest.mark.browser

TIMEOUT = 20.0

POST = """---
title: essai
audience: pme
format: linkedin
---
Vous êtes dirigeant de PME et vous courez après le temps ? Vous n’êtes pas seul.

J’accompagne les dirigeants comme COS externe, en part time, pour prendre du recul.
Prioriser. Structurer. Piloter. Débloquer.

Le bon niveau d’appui au bon moment, sans recrutement à temps plein.

Et vous, qu’est-ce qui vous empêche d’avancer ?
"""

HOSTILE = """Un post qui parle de <script>alert(1)</script> et de <img src=x onerror="alert(2)"> en clair.

<b>pas du gras</b> & « fin ».
"""


class DevTools:
    """A minimal Chrome DevTools Protocol client over the debugging pipe of one Chromium process."""

    def __init__(self) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="plume-cdp-"))
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def plumb() -> None:  # in the child: our pipe ends become fds 3 and 4
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        argv = command(find_chromium(), self.profile / "profile", "--remote-debugging-pipe", "about:blank")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, preexec_fn=plumb, close_fds=False,
                                     start_new_session=True)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from Chromium")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 16)
                if not chunk:
                    raise EOFError("Chromium closed the debugging pipe")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_event(self, method: str, session: str, since: int = 0, timeout: float = TIMEOUT) -> dict:
        """The first `method` event of `session` among the events from index `since` on (take
        `len(self.events)` before the action: an earlier page's load is not this one's), waiting for it."""
        deadline = time.monotonic() + timeout
        for ev in self.events[since:]:
            if ev.get("method") == method and ev.get("sessionId") == session:
                return ev
        while True:
            ev = self._read(deadline)
            self.events.append(ev)
            if ev.get("method") == method and ev.get("sessionId") == session:
                return ev

    def drain(self, seconds: float) -> None:
        """Collect events for a little while (late console messages)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._read(deadline))
        except TimeoutError:
            pass

    def open(self, url: str) -> str:
        """A new tab with console and log capture, navigated to `url` and loaded; returns its session."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime.enable", "Log.enable", "Page.enable"):
            self.send(domain, session=session)
        since = len(self.events)  # (about:blank's own load may be among the events already read)
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session, since)
        self.drain(0.3)
        return session

    def eval(self, session: str, expression: str):
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression!r}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def problems(self, session: str) -> list[str]:
        """Console errors, uncaught exceptions, error log entries and dialogs seen in this tab."""
        out = []
        for ev in self.events:
            if ev.get("sessionId") != session:
                continue
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                out.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                out.append(f"log: {params['entry'].get('text')}")
            elif method == "Page.javascriptDialogOpening":
                out.append(f"dialog: {params.get('message')}")
        return out

    def close(self) -> None:
        try:
            os.close(self._to_chrome)
            os.close(self._from_chrome)
        finally:
            stop(self.proc)
            shutil.rmtree(self.profile, ignore_errors=True)


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
    assert tools.proc.poll() is not None


def page_of(tmp_path: Path, text: str, name: str = "post") -> Path:
    page = tmp_path / f"{name}.html"
    page.write_text(render_post(parse_post(text), audience="pme"), encoding="utf-8")
    return page


def test_detector_sees_a_console_error(browser, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>x</p><script>console.error('boom')</script>", encoding="utf-8")
    session = browser.open(bad.as_uri())
    assert any("boom" in p for p in browser.problems(session))


def test_page_loads_without_console_error(browser, tmp_path):
    session = browser.open(page_of(tmp_path, POST).as_uri())
    assert browser.eval(session, "document.readyState") == "complete"
    assert browser.eval(session, "document.querySelectorAll('article.feed-card').length") == 3
    assert browser.problems(session) == []


@pytest.mark.parametrize("device", ["mobile", "desktop"])
def test_visible_text_above_the_cut_is_the_linters(browser, tmp_path, device):
    cut = linkedin_cut(POST, device=device)
    assert cut.truncated
    expected = POST[post_start(POST) : cut.offset]
    session = browser.open(page_of(tmp_path, POST).as_uri())
    card = f"document.querySelector('.device.{device} .post-text')"
    shown = browser.eval(session, f"{card}.querySelector('.before-cut').innerText")
    assert shown == expected
    assert browser.eval(session, f"{card}.innerText") == expected + "…voir plus"
    # really on screen: the card is laid out and the text has height
    assert browser.eval(session, f"{card}.getBoundingClientRect().height") > 20


def test_violation_is_highlighted_at_the_right_words(browser, tmp_path):
    result = lint_text(POST, audience="pme", format="linkedin")
    target = next(v for v in result.violations if "COS externe" in v.text)
    index = result.violations.index(target)
    session = browser.open(page_of(tmp_path, POST).as_uri())
    marks = f"[...document.querySelectorAll('#full-text mark')].filter(m => m.dataset.violations.split(' ').includes('{index}'))"
    assert browser.eval(session, f"{marks}.map(m => m.innerText).join('')") == target.text
    # the mark stands at the violation's offset: the text before it is the file's text before it
    before = browser.eval(session, f"""(() => {{
        const r = document.createRange(), full = document.getElementById('full-text');
        r.setStart(full, 0); r.setEndBefore({marks}[0]); return r.toString(); }})()""")
    assert before == POST[post_start(POST) : target.start]
    assert target.rule in browser.eval(session, f"{marks}[0].title")
    # and the list beside it names the rule
    assert browser.eval(session, f"document.querySelector('.violations a[href=\"#v{index}\"]').innerText").count(target.rule) == 1


def test_html_in_a_post_shows_as_text(browser, tmp_path):
    session = browser.open(page_of(tmp_path, HOSTILE, "hostile").as_uri())
    assert browser.eval(session, "document.querySelectorAll('script, img').length") == 0
    assert browser.eval(session, "document.querySelectorAll('.post-text *:not(span):not(mark)').length") == 0
    full = browser.eval(session, "document.getElementById('full-text').innerText")
    assert "<script>alert(1)</script>" in full
    assert '<img src=x onerror="alert(2)">' in full
    assert "<b>pas du gras</b> & « fin »." in full
    assert browser.problems(session) == []


def test_png_is_written(tmp_path):
    try:
        find_chromium()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(str(exc))
    page = page_of(tmp_path, POST)
    png = write_png(page, tmp_path / "post.png", width=1280, height=1000)
    data = png.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 20_000
    assert struct.unpack(">II", data[16:24]) == (1280, 1000)
    assert is_preview(png)
    write_png(page, png, width=1280, height=1000)  # an earlier picture may be replaced


def test_cli_png_only_leaves_no_page_behind(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from plume.cli import app

    try:
        find_chromium()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(str(exc))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.md").write_text(POST, encoding="utf-8")
    result = CliRunner().invoke(app, ["preview", "p.md", "--png", "p.png", "--size", "900x700"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "p.png"
    data = (tmp_path / "p.png").read_bytes()
    assert data.startswith(PNG_SIGNATURE) and struct.unpack(">II", data[16:24]) == (900, 700)
    assert sorted(os.listdir(tmp_path)) == ["p.md", "p.png"]
    (tmp_path / "q.png").write_bytes(b"not mine")
    refused = CliRunner().invoke(app, ["preview", "p.md", "--png", "q.png"])
    assert refused.exit_code == 2 and (tmp_path / "q.png").read_bytes() == b"not mine"


def test_variants_index_in_the_browser(browser, tmp_path):
    from plume.preview import render_variants_index

    body = POST.split("---\n", 2)[2]
    (tmp_path / "pme-linkedin.md").write_text(f"---\naudience: pme\nformat: linkedin\n---\n{body}", "utf-8")
    (tmp_path / "pme-landing.md").write_text("---\naudience: pme\nformat: landing\n---\n# Titre <script>x</script>\n", "utf-8")
    manifest = [{"id": f"pme-{f}", "audience": "pme", "format": f, "file": f"pme-{f}.md", "status": "clean"}
                for f in ("linkedin", "landing")]
    (tmp_path / "manifest.jsonl").write_text("".join(json.dumps(m) + "\n" for m in manifest), "utf-8")
    session = browser.open(render_variants_index(tmp_path).as_uri())
    text = (tmp_path / "pme-linkedin.md").read_text(encoding="utf-8")
    cut = linkedin_cut(text, device="mobile")
    shown = browser.eval(session, "document.querySelector('#pme-linkedin .before-cut').innerText")
    assert shown == text[post_start(text) : cut.offset]
    assert browser.eval(session, "document.querySelector('#pme-landing h1').innerText") == "Titre <script>x</script>"
    assert browser.eval(session, "document.querySelectorAll('script').length") == 0
    assert browser.problems(session) == []
