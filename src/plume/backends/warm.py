"""The warm server (`plume serve`): the embedded model in its own process on 127.0.0.1, outliving commands.

It writes `$PLUME_CACHE_DIR/serve.json` (pid, address, model, slots) once it answers; an embedded backend
whose model is the one served uses it instead of loading the model itself. It stops on `plume serve --stop`
(SIGTERM), or after `idle_timeout` seconds without a request, and removes its state file on the way out.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from plume.backends.embedded import LoopbackAPI
from plume.errors import BackendError

DEFAULT_IDLE_TIMEOUT = 1800.0  # seconds
POLL = 2.0


def state_file() -> Path:
    from plume.paths import cache_dir

    return cache_dir() / "serve.json"


@dataclass
class WarmState:
    pid: int
    address: str
    model_path: str
    n_ctx: int
    parallel: int
    idle_timeout: float
    started: float


class RemoteServer(LoopbackAPI):
    """A running `plume serve`, spoken to like the in-process server (same attributes for the backend)."""

    slot_dir = None  # its slots live in the other process: no prefix file restored from here
    prefix = None

    def __init__(self, state: WarmState):
        self.state = state
        self.address = state.address
        self.base_url = state.address + "/v1"
        self.model_path = Path(state.model_path)
        self.n_ctx = state.n_ctx
        self.parallel = state.parallel
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def stop(self) -> None:
        pass  # not ours: `plume serve --stop` stops it


def read_state() -> WarmState | None:
    try:
        data = json.loads(state_file().read_text(encoding="utf-8"))
        return WarmState(**data)
    except (OSError, ValueError, TypeError):
        return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running() -> WarmState | None:
    """The warm server's state when its process lives and answers /health, else None."""
    state = read_state()
    if state is None or not alive(state.pid):
        return None
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(state.address + "/health",
                                                                               timeout=2) as r:
            ok = r.status == 200
    except Exception:  # noqa: BLE001 - loading, or gone
        return None
    return state if ok else None


def find(model_path: Path | None) -> RemoteServer | None:
    """The warm server if it serves `model_path` (None: the default model)."""
    if os.environ.get("PLUME_NO_SERVE"):
        return None
    state = running()
    if state is None:
        return None
    if model_path is None:
        from plume.backends.assemble import default_path

        model_path = default_path()
    if Path(state.model_path).resolve() != Path(model_path).resolve():
        return None
    return RemoteServer(state)


# -- the server process -----------------------------------------------------------------------------

def serve(model_path: Path | None, n_ctx: int, parallel: int, idle_timeout: float, port: int = 0) -> None:
    """Run the warm server in this process until SIGTERM/SIGINT or `idle_timeout` seconds without work."""
    from plume.backends.embedded import EmbeddedServer, default_model_path
    from plume.files import write_atomic

    path = Path(model_path) if model_path else default_model_path(progress=False)
    server = EmbeddedServer(path, n_ctx, parallel, port=port)
    stopping = {"flag": False}

    def stop(*_):
        stopping["flag"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    state = WarmState(os.getpid(), server.address, str(path.resolve()), n_ctx, parallel, idle_timeout, time.time())
    write_atomic(state_file(), json.dumps(asdict(state)) + "\n")
    last, seen = time.monotonic(), None
    try:
        while not stopping["flag"]:
            time.sleep(POLL)
            activity = _activity(server)
            if activity != seen:
                seen, last = activity, time.monotonic()
            elif idle_timeout > 0 and time.monotonic() - last >= idle_timeout:
                break
    finally:
        if (read_state() or state).pid == state.pid:
            state_file().unlink(missing_ok=True)
        server.stop()


def _activity(server) -> Any:
    """Changes whenever a slot takes a task or is working."""
    try:
        slots = server.get("/slots")
    except Exception:  # noqa: BLE001
        return None
    return tuple((s.get("id_task"), s.get("is_processing")) for s in slots)


def start(model_path: Path | None, n_ctx: int, parallel: int, idle_timeout: float,
          wait: float = 600.0) -> WarmState:
    """Start the warm server in the background (its own session) and wait until it answers."""
    import subprocess

    current = running()
    if current is not None:
        return current
    cmd = [sys.executable, "-m", "plume.backends.warm", "--n-ctx", str(n_ctx), "--parallel", str(parallel),
           "--idle-timeout", str(idle_timeout)]
    if model_path:
        cmd += ["--model-path", str(model_path)]
    log = state_file().with_suffix(".log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        state = running()
        if state is not None and state.pid == proc.pid:
            return state
        if proc.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:]
            raise BackendError(f"plume serve: the server exited with status {proc.returncode}"
                               + (f": {tail[0]}" if tail else ""))
        time.sleep(0.25)
    proc.terminate()
    raise BackendError(f"plume serve: the server did not answer within {wait:.0f} s")


def stop(wait: float = 30.0) -> int | None:
    """Stop the warm server; returns its pid, or None when none runs. Waits until the process is gone."""
    state = read_state()
    if state is None or not alive(state.pid):
        state_file().unlink(missing_ok=True)
        return None
    os.kill(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while alive(state.pid) and time.monotonic() < deadline:
        _reap(state.pid)
        time.sleep(0.1)
    if alive(state.pid):
        os.kill(state.pid, signal.SIGKILL)
        time.sleep(0.2)
        _reap(state.pid)
    state_file().unlink(missing_ok=True)
    return state.pid


def _reap(pid: int) -> None:
    """Collect our own child's exit status (a zombie still answers kill(pid, 0))."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m plume.backends.warm")
    parser.add_argument("--model-path")
    parser.add_argument("--n-ctx", type=int, required=True)
    parser.add_argument("--parallel", type=int, required=True)
    parser.add_argument("--idle-timeout", type=float, default=DEFAULT_IDLE_TIMEOUT)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    serve(Path(args.model_path) if args.model_path else None, args.n_ctx, args.parallel, args.idle_timeout,
          args.port)


if __name__ == "__main__":
    main()
