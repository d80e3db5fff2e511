"""The writing jobs: generate, rewrite, variants — lint-in-the-loop over any backend."""

from plume.write.generate import generate
from plume.write.result import WriteResult
from plume.write.rewrite import rewrite
from plume.write.schemas import Brief, LandingCopy, LinkedInPost
from plume.write.variants import arun_variants, import_batch, run_variants, write_batch

__all__ = [
    "Brief",
    "LandingCopy",
    "LinkedInPost",
    "WriteResult",
    "arun_variants",
    "generate",
    "import_batch",
    "rewrite",
    "run_variants",
    "write_batch",
]
