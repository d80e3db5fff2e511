"""The house linter: rule kinds (code) over rules (data from the house file) → Violations; fixes;
formatters (plume.lint.formatters); LinkedIn's "…voir plus" cut.

    from plume.lint import lint_text, apply_fixes, Violation, LintResult, linkedin_cut
"""

from plume.lint.engine import lint_text
from plume.lint.fixes import FixOutcome, apply_fixes, fix_text
from plume.lint.linkedin import CUTS, Cut, linkedin_cut
from plume.lint.markdown import body_start, split_frontmatter
from plume.lint.plan import LintPlan, load_plan
from plume.lint.violation import LintResult, Violation

__all__ = [
    "CUTS",
    "Cut",
    "FixOutcome",
    "LintPlan",
    "LintResult",
    "Violation",
    "apply_fixes",
    "body_start",
    "fix_text",
    "linkedin_cut",
    "lint_text",
    "load_plan",
    "split_frontmatter",
]
