"""Run `python -m plume` as a real child process (its own interpreter, real files, real exit status)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import plume

SRC = str(Path(plume.__file__).resolve().parents[1])


def env(**extra: str) -> dict[str, str]:
    """The test's environment (its PLUME_HOME included) with this checkout's plume first on the path."""
    base = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PLUME_MODEL")}
    base["PYTHONPATH"] = SRC + os.pathsep + base.get("PYTHONPATH", "")
    base["PLUME_NO_GRAMMAR"] = "1"
    base.update(extra)
    return base


def plume_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "plume", *args]


def run(*args: str, cwd: Path | None = None, timeout: float = 90, input: str | None = None,
        **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(plume_cmd(*args), cwd=cwd, env=env(**extra), capture_output=True, text=True,
                          timeout=timeout, input=input)
