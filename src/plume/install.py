"""What really installs Plume's optional parts: the one place install hints come from.

The distribution is `plume-positionnement` (the name `plume` on PyPI belongs to another project); the import
and the command stay `plume`. From a checkout, the hint names the checkout and this interpreter, so the
extra lands in the environment that runs Plume.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

DISTRIBUTION = "plume-positionnement"
_CHECKOUT = Path(__file__).resolve().parent.parent.parent  # src/plume/ → the repository, when run from one


def install_hint(extra: str) -> str:
    """The command that installs `extra` (local, eval, test) for the Python running Plume."""
    python = shlex.quote(sys.executable)
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "install.sh").is_file():
        return f"{python} -m pip install -e {shlex.quote(f'{_CHECKOUT}[{extra}]')}"
    return f"{python} -m pip install {shlex.quote(f'{DISTRIBUTION}[{extra}]')}"


def missing_extra(feature: str, extra: str, module: str) -> str:
    """One line: what needs the extra, which module is missing, the command that installs it."""
    return f"{feature} needs the [{extra}] extra (module {module!r} is missing): {install_hint(extra)}"


def require(feature: str, extra: str, modules: tuple[str, ...]) -> None:
    """Raise an InputError (exit 2, one line) when a module of `extra` is not importable."""
    import importlib.util

    from plume.errors import InputError

    for module in modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise InputError(missing_extra(feature, extra, module))


EVAL_MODULES = ("numpy", "sklearn", "matplotlib")
