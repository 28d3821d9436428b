"""The ``llgd`` command: parse, call the Python API, format. Nothing is computed here.

Every verb has ``--json``. A user mistake prints one sentence on stderr and exits 2; a result,
even a ``violated`` verdict, exits 0 (``llgd verify`` exits 1 when something is violated).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import sys
from collections.abc import Sequence

import numpy

from llgd_proof import api
from llgd_proof.errors import LlgdInputError, ResourceLimitError, UsageError
from llgd_proof.report import output
from llgd_proof.symbolic.timeouts import TimeLimitExceeded, time_budget

SYMBOLIC_BUDGET_SECONDS = 6.0
"""run, check, regularity, latex: total time for guarded symbolic steps (simplify, limit, solveset);
after it, each such step takes its marked fallback at once (numeric estimate, unsimplified form)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one sentence, exit code 2 (reported by main)
        raise UsageError(message)


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
    check.add_argument("theorem", metavar="THEOREM_ID", nargs="?")
    _add_objective_arguments(check)
    _add_run_arguments(check)
    for action in check._actions:  # check: step, start and budgets default to the theorem's own built-in cases
        if action.dest in ("h", "init"):
            action.required = False
            action.help += " (default: from the theorem's first built-in case of the same dimension)"
    check.set_defaults(dps=None, max_steps=None)
    check.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="theorem parameter, e.g. delta=0.1 or L=2")
    check.add_argument("--without", action="append", default=[], metavar="HYPOTHESIS", help="drop a hypothesis by name (see llgd theorems --json)")
    check.add_argument("--prove", action="store_true",
                       help="also try a computer-assisted proof of a converging or 2-cycle holds of T1, T3, T6, A3, A9, A4 (evidence.established)")
    check.set_defaults(handler=_check)

    verify = verbs.add_parser("verify", help="check every theorem on its built-in cases (the main job)")
    verify.add_argument("--json", action="store_true")
    verify.add_argument("--latex", metavar="FILE", help="also write a standalone LaTeX report")
    verify.add_argument("--only", help="comma-separated theorem ids")
    verify.add_argument("--budget", type=float, default=api.DEFAULT_SEARCH_BUDGET, metavar="SECONDS",
                        help=f"time for the adversarial search, shared by the searched theorems (default {api.DEFAULT_SEARCH_BUDGET:g}; 0 skips it)")
    verify.add_argument("--seed", type=int, default=0, help="seed of the adversarial search (default 0)")
    verify.add_argument("--proof-seconds", type=float, default=None, metavar="SECONDS",
                        help="nominal seconds of work for each proof attempt, a deterministic budget (default 4; 0: no proofs, every holds is 'checked numerically')")
    verify.set_defaults(handler=_verify)

    prop = verbs.add_parser("property", help="property-test a theorem over a loss family with hypothesis; shrink any counterexample")
    prop.add_argument("theorem", metavar="THEOREM_ID", nargs="?")
    prop.add_argument("--loss", help="catalog name or expression in s (parameter mu)")
    prop.add_argument("--param", action="append", default=[], metavar="NAME=LO:HI", help="vary a loss parameter over a range (mu; delta, p for catalog losses)")
    prop.add_argument("--examples", type=int, default=None, metavar="N",
                      help=f"cases to draw and check (default {api.DEFAULT_EXAMPLES}, a claim: its domain's; at most {api.MAX_EXAMPLES})")
    prop.add_argument("--seed", type=int, default=0)
    prop.add_argument("--without", action="append", default=[], metavar="HYPOTHESIS", help="drop a hypothesis: what breaks without it?")
    prop.add_argument("--h-fraction", default="0.05:0.99", metavar="LO:HI", help="h as a fraction of the maximal stable step 1/(|mu|l''(mu)) (2/l''(0) when mu = 0)")
    prop.add_argument("--box", default="0.05:10,0.05:5", metavar="X0MIN:X0MAX,Y0MIN:Y0MAX", help="magnitudes of the start coordinates")
    prop.add_argument("--log-box", action="store_true", help="draw start magnitudes log-uniformly on a grid")
    prop.add_argument("--any-sign", action="store_true", help="allow x0*y0 < 0 (default: same sign)")
    prop.add_argument("--dps", type=int, default=30)
    prop.add_argument("--max-steps", type=int, default=20_000)
    prop.add_argument("--scheduler", metavar="ADDRESS", help="check the cases on a dask.distributed scheduler (default $DASK_SCHEDULER_ADDRESS)")
    prop.add_argument("--workers", type=int, metavar="N", help="local Dask processes (0 or 1: in this process; default every core from 100 examples on)")
    prop.add_argument("--json", action="store_true")
    prop.set_defaults(handler=_property)

    atlas = verbs.add_parser("atlas", help="fractions of starts giving convergence, EoS, catapult, balancing per loss (batch engine on Dask)")
    atlas.add_argument("--losses", required=True, help="comma-separated catalog names or expressions in s (commas inside brackets are kept)")
    atlas.add_argument("--h", required=True, metavar="H|LO:HI:N", help="one step h, or N steps from LO to HI")
    atlas.add_argument("--mu", help="value of mu for every loss that has it")
    atlas.add_argument("--box", default="0.05:30,0.01:5", metavar="X0MIN:X0MAX,Y0MIN:Y0MAX", help="magnitudes |x0|, |y0| (default 0.05:30,0.01:5)")
    atlas.add_argument("--log-box", action="store_true")
    atlas.add_argument("--same-sign", action="store_true", help="x0*y0 > 0 (grid: the positive quadrant)")
    size = atlas.add_mutually_exclusive_group()
    size.add_argument("--samples", type=int)
    size.add_argument("--grid", type=int)
    atlas.add_argument("--seed", type=int, default=0)
    atlas.add_argument("--max-steps", type=int, default=20_000)
    atlas.add_argument("--delta", type=float, default=0.25, help="EoS when hS/2 >= 1 - delta (default 0.25)")
    atlas.add_argument("--balance-fraction", type=float, default=0.5, help="balancing when |x^2-y^2| fell by this fraction (default 0.5)")
    atlas.add_argument("--confirm", type=int, default=0, metavar="K", help="re-run K random points with the mpmath engine")
    atlas.add_argument("--out", metavar="STORE", help="Zarr store for the results (resumed when it exists)")
    atlas.add_argument("--cache-dir", help="without --out: where the result store is kept (default ~/.cache/llgd_proof)")
    atlas.add_argument("--no-cache", action="store_true", help="without --out: keep nothing")
    atlas.add_argument("--scheduler", metavar="ADDRESS", help="a dask.distributed scheduler (default $DASK_SCHEDULER_ADDRESS, else local worker processes), or processes, threads or sync for a local one")
    atlas.add_argument("--workers", type=int, help="local worker processes (default: every core)")
    atlas.add_argument("--chunk", type=int, default=8192, metavar="N", help="starts per chunk, the unit of work and of the store (default 8192)")
    atlas.add_argument("--plot", metavar="FILE", help="PNG/PDF/SVG: basin maps (--grid), bar charts (--samples), fractions against h (several h)")
    atlas.add_argument("--json", action="store_true")
    atlas.set_defaults(handler=_atlas)

    boundary = verbs.add_parser("boundary", help="map where a pointwise theorem holds over h (fraction of the step limit) and starts in a box")
    boundary.add_argument("theorem", metavar="THEOREM_ID", help="eos-v1, eos, catapult-v1 or catapult")
    boundary.add_argument("--loss", required=True, help="catalog name or expression in s (parameter mu)")
    boundary.add_argument("--mu", help="value of mu in the loss (default 1)")
    boundary.add_argument("--h-fraction", required=True, metavar="LO:HI", help="h as a fraction of the step limit 1/(|mu|l''(mu)) (2/l''(0) when mu = 0)")
    boundary.add_argument("--h-steps", type=int, default=5, metavar="K", help="number of h values in LO:HI (default 5)")
    boundary.add_argument("--box", required=True, metavar="X0MIN:X0MAX,Y0MIN:Y0MAX", help="magnitudes of the start coordinates (positive quadrant)")
    boundary.add_argument("--grid", required=True, type=int, metavar="N", help="N x N starts per h")
    boundary.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="theorem parameter, e.g. delta=0.1")
    boundary.add_argument("--confirm", type=int, default=25, metavar="K", help="re-check up to K violated cells at high precision (default 25)")
    boundary.add_argument("--max-steps", type=int, default=20_000)
    boundary.add_argument("--plot", metavar="FILE", help="PNG/PDF: verdict and measured ratio per h")
    boundary.add_argument("--scheduler", metavar="ADDRESS", help="a dask.distributed scheduler (default $DASK_SCHEDULER_ADDRESS, else local worker processes), or processes, threads or sync for a local one")
    boundary.add_argument("--json", action="store_true")
    boundary.set_defaults(handler=_boundary)

    sweep = verbs.add_parser("sweep", help="one start over a range of h: bifurcation / phase diagram")
    sweep.add_argument("--loss", required=True)
    sweep.add_argument("--mu")
    sweep.add_argument("--h-range", required=True, metavar="LO:HI:N")
    sweep.add_argument("--init", required=True, metavar="X0,Y0")
    sweep.add_argument("--max-steps", type=int, default=20_000)
    sweep.add_argument("--confirm", type=int, default=0, metavar="K")
    sweep.add_argument("--seed", type=int, default=0)
    sweep.add_argument("--out", metavar="STORE", help="Zarr store for the results (resumed when it exists)")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="a dask.distributed scheduler (default $DASK_SCHEDULER_ADDRESS, else local worker processes), or processes, threads or sync for a local one")
    sweep.add_argument("--plot", metavar="FILE")
    sweep.add_argument("--json", action="store_true")
    sweep.set_defaults(handler=_sweep)

    network = verbs.add_parser("nn", help="the network experiment of theory §6 (needs the [nn] extra: PyTorch, scikit-learn)")
    network.add_argument("--loss", required=True, help="mse | huber")
    network.add_argument("--activation", required=True, help="relu | tanh | cubic-relu")
    network.add_argument("--batch-norm", action="store_true")
    step = network.add_mutually_exclusive_group(required=True)
    step.add_argument("--h", type=float)
    step.add_argument("--h-multiple", type=float, help="h = M · 2/S0 from the measured initial sharpness S0")
    network.add_argument("--steps", type=int, required=True)
    network.add_argument("--width", type=int, default=200)
    network.add_argument("--samples", type=int, default=1000, help="digits used (of 1797)")
    network.add_argument("--init-norms", default="6,20", metavar="A,B", help="Frobenius norms of W1, W2 at the start")
    network.add_argument("--sharpness-every", type=int, default=40)
    network.add_argument("--seed", type=int, default=0)
    network.add_argument("--cache-dir", help="reuse finished runs stored here")
    network.add_argument("--series", action="store_true", help="with --json: include the time series")
    network.add_argument("--plot", metavar="FILE", help="four panels: loss, sharpness vs 2/h, balance, norms")
    network.add_argument("--json", action="store_true")
    network.set_defaults(handler=_network)

    prove = verbs.add_parser("prove", help="prove rigorously (Arb balls) that GD converges or is periodic, with a certificate")
    _add_objective_arguments(prove)
    prove.add_argument("--h", required=True, help="learning rate h > 0 (an exact decimal)")
    prove.add_argument("--init", required=True, help="initial point, comma-separated exact decimals")
    prove.add_argument("--period", type=int, help="prove an orbit of this period (default: what the numeric run shows)")
    prove.add_argument("--max-steps", type=int, default=20_000, help="step budget (default 20000)")
    prove.add_argument("--max-bits", type=int, default=16_384, help="precision budget in bits (default 16384)")
    prove.add_argument("--max-seconds", type=float, help="nominal seconds of work for the enclosure: a deterministic budget, independent of load (default: none)")
    prove.add_argument("--certificate", metavar="FILE", help="write the certificate (JSON) for llgd recheck")
    prove.add_argument("--latex", action="store_true", help="print the proposition and its computer-assisted proof as LaTeX")
    prove.add_argument("--json", action="store_true")
    prove.set_defaults(handler=_prove)

    recheck = verbs.add_parser("recheck", help="re-verify a proof certificate through a separate small code path")
    recheck.add_argument("file", metavar="FILE")
    recheck.add_argument("--json", action="store_true")
    recheck.set_defaults(handler=_recheck)

    latex = verbs.add_parser("latex", help="print LaTeX for a theorem (with bounds for --loss) or a regularity report")
    latex.add_argument("target", metavar="THEOREM_ID|regularity", nargs="?")
    latex.add_argument("--loss")
    latex.add_argument("--mu")
    latex.add_argument("--json", action="store_true", help="print {\"latex\": ...}")
    latex.set_defaults(handler=_latex)
    _add_claim_options(verbs)
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
    keys = ("note", "status", "version", "kind", "counterexample", "reproduce", "replaces", "replaced_by")
    listing = [
        {"id": t.id, "title": t.title, "provenance": t.provenance, "hypotheses": [h.name for h in t.hypotheses], **{k: v for k, v in t.as_json().items() if k in keys}}
        for t in api.THEOREMS.values()
    ]
    print(json.dumps(listing) if args.json else api.format_theorems(listing))
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
    theorem = api.get_theorem(args.theorem)
    n_variables = len(args.vars.split(",")) if args.objective is not None else 2 * args.dim
    default = next((c for c in theorem.cases if len(c.init) == n_variables), None)
    if default is None and (args.h is None or args.init is None):
        raise LlgdInputError(f"give --h and --init: theorem {theorem.id!r} has no built-in case with {n_variables} coordinates to take them from")
    defaults = {name: value for name, value, given in (("h", default and default.h, args.h), ("init", default and list(default.init), args.init)) if given is None}
    result = api.check(
        args.theorem,
        h=args.h or default.h,
        init=_numbers(args.init) if args.init else list(default.init),
        loss=args.loss,
        mu=args.mu,
        dim=args.dim,
        objective=args.objective,
        variables=args.vars.split(",") if args.vars else (),
        dps=args.dps or max([30, *(c.dps for c in theorem.cases)]),
        max_steps=args.max_steps or max([api.DEFAULT_MAX_STEPS, *(c.max_steps for c in theorem.cases)]),
        parameters=_assignments(args.set),
        without=args.without,
    )
    from llgd_proof.experiments.verification import CHECKED, establish

    if args.prove:
        establish(result)
    elif result.verdict is api.Verdict.HOLDS:
        result.evidence["established"] = CHECKED  # no proof tried: `llgd check --prove` tries one
    data = result.as_json()
    if defaults:
        data["defaults_from_theorem"] = defaults
    print(json.dumps(data) if args.json else api.format_check(data))
    return 0


