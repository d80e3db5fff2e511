"""The embedded offline model: llama.cpp's own OpenAI-compatible server (xllamacpp) inside this process,
bound to 127.0.0.1 on an ephemeral port, spoken to through the same openai SDK path as any server.

One server per (model file, context, slots) per process, started on first use and reused by every backend
object; it stops when the process exits. When a warm server (`plume serve`, plume.backends.warm) runs the
same model, it is used instead and nothing is loaded here. The shared system prefix's KV cache is kept
across processes in a file (plume.backends.prefix).

Parallel slots: `parallel` requests decode together (continuous batching), in one unified KV pool of
`n_ctx × parallel` cells (n_ctx is the context of one slot). A request for `n` answers to one prompt (best-of-N)
processes the prompt once in a parent slot and copies it to n - 1 child slots (llama.cpp's `n_cmpl`); with a
unified pool the copy shares the prompt's cells instead of duplicating them.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import urllib.request
from pathlib import Path
from typing import Any, ClassVar

from plume.backends.openai_compat import QWEN_SAMPLING, OpenAIBackend
from plume.errors import BackendError, InputError

DEFAULT_CTX = 4096  # context of one slot, in tokens
DEFAULT_PARALLEL = 3  # slots: best-of-3 candidates, or three variants, decode together
MAX_PARALLEL = 8
DEFAULT_CAP = 512  # the 1.5B model overshoots requested lengths: never let it run longer
DEFAULT_MODEL_LABEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"
PROMPT_CACHE_MIB = 256  # llama.cpp's host-memory prompt cache (its default, 8 GiB, is more than the machine)

_lock = threading.Lock()
_servers: dict[tuple[str, int, int], EmbeddedServer] = {}


def _threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def check_parallel(value: Any, where: str = "parallel") -> int:
    """Slots asked for: an integer from 1 to MAX_PARALLEL, else one clear error."""
    from plume.errors import InputError

    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= MAX_PARALLEL or str(value).strip() != str(n):
        raise InputError(f"{where} must be a whole number from 1 to {MAX_PARALLEL}, not {value!r}")
    return n


class LoopbackAPI:
    """llama.cpp's own endpoints at `self.address` (127.0.0.1), with no proxy in the way."""

    address: str
    _opener: Any

    def post(self, path: str, payload: dict, timeout: float = 60) -> Any:
        request = urllib.request.Request(self.address + path, data=json.dumps(payload).encode(),
                                         headers={"Content-Type": "application/json"})
        with self._opener.open(request, timeout=timeout) as response:
            return json.loads(response.read())

    def get(self, path: str, timeout: float = 10) -> Any:
        with self._opener.open(self.address + path, timeout=timeout) as response:
            return json.loads(response.read())

    def tokenize(self, text: str) -> list[int]:
        """The model's own tokenizer (llama.cpp's /tokenize)."""
        try:
            return list(self.post("/tokenize", {"content": text})["tokens"])
        except Exception as exc:  # noqa: BLE001
            raise BackendError(f"embedded model: tokenizer unreachable at {self.address}: {exc}") from exc


