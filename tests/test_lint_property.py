"""Property tests: the linter never crashes, and fixes only ever change text inside violation spans."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plume.house import load_house
from plume.lint import apply_fixes, fix_text, lint_text, linkedin_cut

HOUSE = load_house()

# Fragments that exercise the rules, mixed with arbitrary text.
FRAGMENTS = [
    "COS externe", "Chief of Staff", "part-time", "C-level", "tu ", "toi", "« ", " »", "«", "»", "...", "'", ":",
    ";", "!", "?", " ", "\n", "\n\n", "**", "_", "*", "`", "# ", "- ", "[[", "]]", "|", "](", ")", "https://x.fr/",
    "---\n", "#tag ", "Éclaireur", "temps partiel", "😀", "\u00a0", "\u202f", "10:30", ":)", "&amp;",
]
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40).map("".join)
scopes = st.tuples(st.sampled_from([None, "pme", "cos", "coo"]), st.sampled_from([None, "linkedin", "landing"]))


def _changed_only_inside_spans(before: str, after: str, applied) -> bool:
    """Rebuild `after` from `before` and the applied fixes: every other character is unchanged."""
    out, pos = [], 0
    for v in sorted(applied, key=lambda v: v.start):
        if v.start < pos:
            return False
        out.append(before[pos : v.start])
        out.append(v.fix)
        pos = v.end
    out.append(before[pos:])
    return "".join(out) == after


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, scopes)
def test_lint_never_crashes_and_spans_are_consistent(text, scope):
    result = lint_text(text, HOUSE, *scope)
    for v in result.violations:
        assert 0 <= v.start <= v.end <= len(text)
        assert text[v.start : v.end] == v.text
        assert v.line >= 1 and v.column >= 1
    new, applied = apply_fixes(text, result.violations)
    assert _changed_only_inside_spans(text, new, applied)
    for device in ("mobile", "desktop"):
        cut = linkedin_cut(text, device)
        assert 0 <= cut.offset <= len(text) and cut.lines >= 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, scopes)
def test_fix_is_idempotent(text, scope):
    once = fix_text(text, HOUSE, *scope)
    twice = fix_text(once.text, HOUSE, *scope)
    assert twice.text == once.text