def _verify(args) -> int:
    if not (args.budget >= 0 and math.isfinite(args.budget)):
        raise LlgdInputError(f"--budget takes a finite number of seconds ≥ 0, got {args.budget}")

    def progress(result):
        if not args.json:
            refuted = " (refuted variant: its counterexample, checked again)" if result.theorem.status == "refuted" else ""
            print(f"  {result.theorem.id:<24} {result.verdict.value}{refuted}", file=sys.stderr, flush=True)

    def search_progress(search):
        if not args.json:
            counts = ", ".join(f"{n} {v}" for v, n in search.counts.items() if n)
            print(f"  {search.theorem.id:<24} searched {search.examples} cases: {counts or 'none'}", file=sys.stderr, flush=True)

    proofs = {} if args.proof_seconds is None else {"proof_seconds": _proof_seconds(args.proof_seconds)}
    report = api.verify(
        _only(args.only), progress=progress, budget_seconds=args.budget, seed=args.seed, search_progress=search_progress, **proofs
    )
    data = report.as_json()
    if args.latex:
        from llgd_proof.report.latex import report_document

        with open(args.latex, "w", encoding="utf-8") as handle:
            handle.write(report_document(report.results, elapsed=report.elapsed, searches=report.searches, refuted=report.refuted))
        data["latex_file"] = args.latex
    print(json.dumps(data) if args.json else api.format_verify(data))
    return 1 if report.violated else 0


