"""The ``llgd`` command: parse, call the Python API, format. Nothing is computed here.

Every verb has ``--json``. A user mistake prints one sentence on stderr and exits 2; a result,
even a ``violated`` verdict, exits 0 (``llgd verify`` exits 1 when something is violated).
"""

from __future__ import annotations

import argparse
import json
import math
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

    theorems = verbs.add_parser("theorems", help="list the theorems with their provenance")
    theorems.add_argument("--json", action="store_true")
    theorems.set_defaults(handler=_theorems)

    check = verbs.add_parser("check", help="check one theorem on one case and give a verdict")
    check.add_argument("theorem", metavar="THEOREM_ID")
    _add_objective_arguments(check)
    _add_run_arguments(check)
    check.set_defaults(dps=30)
    check.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="theorem parameter, e.g. delta=0.1 or L=2")
    check.add_argument("--without", action="append", default=[], metavar="HYPOTHESIS", help="drop a hypothesis by name (see llgd theorems --json)")
    check.set_defaults(handler=_check)

    verify = verbs.add_parser("verify", help="check every theorem on its built-in cases (the main job)")
    verify.add_argument("--json", action="store_true")
    verify.add_argument("--latex", metavar="FILE", help="also write a standalone LaTeX report")
    verify.add_argument("--only", help="comma-separated theorem ids")
    verify.set_defaults(handler=_verify)

    prop = verbs.add_parser("property", help="property-test a theorem over a loss family with hypothesis; shrink any counterexample")
    prop.add_argument("theorem", metavar="THEOREM_ID")
    prop.add_argument("--loss", required=True, help="catalog name or expression in s (parameter mu)")
    prop.add_argument("--param", action="append", default=[], metavar="NAME=LO:HI", help="vary a loss parameter over a range (mu; delta, p for catalog losses)")
    prop.add_argument("--examples", type=int, default=100)
    prop.add_argument("--seed", type=int, default=0)
    prop.add_argument("--without", action="append", default=[], metavar="HYPOTHESIS", help="drop a hypothesis: what breaks without it?")
    prop.add_argument("--h-fraction", default="0.05:0.99", metavar="LO:HI", help="h as a fraction of the maximal stable step 1/(|mu|l''(mu)) (2/l''(0) when mu = 0)")
    prop.add_argument("--box", default="0.05:10,0.05:5", metavar="X0MIN:X0MAX,Y0MIN:Y0MAX", help="magnitudes of the start coordinates")
    prop.add_argument("--log-box", action="store_true", help="draw start magnitudes log-uniformly on a grid")
    prop.add_argument("--any-sign", action="store_true", help="allow x0*y0 < 0 (default: same sign)")
    prop.add_argument("--dps", type=int, default=30)
    prop.add_argument("--max-steps", type=int, default=20_000)
    prop.add_argument("--json", action="store_true")
    prop.set_defaults(handler=_property)

    latex = verbs.add_parser("latex", help="print LaTeX for a theorem (with bounds for --loss) or a regularity report")
    latex.add_argument("target", metavar="THEOREM_ID|regularity")
    latex.add_argument("--loss")
    latex.add_argument("--mu")
    latex.add_argument("--json", action="store_true", help="print {\"latex\": ...}")
    latex.set_defaults(handler=_latex)
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


def _theorems(args) -> int:
    listing = [{"id": t.id, "title": t.title, "provenance": t.provenance, "hypotheses": [h.name for h in t.hypotheses]} for t in api.THEOREMS.values()]
    if args.json:
        print(json.dumps(listing))
        return 0
    width = max(len(t["id"]) for t in listing)
    for item in listing:
        print(f"{item['id'].ljust(width)}  {item['provenance']:<28}  {item['title']}")
    return 0


def _assignments(items: Sequence[str]) -> dict[str, float]:
    values = {}
    for item in items:
        name, eq, value = item.partition("=")
        try:
            values[name.strip()] = float(value)
        except ValueError:
            eq = ""
        if not eq or not name.strip():
            raise LlgdInputError(f"--set takes NAME=NUMBER, got {item!r}")
    return values


def _check(args) -> int:
    if args.loss is None and not args.vars:
        raise LlgdInputError("--objective needs --vars naming its variables, e.g. --vars x,y")
    result = api.check(
        args.theorem,
        h=args.h,
        init=_numbers(args.init),
        loss=args.loss,
        mu=args.mu,
        dim=args.dim,
        objective=args.objective,
        variables=args.vars.split(",") if args.vars else (),
        dps=args.dps,
        max_steps=args.max_steps,
        parameters=_assignments(args.set),
        without=args.without,
    )
    data = result.as_json()
    print(json.dumps(data) if args.json else api.format_check(data))
    return 0


def _verify(args) -> int:
    def progress(result):
        if not args.json:
            print(f"  {result.theorem.id:<24} {result.verdict.value}", file=sys.stderr, flush=True)

    report = api.verify(args.only.split(",") if args.only else None, progress=progress)
    data = report.as_json()
    if args.latex:
        from .latex import report_document

        with open(args.latex, "w", encoding="utf-8") as handle:
            handle.write(report_document(report.results, elapsed=report.elapsed))
        data["latex_file"] = args.latex
    print(json.dumps(data) if args.json else api.format_verify(data))
    return 1 if report.violated else 0


def _range(text: str, what: str) -> tuple[float, float]:
    low, colon, high = text.partition(":")
    try:
        values = (float(low), float(high))
    except ValueError:
        colon = ""
    if not colon or not all(math.isfinite(v) for v in values) or values[0] > values[1]:
        raise LlgdInputError(f"{what} takes LO:HI with finite numbers LO ≤ HI, got {text!r}")
    return values


def _property(args) -> int:
    ranges = {}
    for item in args.param:
        name, eq, span = item.partition("=")
        if not eq:
            raise LlgdInputError(f"--param takes NAME=LO:HI, got {item!r}")
        ranges[name.strip()] = _range(span, f"--param {name.strip()}")
    boxes = args.box.split(",")
    if len(boxes) != 2:
        raise LlgdInputError(f"--box takes X0MIN:X0MAX,Y0MIN:Y0MAX, got {args.box!r}")
    x_range, y_range = _range(boxes[0], "--box"), _range(boxes[1], "--box")
    if min(x_range[0], y_range[0]) <= 0:
        raise LlgdInputError("--box gives magnitudes: use positive bounds (signs are drawn separately)")
    report = api.check_family(
        args.theorem,
        loss=args.loss,
        ranges=ranges,
        examples=args.examples,
        seed=args.seed,
        without=args.without,
        fraction=_range(args.h_fraction, "--h-fraction"),
        x_range=x_range,
        y_range=y_range,
        log_scale=args.log_box,
        same_sign=not args.any_sign,
        dps=args.dps,
        max_steps=args.max_steps,
    )
    data = report.as_json()
    data["loss"] = args.loss
    data["parameters"] = {k: list(v) for k, v in ranges.items()}
    data["dropped_hypotheses"] = list(args.without)
    print(json.dumps(data) if args.json else api.format_family(data))
    return 0


def _latex(args) -> int:
    from . import latex

    if args.target == "regularity":
        if not args.loss:
            raise LlgdInputError("llgd latex regularity needs --loss")
        text = latex.regularity_latex(api.regularity(args.loss, mu=args.mu))
    else:
        theorem = api.get_theorem(args.target)
        text = latex.theorem_latex(theorem, api.make_loss(args.loss, mu=args.mu) if args.loss else None)
    print(json.dumps({"latex": text}) if args.json else text)
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
