"""The ``llgd`` command: parse, call the Python API, format. Nothing is computed here.

Every verb has ``--json``. A user mistake prints one sentence on stderr and exits 2; a result,
even a ``violated`` verdict, exits 0 (``llgd verify`` exits 1 when something is violated). What the
library repairs on its own (an :class:`~llgd_proof.errors.LlgdWarning`) is one line ``llgd: warning: …``
on stderr. The flags are in :mod:`.parser`, the verbs in :mod:`.commands`.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import warnings
from collections.abc import Sequence

from llgd_proof import api
from llgd_proof.cli.parser import build_parser
from llgd_proof.errors import LlgdInputError, LlgdWarning, ResourceLimitError, UsageError
from llgd_proof.report import output

SYMBOLIC_BUDGET_SECONDS = 6.0
"""run, check, regularity, latex: total time for guarded symbolic steps (simplify, limit, solveset);
after it, each such step takes its marked fallback at once (numeric estimate, unsimplified form)."""


def _report(error: BaseException, json_mode: bool, stdout, kind: str | None = None) -> int:
    """One sentence on stderr (and ``{"error", "kind"}`` on stdout with ``--json``); exit code 2."""
    sentence = " ".join(str(error).split()) or type(error).__name__
    with contextlib.suppress(BrokenPipeError):
        if json_mode:
            stdout.write(output.error_document(sentence, kind or type(error).__name__) + "\n")
            stdout.flush()
        print(f"llgd: error: {sentence}", file=sys.stderr, flush=True)
    return 2


def _silence_stdout() -> None:
    """After a closed pipe (``llgd verify | head -1``): send what is left to /dev/null and end quietly."""
    with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


PLOT_SUFFIXES = (".png", ".pdf", ".svg")


def _check_paths(args) -> None:
    """Output files and cache folders named on the command line, checked before any work (every verb)."""
    plot = getattr(args, "plot", None)
    if plot is not None:
        if os.path.splitext(plot)[1].lower() not in PLOT_SUFFIXES:
            raise UsageError(f"--plot writes {', '.join(s[1:].upper() for s in PLOT_SUFFIXES)} files; give a name ending in {', '.join(PLOT_SUFFIXES)}, got {plot!r}")
        _check_writable_file(plot, "--plot")
    latex_file = getattr(args, "latex", None)
    if isinstance(latex_file, str) and args.verb == "verify":
        _check_writable_file(latex_file, "--latex")
    cache_dir = getattr(args, "cache_dir", None)
    if cache_dir is not None:
        _check_directory(cache_dir, "--cache-dir")


def _check_writable_file(path: str, flag: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"{flag} names a folder, not a file: {path!r}")
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise UsageError(f"{flag}: the folder {folder!r} does not exist or is not writable")


def _check_directory(path: str, flag: str) -> None:
    existing = os.path.abspath(path)
    if os.path.exists(existing) and not os.path.isdir(existing):
        raise UsageError(f"{flag} must be a folder, but {path!r} is a file or device")
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing) or not os.access(existing, os.W_OK):
        raise UsageError(f"{flag}: cannot create or write the folder {path!r} ({existing!r} is not a writable folder)")


def _dispatch(argv: list[str], state: dict) -> int:
    args = build_parser().parse_args(argv)
    state["json"] = bool(getattr(args, "json", state["json"]))
    _check_paths(args)
    budget = SYMBOLIC_BUDGET_SECONDS if args.verb in ("run", "check", "regularity", "latex") else None
    with api.symbolic_budget(budget):
        return args.handler(args)


@contextlib.contextmanager
def _warnings_as_lines():
    """Show each :class:`~llgd_proof.errors.LlgdWarning` as one line ``llgd: warning: <sentence>`` on stderr, as it
    happens (every one, not once per place); other warnings keep Python's own display."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", LlgdWarning)
        shown = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if not issubclass(category, LlgdWarning):
                return shown(message, category, filename, lineno, file, line)
            with contextlib.suppress(OSError, ValueError):
                print(f"llgd: warning: {' '.join(str(message).split())}", file=sys.stderr, flush=True)

        warnings.showwarning = show
        yield


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb. Every verb gets, from here: one-sentence errors with exit 2, strict JSON on stdout
    with ``--json`` (errors too), warnings as ``llgd: warning:`` lines, and a quiet end when stdout is a closed pipe."""
    argv = list(sys.argv[1:] if argv is None else argv)
    state = {"json": "--json" in argv}
    stdout = sys.stdout
    captured = io.StringIO()
    try:
        try:
            with _warnings_as_lines(), contextlib.redirect_stdout(captured) if state["json"] else contextlib.nullcontext():
                code = _dispatch(argv, state)
        except LlgdInputError as error:
            return _report(error, state["json"], stdout)
        except (MemoryError, RecursionError) as error:
            limit = ResourceLimitError("the input needs more memory or deeper nesting than this machine allows; try a smaller input")
            return _report(limit, state["json"], stdout, type(error).__name__)
        except BrokenPipeError:
            raise
        except OSError as error:  # a file or folder named by the user cannot be read or written
            where = f" {error.filename!r}" if error.filename else ""
            return _report(UsageError(f"cannot read or write{where}: {error.strerror or error}"), state["json"], stdout, "OSError")
        except KeyboardInterrupt:
            print("llgd: interrupted", file=sys.stderr)
            return 130
        except SystemExit:  # --help prints and exits 0
            stdout.write(captured.getvalue())
            raise
        if state["json"]:
            stdout.write(output.restrict(captured.getvalue()))
            stdout.flush()
        return code
    except BrokenPipeError:
        _silence_stdout()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