def _only(text: str | None) -> list[str] | None:
    """--only ID,ID: the theorem ids, each non-empty (an empty --only would otherwise mean "everything")."""
    if text is None:
        return None
    ids = [part.strip() for part in text.split(",")]
    if not all(ids):
        raise UsageError(f"--only takes comma-separated theorem ids (llgd theorems lists them), got {text!r}")
    return ids


def _proof_seconds(value: float) -> float:
    if not (value >= 0 and math.isfinite(value)):
        raise LlgdInputError(f"--proof-seconds takes a finite number of seconds ≥ 0, got {value}")
    return value


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
        examples=api.DEFAULT_EXAMPLES if args.examples is None else args.examples,
        seed=args.seed,
        without=args.without,
        fraction=_range(args.h_fraction, "--h-fraction"),
        x_range=x_range,
        y_range=y_range,
        log_scale=args.log_box,
        same_sign=not args.any_sign,
        dps=args.dps,
        max_steps=args.max_steps,
        scheduler=args.scheduler,
        workers=args.workers,
        progress=not args.json and sys.stderr.isatty(),
    )
    data = report.as_json()
    data["loss"] = args.loss
    data["parameters"] = {k: list(v) for k, v in ranges.items()}
    data["dropped_hypotheses"] = list(args.without)
    print(json.dumps(data) if args.json else api.format_family(data) + _more_examples(args.examples, report.examples))
    return 0