class EmbeddedServer(LoopbackAPI):
    """xllamacpp.Server on 127.0.0.1; port chosen by the OS unless given (`plume serve`)."""

    def __init__(self, model_path: Path, n_ctx: int = DEFAULT_CTX, parallel: int = DEFAULT_PARALLEL,
                 threads: int | None = None, port: int = 0, slot_dir: Path | None = None):
        try:
            import xllamacpp
        except ImportError as exc:
            from plume.install import missing_extra

            raise InputError(missing_extra("the embedded model", "local", "xllamacpp")) from exc
        params = xllamacpp.CommonParams()
        params.model.path = str(model_path)
        params.n_parallel = parallel
        params.n_ctx = n_ctx * parallel  # one pool for all slots
        params.kv_unified = True  # slots share the pool: a copied prompt shares its cells
        params.cont_batching = True
        params.cache_prompt = True
        params.cache_ram_mib = PROMPT_CACHE_MIB
        params.n_threads_http = parallel + 3  # every slot's request, plus tokenize/slots/health calls
        params.cpuparams.n_threads = params.cpuparams_batch.n_threads = threads or _threads()
        params.hostnames = ["127.0.0.1"]
        params.port = port
        params.offline = True
        params.ui = False
        params.verbosity = 0
        self.slot_dir = slot_dir or _slot_dir()
        params.slot_save_path = str(self.slot_dir) + os.sep  # llama.cpp appends the file name as is
        try:
            self._server = xllamacpp.Server(params)
        except Exception as exc:  # noqa: BLE001 - the runtime raises plain RuntimeErrors
            raise BackendError(f"embedded model: llama.cpp could not load {model_path}: {exc}") from exc
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.parallel = parallel
        self.address = self._server.listening_address
        self.base_url = self.address + "/v1"
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy
        self.prefix: str | None = None  # the system prefix made ready (plume.backends.prefix)
        self.prefix_state: str | None = None

    def stop(self) -> None:
        self._server = None  # the C++ destructor stops the HTTP server and frees the model


def _slot_dir() -> Path:
    from plume.paths import cache_dir

    path = cache_dir() / "kv"
    path.mkdir(parents=True, exist_ok=True)
    return path


def server_for(model_path: Path, n_ctx: int = DEFAULT_CTX, parallel: int = DEFAULT_PARALLEL) -> EmbeddedServer:
    """The process's server for this model file, started on first use."""
    key = (str(Path(model_path).resolve()), n_ctx, parallel)
    with _lock:
        if key not in _servers:
            _servers[key] = EmbeddedServer(Path(model_path), n_ctx, parallel)
        return _servers[key]


def default_model_path(progress: bool = True) -> Path:
    from plume.backends.assemble import ensure_model

    return ensure_model(progress=progress)


def shared_server(model_path: Path | None = None, n_ctx: int = DEFAULT_CTX, progress: bool = True,
                  parallel: int = DEFAULT_PARALLEL) -> EmbeddedServer:
    """The server for `model_path`, or for the default model (assembled and verified first)."""
    return server_for(model_path or default_model_path(progress), n_ctx, parallel)


@atexit.register
def shutdown() -> None:
    """Stop every embedded server of this process."""
    with _lock:
        servers = list(_servers.values())
        _servers.clear()
    for server in servers:
        server.stop()


def default_model_state(verify: bool = True) -> dict[str, Any]:
    """What `plume backend` says about the default model: parts installed, assembled, size, hash."""
    from plume.backends.assemble import QWEN, default_path, is_verified, part_sources
    from plume.backends.assemble import verify as verify_file

    path = default_path()
    sources = part_sources()
    state: dict[str, Any] = {
        "model": "Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0)",
        "path": str(path),
        "parts_installed": sum(1 for s in sources if s is not None and s.is_file()),
        "parts_expected": len(QWEN.parts),
        "assembled": path.is_file(),
        "size": path.stat().st_size if path.is_file() else None,
        "expected_size": QWEN.size,
        "sha256_expected": QWEN.sha256,
        "hash_ok": None,
    }
    try:
        import importlib.util

        state["runtime_installed"] = importlib.util.find_spec("xllamacpp") is not None
    except (ImportError, ValueError):
        state["runtime_installed"] = False
    if path.is_file():
        state["hash_ok"] = verify_file(path, progress=False) if verify else is_verified(path)
    return state


