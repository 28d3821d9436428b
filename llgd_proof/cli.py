"""The ``llgd`` command: parse, call the Python API, format. Nothing is computed here.

Every verb has ``--json``. A user mistake prints one sentence on stderr and exits 2; a result,
even a ``violated`` verdict, exits 0 (``llgd verify`` exits 1 when something is violated).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from . import api
from .errors import LlgdInputError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one sentence, exit code 2
        self.exit(2, f"llgd: error: {message}\n")


def _numbers(text: str) -> list[str]:
    parts = [part.strip() for part in text.split(",")]
    if not all(parts):
        raise LlgdInputError(f"expected comma-separated numbers, got {text!r}")
    return parts


def _add_objective_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--loss", help="loss ℓ(s): a catalog name (e.g. huber, huber:delta=0.5) or an expression in s (parameter mu allowed)")
    source.add_argument("--objective", help="a general objective: an expression in the variables given by --vars")
    parser.add_argument("--mu", help="value of the parameter mu in the loss (default 1)")
    parser.add_argument("--vars", help="comma-separated variable names for --objective")
    parser.add_argument("--dim", type=int, default=1, help="with --loss: the objective is ℓ(xᵀy) with x, y in R^dim")


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--h", required=True, help="learning rate h > 0")
    parser.add_argument("--init", required=True, help="initial point, comma-separated (x then y; 2*dim numbers for --dim)")
    parser.add_argument("--dps", type=int, default=api.DEFAULT_DPS, help="working precision in decimal digits (default 50)")
    parser.add_argument("--max-steps", type=int, default=api.DEFAULT_MAX_STEPS, help="step budget (default 20000)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="llgd", description="Symbolic-numeric theorem checker for large-learning-rate gradient descent.")
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)

    run = verbs.add_parser("run", help="run high-precision GD and report what happened")
    _add_objective_arguments(run)
    _add_run_arguments(run)
    run.set_defaults(handler=_run)

    regularity = verbs.add_parser("regularity", help="closed-form regularity report of a loss (theory §3)")
    regularity.add_argument("--loss", required=True)
    regularity.add_argument("--mu")
    regularity.add_argument("--json", action="store_true")
    regularity.set_defaults(handler=_regularity)
    return parser


def _objective_from(args) -> api.Objective:
    if args.loss is not None:
        if args.vars:
            raise LlgdInputError("--vars goes with --objective, not with --loss")
        return api.make_objective(loss=args.loss, mu=args.mu, dim=args.dim)
    if not args.vars:
        raise LlgdInputError("--objective needs --vars naming its variables, e.g. --vars x,y")
    if args.mu is not None:
        raise LlgdInputError("--mu goes with --loss, not with --objective")
    return api.make_objective(objective=args.objective, variables=args.vars.split(","))


def _run(args) -> int:
    objective = _objective_from(args)
    investigation = api.investigate(objective, args.h, _numbers(args.init), dps=args.dps, max_steps=args.max_steps)
    data = investigation.as_json()
    if args.json:
        print(json.dumps(data))
        return 0
    print(api.format_run(data))
    return 0


def _regularity(args) -> int:
    report = api.regularity(args.loss, mu=args.mu)
    data = report.as_json()
    if args.json:
        print(json.dumps(data))
        return 0
    print(api.format_regularity(data))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except LlgdInputError as error:
        print(f"llgd: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("llgd: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