def _more_examples(given: int | None, examples: int) -> str:
    """Without --examples, a line saying how to ask for more (the default is kept small: each new loss costs ~1 s)."""
    return "" if given is not None else f"\n{examples} examples (the default); --examples N checks N cases, up to {api.MAX_EXAMPLES}"


def _box(text: str):
    parts = text.split(",")
    if len(parts) != 2:
        raise LlgdInputError(f"--box takes X0MIN:X0MAX,Y0MIN:Y0MAX, got {text!r}")
    (x_low, x_high), (y_low, y_high) = _range(parts[0], "--box"), _range(parts[1], "--box")
    return api.Box(x_low, x_high, y_low, y_high)


PLOT_SUFFIXES = (".png", ".pdf", ".svg")


def _plot_path(path: str | None) -> None:
    if path is not None and not path.lower().endswith(PLOT_SUFFIXES):
        raise LlgdInputError(f"--plot writes {', '.join(PLOT_SUFFIXES)} files; got {path!r}")


def _boundary(args) -> int:
    from llgd_proof.experiments.boundary import boundary_map, format_boundary

    box = _box(args.box)
    result = boundary_map(
        args.theorem, loss=args.loss, mu=args.mu, h_fraction=_range(args.h_fraction, "--h-fraction"), h_steps=args.h_steps,
        box=(box.x_low, box.x_high, box.y_low, box.y_high), grid=args.grid, parameters=_assignments(args.set),
        max_steps=args.max_steps, confirm=args.confirm, scheduler=args.scheduler, progress=not args.json and sys.stderr.isatty(),
    )
    data = result.as_json()
    data["plot"] = None
    if args.plot:
        from llgd_proof.experiments.boundary_plots import boundary_figure

        data["plot"] = boundary_figure(result, args.plot)
    print(json.dumps(data) if args.json else format_boundary(data))
    return 0


