"""Typed exceptions: every user mistake becomes one of these, with one clear sentence.

The CLI turns any :class:`LlgdInputError` into that sentence and exit code 2; Python callers
catch the type they care about (all are ``ValueError`` subclasses).
"""


class LlgdInputError(ValueError):
    """Base class for every error caused by what a user handed in."""


class ExpressionError(LlgdInputError):
    """An expression string is malformed, uses a name or construct that is not allowed, or is too large."""


class LossError(LlgdInputError):
    """A loss has no usable minimiser (none, unbounded below, or degenerate with ℓ''(μ) = 0)."""


class ParameterError(LlgdInputError):
    """A numeric argument is out of range: a non-finite or non-positive step, a wrong number of initial values…"""


class UnknownNameError(LlgdInputError):
    """A catalog loss or theorem id that does not exist."""


class UsageError(LlgdInputError):
    """The command line itself is malformed: an unknown flag, a missing argument, a value of the wrong type."""


class ResourceLimitError(LlgdInputError):
    """An input would need more time or memory than the stated limits allow (see docs/reference.md, "Errors and output")."""


class LlgdWarning(UserWarning):
    """Something the library noticed and repaired on its own; the CLI shows it as one line ``llgd: warning: …``."""


class StoreWarning(LlgdWarning):
    """A result store was damaged or stale and has been repaired (a chunk recomputed, metadata rewritten, a cache rebuilt)."""
