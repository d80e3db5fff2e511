"""Errors the CLI turns into one line and an exit code."""


class PlumeError(Exception):
    """A user-facing error: one line, names the file or setting at fault."""

    exit_code = 2


class InputError(PlumeError):
    """Bad input: a file that cannot be read or parsed, a wrong option value."""

    exit_code = 2


class BackendError(PlumeError):
    """The language model could not answer (auth, rate limit, unreachable, context too long…)."""

    exit_code = 3
