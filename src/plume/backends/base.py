"""The one backend protocol: what a completion is, and what every backend can do."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

Messages = list[dict[str, Any]]


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class Completion:
    """One model answer. `parsed` holds the pydantic instance when a schema was asked for."""

    text: str
    parsed: Any = None
    usage: Usage = field(default_factory=Usage)
    model: str = ""
    backend: str = ""
    duration_s: float = 0.0
    cost_usd: float = 0.0
    history_id: int | None = None
    finish_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["parsed"] = self.parsed.model_dump() if hasattr(self.parsed, "model_dump") else self.parsed
        return data


class TextStream:
    """Iterate for text deltas; `.last` is the final Completion once the stream is exhausted."""

    def __init__(self, pieces: Iterator[str], holder: dict[str, Any]):
        self._pieces = pieces
        self._holder = holder

    def __iter__(self) -> Iterator[str]:
        return self._pieces

    def __next__(self) -> str:
        return next(self._pieces)

    @property
    def last(self) -> Completion | None:
        return self._holder.get("completion")

    def text(self) -> str:
        """Consume the rest of the stream and return the whole text."""
        for _ in self._pieces:
            pass
        return self.last.text if self.last else ""


class Backend:
    """Base class: capabilities as class attributes, one implementation per kind of server."""

    name: ClassVar[str] = "backend"
    can_stream: ClassVar[bool] = True
    supports_schema: ClassVar[bool] = True
    supports_async: ClassVar[bool] = True
    #: one request returns n answers to the same prompt (the prompt is paid for once)
    supports_n: ClassVar[bool] = False
    needs_key: ClassVar[bool] = False
    is_local: ClassVar[bool] = False
    #: completions longer than this are cut (None: the caller's max_tokens stands)
    max_tokens_cap: ClassVar[int | None] = None

    @property
    def author_wins_ties(self) -> bool:
        """In composition, the author's material beats a model's field the critic finds as clean (True for a
        model whose clean fields a reader still rewrites: the embedded default); plume.toml `[compose]
        prefer` overrides it."""
        return False

    model: str
    #: why this backend was chosen (flag, environment variable, plume.toml, default)
    source: str = "default"

    def complete(self, messages: Messages, *, max_tokens: int = 400, temperature: float = 0.7,
                 schema: type | None = None, meta: dict | None = None) -> Completion:
        raise NotImplementedError

    async def acomplete(self, messages: Messages, *, max_tokens: int = 400, temperature: float = 0.7,
                        schema: type | None = None, meta: dict | None = None) -> Completion:
        raise NotImplementedError

    def stream(self, messages: Messages, *, max_tokens: int = 400, temperature: float = 0.7,
               schema: type | None = None, meta: dict | None = None) -> TextStream:
        raise NotImplementedError

    def complete_n(self, messages: Messages, n: int, *, max_tokens: int = 400, temperature: float = 0.7,
                   schema: type | None = None, meta: dict | None = None) -> list[Completion]:
        """`n` answers to the same prompt (best-of-N); here `n` concurrent calls, one request where the
        backend `supports_n`. An answer whose structure cannot be read comes back with `parsed=None`."""
        kwargs = {"max_tokens": max_tokens, "temperature": temperature, "schema": schema, "meta": meta}
        if n <= 1:
            return [self.complete(messages, **kwargs)]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=n) as pool:
            return list(pool.map(lambda _: self.complete(messages, **kwargs), range(n)))

    async def acomplete_n(self, messages: Messages, n: int, *, max_tokens: int = 400, temperature: float = 0.7,
                          schema: type | None = None, meta: dict | None = None) -> list[Completion]:
        """The async form of `complete_n`."""
        import asyncio

        kwargs = {"max_tokens": max_tokens, "temperature": temperature, "schema": schema, "meta": meta}
        return list(await asyncio.gather(*(self.acomplete(messages, **kwargs) for _ in range(max(1, n)))))

    def count_tokens(self, text: str) -> int:
        raise NotImplementedError

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        """Release what async calls opened, inside their event loop."""

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "model": self.model, "source": self.source}

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
