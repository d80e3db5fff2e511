"""Grammalecte as a separate program: its HTTP server, started on first use, stopped at exit.

Grammalecte is GPL-3, so Plume never imports it: it runs `grammalecte-server` (Debian:
`apt-get install grammalecte-cli`) on a free 127.0.0.1 port and talks to it over HTTP
(`POST /gc_text/fr`, form fields `text` and `options`; `POST /suggest/fr`, field `token`).

The server forks a worker pool, so it runs under a tiny watchdog that leads its own process group
(`start_new_session`): at interpreter exit Plume kills that whole group, and if Plume dies without
running its exit handlers (SIGKILL), the watchdog sees its stdin pipe close and kills the group itself.
No Grammalecte process outlives Plume.

`GrammalecteServer.check_many(texts)` checks several texts in one request (their paragraphs joined);
answers are cached by text, so the same text is never checked twice. All methods are thread-safe.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlencode

from plume.errors import PlumeError

ENV = "PLUME_GRAMMALECTE"  # the server executable (name on PATH or path); default grammalecte-server
EXECUTABLE = "grammalecte-server"
INSTALL = "sudo apt-get install grammalecte-cli"
READY_TIMEOUT_S = 30.0
REQUEST_TIMEOUT_S = 120.0
CACHE_SIZE = 512

# Leads the process group: runs the server, kills the whole group when the server ends or when the
# parent goes away (its stdin, a pipe from Plume, reaches end of file).
_WATCHDOG = """\
import os, signal, subprocess, sys, threading
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)
def orphaned():
    sys.stdin.buffer.read()
    os.killpg(0, signal.SIGTERM)
