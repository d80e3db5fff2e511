"""Headless Chromium for `--png`: the system browser (Debian package `chromium`), never a download."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from plume.errors import PlumeError

# Quiet, offline, throw-away profile: no sync, no component updates, no background requests.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class BrowserError(PlumeError):
    """Chromium is missing or failed to render."""

    exit_code = 2


def find_chromium() -> str:
    """$PLUME_CHROMIUM, else the first Chromium on PATH (Debian: /usr/bin/chromium)."""
    env = os.environ.get("PLUME_CHROMIUM")
    if env:
        if shutil.which(env):
            return shutil.which(env)
        raise BrowserError(f"PLUME_CHROMIUM={env}: no such executable")
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserError("chromium not found: install it (Debian: apt-get install chromium) or set PLUME_CHROMIUM")


def command(binary: str, profile: Path, *extra: str) -> list[str]:
    """The Chromium command line: the fixed flags, a fresh profile folder, then `extra`."""
    return [binary, *FLAGS, f"--user-data-dir={profile}", *extra]


def stop(proc: subprocess.Popen) -> None:
    """End a browser started with start_new_session=True: its whole process group, then reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        proc.kill()
        proc.wait()
    else:
        try:  # helpers (zygote, renderer) share the group; make sure none is left behind
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def screenshot(page: Path, *, width: int = 1280, height: int = 1100, timeout: float = 60.0) -> bytes:
    """PNG bytes of a local HTML page rendered by headless Chromium in a window of width × height."""
    binary = find_chromium()
    page = Path(page).resolve()
    with tempfile.TemporaryDirectory(prefix="plume-chromium-") as tmp:
        out = Path(tmp) / "shot.png"
        argv = command(binary, Path(tmp) / "profile", f"--screenshot={out}", f"--window-size={width},{height}",
                       page.as_uri())
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            raise BrowserError(f"{binary}: cannot start: {exc.strerror}") from None
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BrowserError(f"{binary}: no screenshot after {timeout:.0f} s") from None
        finally:
            stop(proc)
        if not out.is_file() or out.stat().st_size == 0:
            last = _last_line(stderr)
            raise BrowserError(f"{binary}: no screenshot written (exit {proc.returncode}){': ' + last if last else ''}")
        return out.read_bytes()


def _last_line(stderr: bytes | None) -> str:
    lines = [ln for ln in (stderr or b"").decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1].strip()[:200] if lines else ""
