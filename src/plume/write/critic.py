"""The critic as the writing jobs use it: `plume.lint.lint_text` with the brief's Target, each text linted
once per job (a cache), and the safe fixes applied until nothing changes."""

from __future__ import annotations

from plume.lint.target import Target

BLOCKING = ("error", "warning")


class Critic:
    """Lint (and fix) texts for one piece: its audience, format, brief call to action, length, prompt."""

    def __init__(self, house, target: Target):
        self.house = house
        self.target = target
        self._seen: dict[tuple[str, Target], object] = {}
        self.lints = 0  # texts actually linted (cache misses)

    def lint(self, text: str, target: Target | None = None):
        from plume.lint import lint_text

        target = target or self.target
        key = (text, target)
        if key not in self._seen:
            self.lints += 1
            self._seen[key] = lint_text(text, house=self.house, audience=target.audience, format=target.format,
                                        target=target)
        return self._seen[key]

    def fix(self, text: str, target: Target | None = None, rounds: int = 3):
        """The text with the safe fixes applied until nothing changes, and its final lint."""
        from plume.lint.fixes import fix_pass

        result = self.lint(text, target)
        for _ in range(rounds):
            fixed, result, applied = fix_pass(text, result, lambda t: self.lint(t, target))
            if not applied or fixed == text:
                break
            text = fixed
        return text, result

    def field_target(self) -> Target:
        """A field alone: the audience's rules, none of the whole piece's (format, length, call to action)."""
        return Target(audience=self.target.audience)

    def fix_field(self, value: str):
        return self.fix(value, self.field_target())


def blocking(violations) -> list:
    return [v for v in violations if v.severity in BLOCKING]
