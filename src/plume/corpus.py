"""The author's notes: Markdown with YAML frontmatter and [[wikilinks]], loaded verbatim.

A file that cannot be read (not UTF-8, binary, empty, broken frontmatter) is skipped with a one-line
reason; the others still load.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field

from plume.markdown import WIKILINK, WORD, FrontmatterError, count_words, plain_text, read_frontmatter, wikilinks  # noqa: F401

SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
SUFFIXES = (".md", ".markdown", ".txt")


class Note(BaseModel):
    """One note of the corpus; `id` is the file name without extension."""

    id: str
    path: Path
    title: str
    tags: list[str] = Field(default_factory=list)
    metadata: dict = Field(default_factory=dict)
    body: str
    wikilinks: list[str] = Field(default_factory=list)
    word_count: int

    @property
    def text(self) -> str:
        """The body as the author wrote it (frontmatter removed)."""
        return self.body


class Skipped(BaseModel):
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class Corpus(BaseModel):
    root: Path
    notes: list[Note]
    skipped: list[Skipped] = Field(default_factory=list)

    def get(self, note_id: str) -> Note:
        for note in self.notes:
            if note.id == note_id:
                return note
        raise KeyError(note_id)


def load_note(path: Path) -> Note:
    """Parse one note; raises ValueError with the reason when the file is not usable."""
    raw = path.read_bytes()
    if not raw.strip():
        raise ValueError("empty file")
    if b"\x00" in raw:
        raise ValueError("binary file (NUL bytes), not a text note")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 (byte {exc.start}: {raw[exc.start]:#04x})") from None
    try:
        meta, start = read_frontmatter(text, str(path))
    except FrontmatterError as exc:
        raise ValueError(exc.reason) from None
    body = text[start:].strip()
    if not body:
        raise ValueError("no text after the frontmatter")
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    return Note(
        id=path.stem,
        path=path,
        title=str(meta.get("title") or path.stem),
        tags=[str(t) for t in tags],
        metadata={k: v for k, v in meta.items() if isinstance(k, str)},
        body=body,
        wikilinks=wikilinks(body),
        word_count=count_words(body),
    )


GENERATOR = "plume"  # frontmatter `generator: plume` marks a file Plume wrote: never the author's voice


def generated(meta: dict) -> bool:
    """True for a file Plume wrote (its marker, or the nested brief/lint keys of older outputs)."""
    return meta.get("generator") == GENERATOR or ("history_id" in meta and "lint" in meta)


def _obsidian_templates(root: Path) -> list[Path]:
    """The vault's templates folders: Obsidian's Templates plugin and Templater settings, else Templates/."""
    import json

    found: list[Path] = []
    for settings, key in ((".obsidian/templates.json", "folder"),
                          (".obsidian/plugins/templater-obsidian/data.json", "templates_folder")):
        try:
            value = json.loads((root / settings).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(value, str) and value.strip("/ "):
            found.append(root / value.strip("/ "))
    found.extend(root / name for name in ("Templates", "templates"))
    return [f for f in dict.fromkeys(found) if f.is_dir()]


def excluded_folders(root: Path) -> dict[Path, str]:
    """Folders under `root` that are not the author's notes, with the reason."""
    from plume import paths

    out: dict[Path, str] = {}
    for folder in _obsidian_templates(root):
        out[folder.resolve()] = "Obsidian templates folder"
    configured = paths.output_dir()
    if configured is not None:
        out[configured.resolve()] = "Plume's output folder (plume.toml [output] dir)"
    house = paths.house_root().resolve()
    if house != root.resolve():
        out[house] = "the house folder (house file, templates, eval copy)"
    return {f: why for f, why in out.items() if f.is_relative_to(root.resolve()) and f != root.resolve()}


def load_corpus(root: Path | None = None) -> Corpus:
    """Every note under `root` (default: the house corpus), sorted by path; hidden folders, templates, the
    house and output folders and Plume's own outputs are left out (listed in `skipped` with the reason)."""
    import os

    if root is None:
        from plume.paths import corpus_dir

        root = corpus_dir()
    if not root.is_dir():
        from plume.errors import InputError

        try:
            root.stat()
        except FileNotFoundError:
            pass
        except OSError as exc:  # there, but not readable: say so, not "not found"
            raise InputError(f"{root}: cannot read the corpus folder ({exc.strerror or exc})") from None
        raise InputError(f"{root}: corpus folder not found (a house folder holds prompts/house.yaml and corpus/; "
                         f"for your own notes run `plume init` in the vault)")
    notes: list[Note] = []
    skipped: list[Skipped] = []
    excluded = excluded_folders(root)
    paths: list[Path] = []
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        for d in sorted(dirs):
            full = (here / d).resolve()
            if d.startswith("."):
                if here == root:
                    skipped.append(Skipped(path=here / d, reason="hidden folder (.obsidian/: Obsidian's settings)"
                                           if d == ".obsidian" else "hidden folder"))
            elif full in excluded:
                skipped.append(Skipped(path=here / d, reason=excluded[full]))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() not in excluded)
        paths.extend(here / n for n in names if not n.startswith(".") and Path(n).suffix.lower() in SUFFIXES)
    for path in sorted(paths):
        try:
            note = load_note(path)
        except (ValueError, OSError) as exc:
            skipped.append(Skipped(path=path, reason=str(exc)))
            continue
        if generated(note.metadata):
            skipped.append(Skipped(path=path, reason="written by Plume (frontmatter generator: plume), not the author's"))
            continue
        notes.append(note)
    return Corpus(root=root, notes=notes, skipped=skipped)


