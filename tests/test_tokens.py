"""Token counting offline with the shipped vocabularies, and the price table."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from plume import pricing, tokens
from plume.paths import vocab_dir


def test_shipped_vocabularies_are_named_as_tiktoken_caches_them():
    import hashlib

    for name in ("o200k_base", "cl100k_base"):
        url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
        assert (vocab_dir() / hashlib.sha1(url.encode()).hexdigest()).is_file()


def test_counting_works_offline_from_the_shipped_vocab():
    # A fresh interpreter with no cache dir set and every proxy pointing nowhere: only the shipped files work.
    env = {k: v for k, v in os.environ.items() if k not in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")}
    env.update(HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9")
    code = ("from plume.tokens import count_tokens; import os; "
            "print(count_tokens('hello world', 'gpt-4o'), count_tokens('hello world', 'gpt-4'), "
            "os.environ['TIKTOKEN_CACHE_DIR'])")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    o200k, cl100k, cache = out.stdout.split()
    assert (o200k, cl100k) == ("2", "2") and cache == str(vocab_dir())


def test_a_user_cache_dir_is_respected(monkeypatch, tmp_path):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    tokens.use_shipped_vocab()
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(tmp_path)


def test_encodings_per_model():
    assert tokens.encoding_name("gpt-4o-mini") == "o200k_base"
    assert tokens.encoding_name("gpt-4") == "cl100k_base"
    assert tokens.encoding_name("llama3.1:8b") == "o200k_base"
    assert tokens.count_tokens("Bonjour à tous") == 3
    msgs = [{"role": "user", "content": "Bonjour à tous"}]
    assert tokens.count_message_tokens(msgs, "gpt-4o") == 3 + 3 + 3 + 1  # reply + message + content + role


def test_prices_exact_prefix_unknown_and_local():
    assert pricing.cost_usd("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert pricing.cost_usd("gpt-4o-mini-2024-07-18", 1_000_000, 0) == pytest.approx(0.15)
    assert pricing.cost_usd("gpt-4o-2024-08-06", 0, 1_000_000) == pytest.approx(10.0)
    assert pricing.cost_usd("mistral-small", 1000, 1000) == 0.0
    assert pricing.cost_usd("gpt-4o", 1000, 1000, local=True) == 0.0


def test_prices_are_user_overridable(plume_home, monkeypatch, tmp_path):
    (plume_home / "prices.toml").write_text('[models."mistral-small"]\ninput = 1.0\noutput = 3.0\n', encoding="utf-8")
    assert pricing.cost_usd("mistral-small", 1_000_000, 1_000_000) == pytest.approx(4.0)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plume.toml").write_text('[prices."gpt-4o-mini"]\ninput = 0\noutput = 0\n', encoding="utf-8")
    assert pricing.cost_usd("gpt-4o-mini", 1_000_000, 1_000_000) == 0.0


def test_a_broken_price_entry_names_the_file(plume_home):
    from plume.errors import InputError

    (plume_home / "prices.toml").write_text('[models."x"]\ninput = "cher"\n', encoding="utf-8")
    with pytest.raises(InputError, match="prices.toml"):
        pricing.price_table()
