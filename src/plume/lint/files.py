"""Files for `plume lint`: reading (or stdin), the frontmatter's audience/format and target, atomic writes,
diffs."""

from __future__ import annotations

import sys
from pathlib import Path

from plume.errors import InputError
from plume.files import write_atomic  # noqa: F401  (re-exported: `plume lint --fix` writes through it)
from plume.lint.target import Target
from plume.markdown import read_frontmatter

STDIN = "-"


def read_source(name: str) -> str:
    """The text of a file, or of stdin for "-"; one-line InputError naming the file otherwise."""
    if name == STDIN:
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    else:
        try:
            data = Path(name).read_bytes()
        except IsADirectoryError:
            raise InputError(f"{name}: is a directory, not a file") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{_label(name)}: UTF-16 text; Plume reads UTF-8 (convert it: iconv -f UTF-16 -t UTF-8)")
    if b"\x00" in data[:8192]:
        raise InputError(f"{_label(name)}: binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{_label(name)}: not UTF-8 (byte {exc.start})") from None
    return text.replace("\r\n", "\n")


def _label(name: str) -> str:
    return "<stdin>" if name == STDIN else name


def frontmatter_scope(text: str, name: str = STDIN) -> tuple[str | None, str | None]:
    """(audience, format) declared in the YAML frontmatter, each None when absent (read by
    plume.markdown.read_frontmatter, the one frontmatter reader)."""
    return _scope(read_frontmatter(text, _label(name))[0])


def _scope(meta: dict) -> tuple[str | None, str | None]:
    audience, fmt = meta.get("audience"), meta.get("format")
    return (str(audience) if audience else None), (str(fmt) if fmt else None)


def frontmatter_target(text: str, name: str = STDIN) -> Target:
    """What the frontmatter Plume writes says the piece was asked for: audience, format, call to action
    and requested words. Accepted shapes: nested `brief: {cta, words}`, `requested_words:`, flat
    `cta:` / `words:` (a nested or `requested_words` value wins over a flat `words`, which eval outputs
    use for the words actually written). `brief_id` is set when `brief:` is a plain id (eval outputs)."""
    data, _ = read_frontmatter(text, _label(name))
    audience, fmt = _scope(data)
    brief = data.get("brief")
    nested = brief if isinstance(brief, dict) else {}
    cta = nested.get("cta") or data.get("cta")
    words = nested.get("words") or data.get("requested_words") or data.get("words")
    try:
        words = int(words) if words not in (None, "") else None
    except (TypeError, ValueError):
        raise InputError(f"{_label(name)}: frontmatter words {words!r} is not a whole number") from None
    brief_id = brief.strip() if isinstance(brief, str) and brief.strip() else None
    return Target(audience, fmt, str(cta).strip() if cta else None, words if words and words > 0 else None,
                  brief_id=brief_id)


def unified_diff(name: str, before: str, after: str) -> str:
    """A unified diff with git's `a/` `b/` prefixes, always (`patch -p1` and `git apply` read it); an
    absolute path is shown relative to the current folder when it lies under it."""
    import difflib

    label = _label(name)
    path = Path(label)
    if path.is_absolute():
        try:
            label = path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            label = path.as_posix().lstrip("/")
    old, new = f"a/{label}", f"b/{label}"
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), old, new))


# --- which files: folders walked, globs expanded ---------------------------------------------------

SUFFIXES = (".md", ".markdown", ".txt")  # what a folder walk lints (a file named explicitly is always linted)
_GLOB_CHARS = frozenset("*?[")


def expand_paths(args: list[str]) -> list[str]:
    """The files `plume lint ARGS` lints, in order, each once: `-` is stdin; a folder is walked (Markdown
    and text files; hidden folders such as `.obsidian/` and `.git/`, and what `.gitignore` files ignore,
    are skipped); a pattern (`'notes/**/*.md'`) is expanded; any other name is kept as given (reading it
    then says what is wrong). A pattern that matches nothing is an InputError."""
    import glob

    found: list[str] = []
    for arg in args:
        if arg == STDIN or Path(arg).is_file():
            found.append(arg)
        elif Path(arg).is_dir():
            found.extend(walk(arg))
        elif _GLOB_CHARS & set(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                raise InputError(f"{arg}: no file matches this pattern")
            for m in matches:
                found.extend(walk(m) if Path(m).is_dir() else [m])
        else:
            found.append(arg)
    return list(dict.fromkeys(found))


def walk(folder: str) -> list[str]:
    """Markdown and text files under `folder`, sorted, hidden and git-ignored paths left out."""
    import os

    root = Path(folder)
    ignores = _GitIgnores(root)
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        ignores.enter(here)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not ignores.ignored(here / d, True))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(SUFFIXES):
                continue
            path = here / name
            if not ignores.ignored(path, False):
                found.append(str(path))
    return found


class _GitIgnores:
    """The `.gitignore` files that apply under a folder: those of its parents up to the repository root
    (the folder holding `.git`), then those met while walking. pathspec reads them as git does."""

    def __init__(self, root: Path):
        self.specs: list[tuple[Path, object]] = []
        top = root.resolve()
        parents = []
        for parent in (top, *top.parents):
            parents.append(parent)
            if (parent / ".git").exists():
                break
        else:
            parents = [top]
        self._root, self._resolved = root, top
        for parent in reversed(parents[1:]):
            self._load(parent, parent)

    def _load(self, folder: Path, base: Path) -> None:
        file = folder / ".gitignore"
        if file.is_file():
            import pathspec

            lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
            self.specs.append((base, pathspec.GitIgnoreSpec.from_lines(lines)))

    def enter(self, folder: Path) -> None:
        resolved = self._resolved / folder.relative_to(self._root)
        self._load(folder, resolved)

    def ignored(self, path: Path, is_dir: bool) -> bool:
        if not self.specs:
            return False
        resolved = self._resolved / path.relative_to(self._root)
        for base, spec in self.specs:
            try:
                rel = resolved.relative_to(base).as_posix()
            except ValueError:
                continue
            if spec.match_file(rel + "/" if is_dir else rel):
                return True
        return False