def _counts(args, *names: str) -> None:
    """Seeds, budgets and counts: negative (or zero budgets) are bad input, said in one sentence."""
    lows = {"seed": 0, "max_steps": 1, "confirm": 0, "workers": 1, "chunk": 1}
    for name in names:
        value = getattr(args, name, None)
        if value is not None and value < lows[name]:
            raise LlgdInputError(f"--{name.replace('_', '-')} must be an integer ≥ {lows[name]}, got {value}")


def _h_range(text: str, flag: str) -> list[float]:
    low, colon, rest = text.partition(":")
    high, colon2, count = rest.partition(":")
    try:
        low_value, high_value, points = float(low), float(high), int(count)
    except ValueError:
        colon2 = ""
    if not colon or not colon2 or not (0 < low_value <= high_value and math.isfinite(high_value)) or not 1 <= points <= 100_000:
        raise LlgdInputError(f"{flag} takes LO:HI:N with 0 < LO ≤ HI and 1 ≤ N ≤ 100000, got {text!r}")
    if points > 1 and low_value == high_value:
        raise LlgdInputError(f"{flag} LO:HI:N with N > 1 needs LO < HI, got {text!r}")
    return [float(value) for value in numpy.linspace(low_value, high_value, points)]


def _atlas_h(text: str) -> float | list[float]:
    if ":" in text:
        return _h_range(text, "--h")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise LlgdInputError(f"the step h must be a finite positive number or LO:HI:N, got {text!r}")
    return value


def _atlas(args) -> int:
    from llgd_proof.scale.summary import atlas_summary
    from llgd_proof.scale.store import usable_cache_dir

    if args.samples is None and args.grid is None:
        raise LlgdInputError("give --samples N or --grid N")
    losses = _top_level_split(args.losses)
    if not losses:
        raise LlgdInputError("--losses needs at least one loss")
    h = _atlas_h(args.h)
    _counts(args, "seed", "max_steps", "confirm", "workers", "chunk")
    _plot_path(args.plot)
    cache_dir = None if args.no_cache or args.out else usable_cache_dir(args.cache_dir or api.default_cache_dir())
    try:
        dataset = api.atlas(
            losses, h, mu=args.mu, box=_box(args.box), samples=args.samples, grid=args.grid, log_scale=args.log_box,
            same_sign=args.same_sign, seed=args.seed, max_steps=args.max_steps, delta=args.delta,
            balance_fraction=args.balance_fraction, confirm=args.confirm, out=args.out, cache_dir=cache_dir,
            scheduler=args.scheduler, workers=args.workers, progress=not args.json and sys.stderr.isatty(), chunk=args.chunk,
        )
    except KeyboardInterrupt:
        print("llgd: interrupted; finished chunks are in the store — run the same command again to resume", file=sys.stderr)
        return 130
    data = atlas_summary(dataset)
    if args.plot:
        from llgd_proof.report.plots import atlas_figure

        data["plot"] = atlas_figure(dataset, args.plot)
    if args.json:
        print(json.dumps(data))
    else:
        several = isinstance(data["h"], list)
        for value in data["h"] if several else [data["h"]]:
            part = {**data, "h": value, "losses": [e for e in data["losses"] if e["h"] == value]}
            print(api.format_atlas(part if not several else {**part, "plot": None, "cache": None}))
        if several and data.get("plot"):
            print(f"plot: {data['plot']}")
        stationary = sum(e["counts"]["stationary"] for e in data["losses"])
        if stationary:
            print(f"stationary (a critical point that is not a minimiser): {stationary} runs")
        if data.get("out"):
            print(f"results: {data['out']}")
    return 0


