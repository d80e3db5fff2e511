"""Estimated cost of a model call from a price table (USD per million tokens), user-overridable."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from plume.errors import InputError

SHIPPED = Path(__file__).resolve().parent / "data" / "prices.toml"


@dataclass(frozen=True)
class Price:
    input: float  # USD per million prompt tokens
    output: float  # USD per million completion tokens


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read the price table: {exc}") from exc


def _entries(table: dict, where: str) -> dict[str, Price]:
    prices = {}
    for name, entry in table.items():
        try:
            prices[name] = Price(float(entry["input"]), float(entry["output"]))
        except (TypeError, KeyError, ValueError) as exc:
            raise InputError(f"{where}: price of {name!r} needs numeric 'input' and 'output'") from exc
    return prices


def price_table() -> dict[str, Price]:
    """Shipped prices, then $PLUME_HOME/prices.toml, then ./plume.toml [prices]; later ones win."""
    from plume.config import section
    from plume.paths import user_dir

    table = _entries(_read(SHIPPED).get("models", {}), str(SHIPPED))
    user_file = user_dir() / "prices.toml"
    if user_file.is_file():
        data = _read(user_file)
        table.update(_entries(data.get("models", data.get("prices", data)), str(user_file)))
    table.update(_entries(section("prices"), "plume.toml [prices]"))
    return table


def price_for(model: str, table: dict[str, Price] | None = None) -> Price | None:
    """The model's own entry, else the longest entry its name starts with, else None."""
    table = price_table() if table is None else table
    if model in table:
        return table[model]
    prefixes = [name for name in table if model.startswith(name)]
    return table[max(prefixes, key=len)] if prefixes else None


def cost_usd(model: str, prompt_tokens: int, completion_tokens: int, *, local: bool = False,
             table: dict[str, Price] | None = None) -> float:
    """Estimated cost in USD; 0 for local models and for models the table does not know."""
    if local:
        return 0.0
    price = price_for(model, table)
    if price is None:
        return 0.0
    return (prompt_tokens * price.input + completion_tokens * price.output) / 1_000_000
