"""What Grammalecte must know about the house: its words, the author's own sentences, its exceptions.

Built from the house folder (cached on disk and in memory, keyed on the files' paths, sizes and
mtimes, so `plume lint` does not rebuild it):

* words: every word of the corpus notes (corpus/*.md), of the house file (not its `rules:`, which
  quote defects), and of the user word list
  prompts/words.txt (one word or phrase a line, `#` comments): spelling accepts them
  (« Chief of Staff », « COO », « Sparring Partner », « LinkedIn »);
* verbatim: the clauses the author wrote in the house file (dimensions' roles, pains, benefits,
  offers): a Grammalecte finding inside them is never reported against the author;
* prompts/grammar.yaml: `accept` (phrases the author writes: no finding inside them), `ignore_rules`
  (Grammalecte rule ids never reported), `severity` (of `grammaire` and `orthographe`).
"""

from __future__ import annotations

import os
import pickle
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plume.errors import InputError

LEXICON_FORMAT = 2
WORDS_FILE = "words.txt"
GRAMMAR_FILE = "grammar.yaml"
MIN_CLAUSE_WORDS = 3
SEVERITIES = ("error", "warning", "suggestion")
NOT_WORDS = ("rules",)  # house-file sections whose text is not the house's vocabulary (defects quoted as examples)
DEFAULT_SEVERITY = {"grammaire": "error", "orthographe": "warning"}

_LETTER = r"(?:(?!_)[\w\u0300-\u036f])"
_WORD = re.compile(rf"{_LETTER}+(?:[’'`-]{_LETTER}+)*")  # as Grammalecte's tokenizer: "_" splits words
_PARTS = re.compile(r"[’'`-]")
_REFS = re.compile(r"\s*\((?:\d{3}(?:\s*,\s*\d{3})*)\)\s*\.?\s*$")
_CLAUSE_BREAK = re.compile(r"[.;:!?,()«»“”\"]+")
_APOSTROPHES = "['’`]"


@dataclass(slots=True)
class Lexicon:
    """The house's words (lower-cased) and the spans Grammalecte must leave to the author."""

    words: frozenset[str] = frozenset()
    phrases: tuple[str, ...] = ()  # verbatim clauses and accepted phrases, as regex sources
    ignore_rules: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITY))
    _pattern: re.Pattern | None = None

    def knows(self, word: str) -> bool:
        """Is `word` a house word (case-insensitive; a compound when each of its parts is)?"""
        low = word.lower()
        if low in self.words:
            return True
        parts = [p for p in _PARTS.split(low) if p]
        return len(parts) > 1 and all(p in self.words for p in parts)

    @property
    def pattern(self) -> re.Pattern | None:
        if self._pattern is None and self.phrases:
            # one look-behind for all phrases, then the alternatives: 8× faster than one each
            body = "|".join(sorted(self.phrases, key=len, reverse=True))
            self._pattern = re.compile(rf"(?<!\w)(?:{body})", re.I)
        return self._pattern

    def protected(self, text: str) -> list[tuple[int, int]]:
        """Spans of `text` the author wrote (verbatim clauses, accepted phrases)."""
        pattern = self.pattern
        return [m.span() for m in pattern.finditer(text)] if pattern is not None else []


def words_of(text: str) -> set[str]:
    """Lower-cased words of a text, compounds (aujourd’hui, start-up) also as their parts."""
    found: set[str] = set()
    for m in _WORD.finditer(text):
        w = m.group().lower()
        found.add(w)
        if _PARTS.search(w):
            found.update(p for p in _PARTS.split(w) if p)
    return found


