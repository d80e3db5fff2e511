"""The shared system prompt's KV cache kept across processes, through llama.cpp's slot save/restore.

Every Plume prompt starts with the same system message (prompts/system.j2), so its KV cache is computed
once and saved to `$PLUME_CACHE_DIR/kv/<model>-<hash>.bin`, the hash covering the model file (path, size,
mtime), the runtime version and the system text. The next process restores it into its slots instead of
recomputing it; llama.cpp then reuses the longest common token prefix of each request, so a wrong or partial
state can only cost time, never change an answer. A file that does not load (another runtime, corrupt)
is deleted and the prefix computed again; a file for another model or another system text has another
name and is never read.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

_lock = threading.Lock()


def model_identity(model_path: Path) -> str:
    path = Path(model_path).resolve()
    stat = path.stat()
    try:
        import xllamacpp

        runtime = getattr(xllamacpp, "__version__", "?")
    except ImportError:
        runtime = "?"
    return f"{path}|{stat.st_size}|{stat.st_mtime_ns}|xllamacpp {runtime}"


def cache_name(model_path: Path, system: str) -> str:
    """The file name (no directory: llama.cpp takes names inside its slot_save_path only)."""
    digest = hashlib.sha256(f"{model_identity(model_path)}\n{system}".encode()).hexdigest()[:20]
    return f"{Path(model_path).stem}-{digest}.bin"


def system_text(messages: list[dict[str, Any]]) -> str | None:
    first = messages[0] if messages else None
    if first and first.get("role") == "system" and isinstance(first.get("content"), str) and first["content"]:
        return first["content"]
    return None


def prime(server, messages: list[dict[str, Any]], model: str) -> str | None:
    """Make the system prefix of `messages` ready in every slot of `server`, once per server and system
    text: restored from its file, else computed in slot 0, saved, and copied to the other slots.
    Returns how it was made ready ("restored", "computed", "kept") or None when there is nothing to do."""
    system = system_text(messages)
    if system is None or getattr(server, "slot_dir", None) is None:
        return None
    with _lock:
        name = cache_name(server.model_path, system)
        if server.prefix == name:
            return "kept"
        path = server.slot_dir / name
        state = "restored" if path.is_file() and _restore(server, name, range(server.parallel)) else None
        if state is None:
            path.unlink(missing_ok=True)  # did not load: stale or corrupt
            _compute(server, system, model)
            if _save(server, name):
                _restore(server, name, range(1, server.parallel))
            state = "computed"
        server.prefix = name
        server.prefix_state = state
        return state


def _compute(server, system: str, model: str) -> None:
    """The system message alone, one token generated, in slot 0: its KV cache is the shared prefix."""
    server.post("/v1/chat/completions", {
        "model": model, "messages": [{"role": "system", "content": system}, {"role": "user", "content": ""}],
        "max_tokens": 1, "temperature": 0.0, "id_slot": 0, "cache_prompt": True}, timeout=600)


def _save(server, name: str) -> bool:
    try:
        server.post("/slots/0?action=save", {"filename": name}, timeout=120)
        return True
    except Exception:  # noqa: BLE001 - no cache file: the next process computes the prefix again
        return False


def _restore(server, name: str, slots) -> bool:
    try:
        for slot in slots:
            server.post(f"/slots/{slot}?action=restore", {"filename": name}, timeout=120)
        return True
    except Exception:  # noqa: BLE001 - the caller computes the prefix instead
        return False