def _sweep(args) -> int:
    h_values = _h_range(args.h_range, "--h-range")
    init = [float(v) for v in _numbers(args.init)] if all(_is_number(v) for v in _numbers(args.init)) else None
    if init is None or not all(math.isfinite(v) for v in init):
        raise LlgdInputError(f"--init takes finite numbers X0,Y0, got {args.init!r}")
    _counts(args, "seed", "max_steps", "confirm")
    _plot_path(args.plot)
    data = api.sweep(args.loss, h_values, init, mu=args.mu, max_steps=args.max_steps, confirm=args.confirm, seed=args.seed, out=args.out, scheduler=args.scheduler)
    if args.plot:
        from llgd_proof.report.plots import sweep_figure

        data["plot"] = sweep_figure(data, args.plot)
    print(json.dumps(data) if args.json else api.format_sweep(data))
    return 0


def _network(args) -> int:
    from llgd_proof.experiments import networks as nn

    norms = _numbers(args.init_norms)
    if len(norms) != 2 or not all(_is_number(v) for v in norms):
        raise LlgdInputError(f"--init-norms takes two numbers A,B, got {args.init_norms!r}")
    config = nn.NetworkConfig(
        loss=args.loss, activation=args.activation, batch_norm=args.batch_norm, h=args.h, h_multiple=args.h_multiple,
        steps=args.steps, width=args.width, samples=args.samples, init_norms=(float(norms[0]), float(norms[1])),
        seed=args.seed, sharpness_every=args.sharpness_every,
    )
    run = nn.run_network(config, cache_dir=args.cache_dir)
    data = run.summary()
    if args.series:
        data["series"] = run.series()
    if args.plot:
        data["plot"] = nn.network_figure(run, args.plot)
    print(json.dumps(data) if args.json else api.format_network(data))
    return 0


def _top_level_split(text: str) -> list[str]:
    """Split on commas outside brackets: 'logcosh,huber(s-1, 0.5)' -> ['logcosh', 'huber(s-1, 0.5)']."""
    parts, depth, current = [], 0, []
    for ch in text:
        depth += ch in "(["
        depth -= ch in ")]"
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _latex(args) -> int:
    from llgd_proof.report import latex

    if args.target == "regularity":
        if not args.loss:
            raise LlgdInputError("llgd latex regularity needs --loss")
        text = latex.regularity_latex(api.regularity(args.loss, mu=args.mu))
    else:
        theorem = api.get_theorem(args.target)
        text = latex.theorem_latex(theorem, api.make_loss(args.loss, mu=args.mu) if args.loss else None)
    print(json.dumps({"latex": text}) if args.json else text)
    return 0


# -- claims as data (issue 13): --claim FILE on check, property and latex; --claims DIR on verify ------------


def _add_claim_options(verbs) -> None:
    for name, handler in (("check", _check_claim), ("property", _property_claim), ("latex", _latex_claim)):
        parser = verbs.choices[name]
        parser.add_argument("--claim", metavar="FILE", help="a claim file (TOML: hypotheses and a conclusion over the README's vocabulary) instead of a theorem id")
        defaults = {key: parser.get_default(key) for key in ("examples", "seed", "h_fraction", "box", "dps", "max_steps")}
        parser.set_defaults(handler=_theorem_or_claim(name, parser.get_default("handler"), handler, defaults))
    verify = verbs.choices["verify"]
    verify.add_argument("--claims", metavar="DIR", help="also check every claim file (*.toml) in DIR on its own cases")
    verify.set_defaults(handler=_verify_with_claims(verify.get_default("handler")))