def phrase_source(phrase: str) -> str | None:
    """A regex matching `phrase` with any spacing, either apostrophe, up to a word's end (the start's
    boundary is the Lexicon pattern's)."""
    words = _WORD.findall(phrase)
    if not words:
        return None
    parts = [re.sub(r"[’']", lambda _: _APOSTROPHES, re.escape(w)) for w in words]  # one pass: no set in a set
    return r"[\W_]+".join(parts) + r"(?!\w)"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)] + [k for k in value if isinstance(k, str)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _verbatim(house: dict) -> list[str]:
    """The author's own sentences in the house file."""
    texts: list[str] = []
    for dim in house.get("dimensions") or ():
        if isinstance(dim, dict) and isinstance(dim.get("role"), str):
            texts.append(dim["role"])
    texts.extend(s for s in house.get("benefits") or () if isinstance(s, str))
    author = house.get("author") or {}
    if isinstance(author, dict) and isinstance(author.get("offer"), str):
        texts.append(author["offer"])
    for aud in (house.get("audiences") or {}).values():
        if not isinstance(aud, dict):
            continue
        texts.extend(s for s in aud.get("pains") or () if isinstance(s, str))
        if isinstance(aud.get("offer"), str):
            texts.append(aud["offer"])
    return texts


def clauses(sentence: str) -> list[str]:
    """The clauses of a sentence (split at punctuation) long enough to be recognised."""
    sentence = _REFS.sub("", sentence)
    out = []
    for piece in _CLAUSE_BREAK.split(sentence):
        if len(_WORD.findall(piece)) >= MIN_CLAUSE_WORDS:
            out.append(piece.strip())
    return out


def _load_yaml(path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" line {line + 1}" if line is not None else ""
        raise InputError(f"{path}:{where} invalid YAML") from None


def _grammar_config(path: Path) -> tuple[list[str], list[str], dict[str, str]]:
    if not path.is_file():
        return [], [], dict(DEFAULT_SEVERITY)
    data = _load_yaml(path) or {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping (accept, ignore_rules, severity)")
    unknown = set(data) - {"accept", "ignore_rules", "severity"}
    if unknown:
        raise InputError(f"{path}: unknown key {sorted(unknown)[0]!r} (expected: accept, ignore_rules, severity)")
    lists = []
    for key in ("accept", "ignore_rules"):
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(f"{path}: {key} must be a list of strings")
        lists.append(value)
    severity = dict(DEFAULT_SEVERITY)
    given = data.get("severity") or {}
    if not isinstance(given, dict):
        raise InputError(f"{path}: severity must map grammaire/orthographe to error, warning or suggestion")
    for rule, level in given.items():
        if rule not in DEFAULT_SEVERITY or level not in SEVERITIES:
            raise InputError(f"{path}: severity.{rule}: expected grammaire/orthographe → {', '.join(SEVERITIES)}")
        severity[rule] = level
    return lists[0], lists[1], severity


def _sources(root: Path) -> list[Path]:
    prompts = root / "prompts"
    files = sorted((root / "corpus").glob("*.md")) if (root / "corpus").is_dir() else []
    return files + [prompts / "house.yaml", prompts / WORDS_FILE, prompts / GRAMMAR_FILE]


def build_lexicon(root: Path) -> Lexicon:
    """Read the house folder `root` (corpus/, prompts/) into a Lexicon."""
    prompts = root / "prompts"
    words: set[str] = set()
    for note in sorted((root / "corpus").glob("*.md")) if (root / "corpus").is_dir() else ():
        try:
            words |= words_of(note.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
    house_path = prompts / "house.yaml"
    house = _load_yaml(house_path) if house_path.is_file() else {}
    house = house if isinstance(house, dict) else {}
    for key, value in house.items():
        if key not in NOT_WORDS:
            words |= {w for s in _strings(value) for w in words_of(s)}
    user_words = prompts / WORDS_FILE
    if user_words.is_file():
        for line in user_words.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                words |= words_of(line)
    accept, ignore, severity = _grammar_config(prompts / GRAMMAR_FILE)
    phrases: list[str] = []
    for sentence in _verbatim(house):
        phrases.extend(clauses(sentence))
    phrases.extend(accept)
    for phrase in accept:
        words |= words_of(phrase)
    sources = [s for s in dict.fromkeys(phrase_source(p) for p in phrases) if s]
    return Lexicon(frozenset(words), tuple(sources), frozenset(ignore), severity)


_memo: dict[tuple, Lexicon] = {}


def _key(root: Path) -> tuple:
    stamps = []
    for path in _sources(root):
        try:
            st = path.stat()
            stamps.append((str(path), st.st_size, st.st_mtime_ns))
        except OSError:
            stamps.append((str(path), -1, -1))
    own = os.stat(__file__).st_mtime_ns
    return (LEXICON_FORMAT, own, tuple(stamps))


def load_lexicon(root: Path | None = None, *, use_cache: bool = True) -> Lexicon:
    """The lexicon of a house folder (default: the active one), from the cache when unchanged."""
    if root is None:
        from plume.paths import house_root

        root = house_root()
    root = Path(root).resolve()
    key = _key(root)
    if key in _memo:
        return _memo[key]
    cache = _cache_file(root) if use_cache else None
    lexicon = _read(cache, key) if cache is not None else None
    if lexicon is None:
        lexicon = build_lexicon(root)
        if cache is not None:
            _write(cache, key, lexicon)
    _memo[key] = lexicon
    return lexicon


def _cache_file(root: Path) -> Path | None:
    try:
        from plume.paths import cache_dir

        return cache_dir() / "lint" / f"lexicon-{zlib.crc32(str(root).encode()):08x}.pickle"
    except Exception:
        return None


def _read(cache: Path, key: tuple) -> Lexicon | None:
    try:
        with cache.open("rb") as handle:
            stored, data = pickle.load(handle)
    except Exception:
        return None
    if stored != key or not isinstance(data, dict):
        return None
    return Lexicon(**data)


def _write(cache: Path, key: tuple, lexicon: Lexicon) -> None:
    from plume.files import write_atomic

    data = {"words": lexicon.words, "phrases": lexicon.phrases, "ignore_rules": lexicon.ignore_rules,
            "severity": lexicon.severity}
    try:
        write_atomic(cache, pickle.dumps((key, data), protocol=pickle.HIGHEST_PROTOCOL), redact=False)
    except InputError:
        pass  # a read-only cache folder only costs speed