class EmbeddedBackend(OpenAIBackend):
    """A GGUF on the in-process llama.cpp server: the default Qwen2.5-Coder-1.5B, or `local:/path.gguf`."""

    name = "embedded"
    needs_key = False
    is_local = True
    supports_n = True  # llama.cpp draws n answers to one prompt in parallel slots (prompt processed once)
    default_sampling = QWEN_SAMPLING  # Qwen2.5 instruct's recommendation + DRY (plume.toml [sampling] overrides)
    max_tokens_cap: ClassVar[int | None] = DEFAULT_CAP

    def __init__(self, model_path: Path | str | None = None, *, n_ctx: int = DEFAULT_CTX,
                 parallel: int = DEFAULT_PARALLEL, timeout: float = 600.0, max_retries: int = 0,
                 source: str = "default", max_tokens_cap: int | None = None, progress: bool = True,
                 use_warm: bool = True):
        path = Path(model_path).expanduser() if model_path else None
        if path is not None and not path.is_file():
            raise BackendError(f"embedded model: no GGUF file at {path}")
        label = path.stem if path else DEFAULT_MODEL_LABEL
        super().__init__(label, api_key="local", timeout=timeout, max_retries=max_retries, source=source,
                         label="embedded")
        self.model_path = path
        self.n_ctx = n_ctx
        self.parallel = check_parallel(parallel)
        self.progress = progress
        self.use_warm = use_warm
        if max_tokens_cap is not None:
            self.max_tokens_cap = max_tokens_cap
        self._server: EmbeddedServer | None = None

    @property
    def author_wins_ties(self) -> bool:
        # the default Qwen2.5-Coder-1.5B, measured (docs/quality/embedded-default at 2f936b8): of the 8 pieces
        # where its fields passed the gate and the critic and were kept, a reader would post 1 as is; of the
        # 70 made of the author's material alone, 49. A GGUF of the user's own is trusted like a server.
        return self.model_path is None

    @property
    def server(self) -> EmbeddedServer:
        """The warm server (`plume serve`) when it runs this model, else this process's own."""
        if self._server is None:
            from plume.backends import warm

            remote = warm.find(self.model_path) if self.use_warm else None
            if remote is not None:
                self._server = remote
                self.parallel = remote.parallel
            else:
                self._server = shared_server(self.model_path, self.n_ctx, progress=self.progress,
                                             parallel=self.parallel)
        return self._server

    @property
    def serving(self) -> str:
        """Which server answers: the warm one or this process's."""
        from plume.backends.warm import RemoteServer

        if isinstance(self.server, RemoteServer):
            return f"warm server (plume serve, pid {self.server.state.pid}, {self.server.address})"
        return "in-process (model loaded by this command; `plume serve` keeps it warm)"

    def _request(self, messages, max_tokens: int, temperature: float) -> dict[str, Any]:
        from plume.backends.prefix import prime

        prime(self.server, messages, self.model)  # the shared system prefix: restored or computed once
        return super()._request(messages, max_tokens, temperature)

    def _server_url(self) -> str:
        return self.server.base_url

    @property
    def where(self) -> str:
        return f"embedded model ({self.model})"

    def model_name(self) -> str:
        return self.model

    def count_tokens(self, text: str) -> int:
        return len(self.server.tokenize(text))

    def _rounds(self, n: int) -> list[int]:
        """`n` answers in requests of at most `parallel` (a child answer needs a free slot)."""
        return [min(self.parallel, n - i) for i in range(0, max(1, n), self.parallel)]

    def complete_n(self, messages, n: int, **kwargs) -> list:
        out: list = []
        for k in self._rounds(n):
            out += super().complete_n(messages, k, **kwargs) if k > 1 else [self.complete(messages, **kwargs)]
        return out

    async def acomplete_n(self, messages, n: int, **kwargs) -> list:
        out: list = []
        for k in self._rounds(n):
            out += await super().acomplete_n(messages, k, **kwargs) if k > 1 else [
                await self.acomplete(messages, **kwargs)]
        return out

    def describe(self) -> dict[str, Any]:
        return {"backend": self.label, "kind": self.name, "model": self.model,
                "model_path": str(self.model_path) if self.model_path else None,
                "base_url": self._server.base_url if self._server else None, "source": self.source,
                "timeout_s": self.timeout, "max_retries": self.max_retries, "local": True,
                "n_ctx": self.n_ctx, "parallel": self.parallel, "max_tokens_cap": self.max_tokens_cap}