def _theorem_or_claim(verb: str, builtin, claim_handler, defaults):
    def handle(args) -> int:
        target = args.target if verb == "latex" else args.theorem
        if args.claim is not None:
            if target is not None:
                raise LlgdInputError(f"give a theorem id or --claim FILE, not both (got {target!r} and --claim)")
            return claim_handler(args, defaults)
        if target is None:
            raise LlgdInputError(f"llgd {verb} needs a {'THEOREM_ID or regularity' if verb == 'latex' else 'THEOREM_ID'} (or --claim FILE)")
        if verb == "property" and args.loss is None:
            raise LlgdInputError("llgd property THEOREM_ID needs --loss (a catalog name or an expression in s)")
        return builtin(args)

    return handle


def _check_claim(args, defaults) -> int:
    if args.loss is None and not args.vars:
        raise LlgdInputError("--objective needs --vars naming its variables, e.g. --vars x,y")
    claim = api.load_claim(args.claim)
    result = api.check(
        claim.theorem, h=args.h, init=_numbers(args.init), loss=args.loss, mu=args.mu, dim=args.dim, objective=args.objective,
        variables=args.vars.split(",") if args.vars else (), dps=args.dps or 30, max_steps=args.max_steps or api.DEFAULT_MAX_STEPS,
        parameters=_assignments(args.set), without=args.without,
    )
    data = {**result.as_json(), "claim_file": args.claim}
    print(json.dumps(data) if args.json else api.format_check(data))
    return 0


def _property_claim(args, defaults) -> int:
    claim = api.load_claim(args.claim)
    overrides: dict = {}
    if args.loss is not None:
        overrides["loss"] = args.loss
    if args.param:
        overrides["parameters"] = {}
        for item in args.param:
            name, eq, span = item.partition("=")
            if not eq:
                raise LlgdInputError(f"--param takes NAME=LO:HI, got {item!r}")
            overrides["parameters"][name.strip()] = _range(span, f"--param {name.strip()}")
    if args.h_fraction != defaults["h_fraction"]:
        overrides.update(h_fraction=_range(args.h_fraction, "--h-fraction"), h=None)
    if args.box != defaults["box"]:
        box = _box(args.box)
        overrides["box"] = ((box.x_low, box.x_high), (box.y_low, box.y_high))
    if args.log_box:
        overrides["log_box"] = True
    if args.any_sign:
        overrides["any_sign"] = True
    overrides.update({key: getattr(args, key) for key in ("examples", "seed", "dps", "max_steps") if getattr(args, key) != defaults[key]})
    domain = claim.domain_with(**overrides)
    report = claim.search(domain=domain, without=args.without, scheduler=args.scheduler, workers=args.workers)
    data = report.as_json()
    data.update(claim_file=args.claim, loss=domain.loss, parameters={k: list(v) for k, v in domain.parameters.items()},
                domain=claim.domain_json(domain), dropped_hypotheses=list(args.without))
    print(json.dumps(data) if args.json else api.format_family(data) + _more_examples(args.examples, report.examples))
    return 0


def _latex_claim(args, defaults) -> int:
    if args.loss is not None or args.mu is not None:
        raise LlgdInputError("llgd latex --claim takes no --loss or --mu: a claim's statement does not depend on a loss")
    text = api.load_claim(args.claim).latex()
    print(json.dumps({"latex": text}) if args.json else text)
    return 0


def _verify_with_claims(builtin):
    def handle(args) -> int:
        if args.claims is None:
            return builtin(args)
        import time

        from llgd_proof.claims.claim import check_claims, load_directory

        def progress(result):
            if not args.json:
                print(f"  {result.theorem.id:<24} {result.verdict.value}", file=sys.stderr, flush=True)

        claims = load_directory(args.claims)  # every file is read (and refused) before anything runs
        library = api.verify(_only(args.only), progress=progress)
        start = time.perf_counter()
        results = library.results + check_claims(claims, progress=progress)
        report = api.VerifyReport(results, library.elapsed + time.perf_counter() - start)
        data = {**report.as_json(), "claims_dir": args.claims, "claims": [c.name for c in claims]}
        if args.latex:
            from llgd_proof.report.latex import report_document

            with open(args.latex, "w", encoding="utf-8") as handle_:
                handle_.write(report_document(report.results, elapsed=report.elapsed))
            data["latex_file"] = args.latex
        print(json.dumps(data) if args.json else api.format_verify(data))
        return 1 if report.violated else 0

    return handle

