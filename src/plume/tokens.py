"""Token counting with tiktoken, offline: the vocabularies ship inside the package (plume/_vocab/)."""

from __future__ import annotations

import functools
import os

from plume.paths import vocab_dir

DEFAULT_ENCODING = "o200k_base"


def use_shipped_vocab() -> None:
    """Point tiktoken's cache at the shipped vocabularies, unless the user chose a cache dir."""
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        os.environ["TIKTOKEN_CACHE_DIR"] = str(vocab_dir())


def encoding_name(model: str | None = None) -> str:
    """tiktoken's encoding for an OpenAI model name; o200k_base for any other model."""
    if not model:
        return DEFAULT_ENCODING
    use_shipped_vocab()
    import tiktoken

    try:
        return tiktoken.encoding_name_for_model(model)
    except KeyError:
        return DEFAULT_ENCODING


@functools.lru_cache(maxsize=4)
def get_encoding(name: str = DEFAULT_ENCODING):
    use_shipped_vocab()
    import tiktoken

    try:
        return tiktoken.get_encoding(name)
    except Exception:
        # The user's TIKTOKEN_CACHE_DIR lacks this vocabulary and there is no network: use ours.
        saved = os.environ.get("TIKTOKEN_CACHE_DIR")
        os.environ["TIKTOKEN_CACHE_DIR"] = str(vocab_dir())
        try:
            return tiktoken.get_encoding(name)
        finally:
            if saved is not None:
                os.environ["TIKTOKEN_CACHE_DIR"] = saved


def count_tokens(text: str, model: str | None = None) -> int:
    """Number of tokens of `text` for `model` (tiktoken's encoding for it, o200k_base otherwise)."""
    return len(get_encoding(encoding_name(model)).encode(text, disallowed_special=()))


def count_message_tokens(messages: list[dict], model: str | None = None) -> int:
    """Tokens of a chat request, with OpenAI's per-message overhead (3 per message, 3 for the reply)."""
    enc = get_encoding(encoding_name(model))
    total = 3
    for message in messages:
        total += 3
        for value in message.values():
            if isinstance(value, str):
                total += len(enc.encode(value, disallowed_special=()))
    return total
