"""A post file as the preview sees it: frontmatter apart, the body and where it starts in the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plume.errors import InputError


@dataclass(frozen=True)
class Post:
    """The full text, its frontmatter and the body LinkedIn would show (text[body_start:])."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    body_start: int = 0
    name: str = "post"

    @property
    def body(self) -> str:
        return self.text[self.body_start :]

    @property
    def shown(self) -> tuple[int, int]:
        """[start, end) of what LinkedIn shows: leading blank lines and trailing whitespace trimmed."""
        from plume.lint.linkedin import post_start

        return post_start(self.text), len(self.text.rstrip())


def parse_post(text: str, name: str = "post") -> Post:
    """Split YAML frontmatter from the body (plume.markdown, where the linter splits it); offsets stay
    those of the text."""
    from plume.markdown import read_frontmatter

    meta, start = read_frontmatter(text, name)
    return Post(text=text, meta=meta, body_start=start, name=name)


def read_post(path: Path) -> Post:
    """Read a Markdown post (UTF-8); one clear error naming the file otherwise."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a post") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_post(text, name=str(path))