def _prove(args) -> int:
    if args.loss is not None and args.vars:
        raise LlgdInputError("--vars goes with --objective, not with --loss")
    if args.objective is not None and not args.vars:
        raise LlgdInputError("--objective needs --vars naming its variables, e.g. --vars x,y")
    if args.objective is not None and args.mu is not None:
        raise LlgdInputError("--mu goes with --loss, not with --objective")
    result = api.prove(
        h=args.h,
        init=_numbers(args.init),
        loss=args.loss,
        mu=args.mu,
        dim=args.dim,
        objective=args.objective,
        variables=args.vars.split(",") if args.vars else (),
        period=args.period,
        max_steps=args.max_steps,
        max_bits=args.max_bits,
        max_seconds=args.max_seconds,
    )
    data = result.as_json()
    if args.certificate and result.certificate is not None:
        from llgd_proof.checker import write

        write(args.certificate, result.certificate)
        data["certificate_file"] = args.certificate
    if args.latex:
        from llgd_proof.proofs.certificate import latex_document

        text = latex_document(result)
        print(json.dumps({**data, "latex": text}) if args.json else text)
    elif args.json:
        print(json.dumps(data))
    else:
        print(_format_proof(data))
    return 0 if result.proved else 1


def _format_proof(data: dict) -> str:
    lines = [f"outcome: {data['outcome']}  ({data['reason']})"]
    if data["outcome"] == "converges":
        what = "certified region" if data["rate"] else "contraction ball, sup|DF|"
        lines.append(f"  enclosed {data['steps_enclosed']} steps at {data['bits']} bits; {what}: rho <= {data['rho'][:14]}…")
        lines += [f"  limit coordinate {i + 1} in [{lo}, {hi}]" for i, (lo, hi) in enumerate(data["limit_box"])]
        lines.append(f"  EoS ratio hS/2 in [{data['eos_ratio'][0]}, {data['eos_ratio'][1]}]")
        if data["imbalance"]:
            lines.append(f"  imbalance in [{data['imbalance'][0]}, {data['imbalance'][1]}]")
        rate = data["rate"]
        if rate:
            lines.append(f"  T6: region first reached at K0 = {rate['K0']} (rho <= {rate['rho']}); |r| <= {rate['epsilon']} after at most {rate['steps_to_epsilon']} steps")
    elif data["outcome"] == "diverges":
        lines.append(f"  |x_K| >= {data['threshold']} at K = {data['steps_enclosed']} ({data['bits']} bits); |F(x)| >= {data['factor']}|x| beyond")
    elif data["outcome"] == "periodic":
        lines.append(f"  period {data['period']} proved by the Krawczyk test at {data['bits']} bits")
        for i, box in enumerate(data["orbit_boxes"]):
            lines.append(f"  orbit point {i + 1}: " + " x ".join(f"[{lo}, {hi}]" for lo, hi in box))
        if data["multiplier"]:
            lines.append(f"  multiplier in [{data['multiplier'][0]}, {data['multiplier'][1]}] — " + ("stable" if data["stable"] else "not proved stable"))
    if data.get("certificate_file"):
        lines.append(f"  certificate written to {data['certificate_file']}")
    lines.append(f"  {data['seconds']:.2f} s")
    return "\n".join(lines)


def _recheck(args) -> int:
    from llgd_proof.checker import load, recheck

    result = recheck(load(args.file))
    data = result.as_json()
    if args.json:
        print(json.dumps(data))
    else:
        print(("valid" if result.valid else "INVALID") + f" {result.outcome} certificate {args.file}")
        for failure in result.failures:
            print(f"  - {failure}")
    return 0 if result.valid else 1


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
    if args.verb in ("run", "check", "regularity", "latex"):
        with time_budget(SYMBOLIC_BUDGET_SECONDS):
            return args.handler(args)
    return args.handler(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb. Every verb gets, from here: one-sentence errors with exit 2, strict JSON on stdout
    with ``--json`` (errors too), and a quiet end when stdout is a closed pipe."""
    argv = list(sys.argv[1:] if argv is None else argv)
    state = {"json": "--json" in argv}
    stdout = sys.stdout
    captured = io.StringIO()
    try:
        try:
            with contextlib.redirect_stdout(captured) if state["json"] else contextlib.nullcontext():
                code = _dispatch(argv, state)
        except LlgdInputError as error:
            return _report(error, state["json"], stdout)
        except TimeLimitExceeded:
            error = ResourceLimitError("the computation ran past its time limit; try a smaller input (see docs/reference.md, Errors and output)")
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