threading.Thread(target=orphaned, daemon=True).start()
child.wait()
os.killpg(0, signal.SIGTERM)
"""


class GrammalecteError(PlumeError):
    """The server could not be started or answered badly (one line, for the user)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One error Grammalecte reports, with offsets into the text it was given."""

    kind: str  # "grammar" or "spelling"
    start: int
    end: int
    rule: str  # Grammalecte's rule id (grammar) or "" (spelling)
    type: str  # Grammalecte's option/type: "gn", "conj"… for grammar, "WORD" for spelling
    message: str  # French, from Grammalecte (grammar); "" for spelling
    suggestions: tuple[str, ...]
    value: str  # the text at [start, end)


def find_executable() -> str | None:
    """The server executable ($PLUME_GRAMMALECTE, else grammalecte-server on PATH), or None."""
    name = os.environ.get(ENV) or EXECUTABLE
    return shutil.which(name)


def _connection(port: int, timeout: float):
    """An HTTP connection to the server on `port`. http.client (and the ssl module it loads) is imported
    here, on the first request: `plume lint --no-grammar` and a machine without Grammalecte never load it."""
    import http.client

    return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GrammalecteServer:
    """One server process for this interpreter (see `shared_server()`)."""

    def __init__(self, executable: str | None = None, options: dict[str, bool] | None = None):
        self.executable = executable
        self.options = dict(options or {})
        self._options_json = json.dumps(self.options, sort_keys=True)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._port: int | None = None
        self._failure: str | None = None
        self._cache: OrderedDict[str, tuple[Finding, ...]] = OrderedDict()
        self._suggestions: dict[str, tuple[str, ...]] = {}
        self.requests = 0  # HTTP requests sent to /gc_text (for tests and the benchmark)

    # -- life cycle ------------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The watchdog's pid, which is also the process group of every Grammalecte process."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def unavailable(self) -> str | None:
        """None when the server runs (starting it if needed), else why it cannot (one line)."""
        try:
            self._ensure()
        except GrammalecteError as exc:
            return str(exc)
        return None

    def _ensure(self) -> int:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None and self._port is not None:
                return self._port
            if self._failure is not None:
                raise GrammalecteError(self._failure)
            if (self.executable or find_executable()) is None:  # not cached: it may be installed later
                name = os.environ.get(ENV) or EXECUTABLE
                raise GrammalecteError(f"{name} not found (install Grammalecte: {INSTALL})")
            try:
                self._port = self._start()
            except GrammalecteError as exc:
                self._failure = str(exc)
                raise
            return self._port

    def _start(self) -> int:
        executable = self.executable or find_executable()
        last = ""
        for _ in range(3):  # a port taken between our probe and the server's bind: try another
            port = _free_port()
            argv = [sys.executable, "-c", _WATCHDOG, executable, "-ht", "127.0.0.1", "-p", str(port), "-mp", "1"]
            proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True, close_fds=True,
            )
            self._proc = proc
            atexit.register(self.stop)
            if _wait_ready(proc, port):
                return port
            atexit.unregister(self.stop)
            last = f"{executable} exited with status {proc.returncode}" if proc.poll() is not None else (
                f"{executable} did not answer within {READY_TIMEOUT_S:.0f} s")
            self._kill(proc)
        raise GrammalecteError(last)

    def warm_up(self) -> None:
        """Start the server and its worker in a background thread (their start-up overlaps the caller's
        own work; the first request waits for it). Nothing happens when it is not installed."""
        if self._proc is not None or (self.executable or find_executable()) is None:
            return

        def run() -> None:
            try:
                self._post("/gc_text/fr", {"text": "Bonjour.", "options": self._options_json})  # forks the worker
            except GrammalecteError:
                pass  # reported by the next unavailable() or check()

        threading.Thread(target=run, name="grammalecte-warm-up", daemon=True).start()

    def stop(self) -> None:
        """Kill the server's whole process group and wait for the watchdog (idempotent). Does not wait for
        the lock: at exit a start may still hold it."""
        proc, self._proc, self._port = self._proc, None, None
        if proc is not None:
            self._kill(proc)

    @staticmethod
    def _kill(proc: subprocess.Popen) -> None:
        """SIGKILL the whole group at once (the server keeps nothing worth a graceful stop) and reap the
        watchdog; the server and its worker, reparented, are reaped by init."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass

    # -- requests --------------------------------------------------------------------------------
    def _post(self, path: str, fields: dict[str, str]) -> dict:
        body = urlencode(fields).encode("utf-8")
        for attempt in (1, 2):  # a server that died since the last request is started again, once
            port = self._ensure()
            conn = _connection(port, REQUEST_TIMEOUT_S)
            try:
                conn.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
                data = conn.getresponse().read()
                break
            except OSError as exc:
                proc = self._proc
                if attempt == 1 and proc is not None and proc.poll() is not None:
                    continue
                raise GrammalecteError(f"Grammalecte server on port {port}: {exc}") from None
            finally:
                conn.close()
        try:
            answer = json.loads(data)
        except ValueError:
            raise GrammalecteError(f"Grammalecte answered {path} with invalid JSON") from None
        if answer.get("error"):
            raise GrammalecteError(f"Grammalecte: {answer['error']}")
        return answer

    def check(self, text: str) -> tuple[Finding, ...]:
        """The grammar and spelling errors of `text` (offsets into `text`)."""
        return self.check_many([text])[0]

    def check_many(self, texts: list[str]) -> list[tuple[Finding, ...]]:
        """Check several texts in one request (texts already checked come from the cache)."""
        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            answers = self._check_uncached(todo)
            with self._lock:
                for text, found in zip(todo, answers):
                    self._cache[text] = found
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
            fresh = dict(zip(todo, answers))
        else:
            fresh = {}
        with self._lock:
            out = []
            for t in texts:
                found = fresh.get(t)
                if found is None:
                    found = self._cache.get(t, ())
                    if t in self._cache:
                        self._cache.move_to_end(t)
                out.append(found)
            return out

    def _check_uncached(self, texts: list[str]) -> list[tuple[Finding, ...]]:
        # Grammalecte splits on "\n" (a paragraph per line) and turns "\r" into "\n": a "\r" becomes a
        # space so offsets hold. Each text's lines are numbered from `first[i]` in the joined request.
        clean = [t.replace("\r", " ") for t in texts]
        first, line_starts, n = [], [], 1
        for t in clean:
            first.append(n)
            starts = [0]
            starts.extend(i + 1 for i, c in enumerate(t) if c == "\n")
            line_starts.append(starts)
            n += len(starts)
        self.requests += 1
        answer = self._post("/gc_text/fr", {"text": "\n".join(clean), "options": self._options_json})
        found: list[list[Finding]] = [[] for _ in texts]
        for para in answer.get("data", ()):
            number = para["iParagraph"]
            i = _index(first, number)
            base = line_starts[i][number - first[i]]
            text = clean[i]
            for e in para.get("lGrammarErrors", ()):
                s, t = base + e["nStart"], base + e["nEnd"]
                found[i].append(Finding("grammar", s, t, e.get("sRuleId", ""), e.get("sType", ""),
                                        e.get("sMessage", ""), tuple(e.get("aSuggestions") or ()), text[s:t]))
            for e in para.get("lSpellingErrors", ()):
                s, t = base + e["nStart"], base + e["nEnd"]
                found[i].append(Finding("spelling", s, t, "", e.get("sType", "WORD"), "",
                                        tuple(e.get("aSuggestions") or ()), e.get("sValue", text[s:t])))
        return [tuple(sorted(f, key=lambda x: (x.start, x.end))) for f in found]

    def suggest(self, word: str) -> tuple[str, ...]:
        """Spelling suggestions for one word (cached)."""
        with self._lock:
            if word in self._suggestions:
                return self._suggestions[word]
        answer = self._post("/suggest/fr", {"token": word})
        found = tuple(answer.get("suggestions") or ())
        with self._lock:
            self._suggestions[word] = found
        return found

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()
            self._suggestions.clear()


def _index(first: list[int], number: int) -> int:
    from bisect import bisect_right

    return bisect_right(first, number) - 1


def _wait_ready(proc: subprocess.Popen, port: int) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        conn = _connection(port, 2)
        try:
            conn.request("GET", "/get_options/fr")
            if conn.getresponse().status == 200:
                return True
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.05)
    return False


_shared: dict[str, GrammalecteServer] = {}
_shared_lock = threading.Lock()


def shared_server(options: dict[str, bool] | None = None) -> GrammalecteServer:
    """The one server of this process for these options (started on first request)."""
    key = json.dumps(options or {}, sort_keys=True)
    with _shared_lock:
        server = _shared.get(key)
        if server is None:
            server = _shared[key] = GrammalecteServer(options=options)
        return server