def unmatched_roles(house, corpus: Corpus) -> list[str]:
    """`notes:` entries of the house file that name no note of the corpus (one warning line each)."""
    ids = {n.id for n in corpus.notes}
    return [f"house notes: {note_id!r} names no note of {corpus.root}" for note_id in house.notes if note_id not in ids]


def role_reason(house, note_id: str) -> str:
    """Why a note is used as it is: the house file's entry, or the default (exemplar for every audience)."""
    role = house.notes.get(note_id)
    if role is None:
        return "exemplar, every audience (not in house notes:)"
    uses = ", ".join(role.use) or "none"
    who = f", {', '.join(role.audiences)}" if role.audiences else ", every audience"
    extra = f" → {role.superseded_by}" if role.superseded_by else ""
    return f"{role.status}{extra}: {uses}{who if 'exemplar' in role.use else ''} (house notes:)"


# --- style profile -------------------------------------------------------------------------------

STOPWORDS = frozenset(
    """
    alors au aucun aussi autre aux avec avoir bien car ce cela celle celles celui ces cet cette ceux chaque
    comme comment dans de des donc dont du elle elles en encore est et être été fait faire leur leurs lui
    mais me même mes moi mon ne ni nos notre nous on ont ou où par pas peu peut plus pour pourquoi quand
    que quel quelle quelles quels qui sa sans se ses si son sont sous sur ta te tes toi ton tous tout toute
    toutes très tu un une vos votre vous à ça était c’est qu’il d’un d’une l’entreprise n’est s’il
    il ils je j’ai la le les là y soit peuvent permet ainsi entre cette vers chez plutôt dès c'est
    """.split()
)
BOLD = re.compile(r"\*\*[^*\n]+?\*\*|__[^_\n]+?__")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
HEADING = re.compile(r"^(#{1,6})\s+\S", re.MULTILINE)
plain = plain_text  # the text without Markdown markup (plume.markdown), for sentences and words


def sentences(text: str) -> list[str]:
    chunks: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)|\n", plain(text)):
        chunks.extend(s for s in SENTENCE_END.split(block.strip()) if count_words(s) > 0)
    return chunks


def first_sentence(text: str) -> str:
    found = sentences(text)
    return found[0] if found else ""


def profile(notes: list[Note], top: int = 25) -> dict:
    """Style figures of the notes: what the house voice looks like, measured."""
    lengths = [count_words(s) for n in notes for s in sentences(n.body)]
    words = sum(n.word_count for n in notes) or 1
    lexicon: Counter[str] = Counter()
    for note in notes:
        for w in WORD.findall(plain(note.body).lower()):
            w = w.strip("’'-")
            if len(w) > 3 and w not in STOPWORDS and not w[0].isdigit() and "/" not in w:
                lexicon[w] += 1
    headings: Counter[str] = Counter()
    for note in notes:
        headings.update(f"h{len(m.group(1))}" for m in HEADING.finditer(note.body))
    hooks = [first_sentence(n.body) for n in notes]
    return {
        "notes": len(notes),
        "words": sum(n.word_count for n in notes),
        "sentences": len(lengths),
        "sentence_words_mean": round(statistics.fmean(lengths), 1) if lengths else 0.0,
        "sentence_words_median": statistics.median(lengths) if lengths else 0,
        "bold_per_100_words": round(100 * sum(len(BOLD.findall(n.body)) for n in notes) / words, 2),
        "list_items": sum(len(LIST_ITEM.findall(n.body)) for n in notes),
        "notes_with_lists": sum(1 for n in notes if LIST_ITEM.search(n.body)),
        "headings": dict(sorted(headings.items())),
        "question_hooks": sum(1 for h in hooks if h.rstrip().endswith("?")),
        "question_hook_share": round(sum(1 for h in hooks if h.rstrip().endswith("?")) / (len(notes) or 1), 2),
        "top_lexicon": lexicon.most_common(top),
    }
