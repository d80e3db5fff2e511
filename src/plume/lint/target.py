"""What the critic needs to know about a piece to judge it: one explicit value, no globals.

A writing job builds it from the brief; `plume lint` from `--audience/--format/--cta/--words` or the
frontmatter Plume writes (`brief.cta`, `brief.words`, `requested_words`, flat `cta`/`words`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Target:
    """The audience and format a piece is for, and what its brief asked."""

    audience: str | None = None
    format: str | None = None
    cta: str | None = None  # the brief's call to action (checked: present at most once)
    words: int | None = None  # the requested length (checked: within the house's length band)
    instructions: str | None = None  # the prompt's instruction text (checked: not copied into the copy)
    # text of the prompt the copy may reuse word for word: the brief (topic, angle, facts), excerpts of notes
    material: str | None = None
    brief_id: str | None = None  # the id of the brief it was written from (eval outputs), when known

    def with_(self, **changes) -> Target:
        return replace(self, **changes)
