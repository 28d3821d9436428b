"""The command line of ``llgd``: verbs, flags, defaults and help. Parsing only; each verb's handler is in :mod:`.commands`."""

from __future__ import annotations

import argparse

from llgd_proof import api
from llgd_proof.cli import commands
from llgd_proof.errors import UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one sentence, exit code 2 (reported by main)
        raise UsageError(message)



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
    run.set_defaults(handler=commands.run)

    regularity = verbs.add_parser("regularity", help="closed-form regularity report of a loss (theory §3)")
    regularity.add_argument("--loss", required=True)
    regularity.add_argument("--mu")
    regularity.add_argument("--json", action="store_true")
    regularity.set_defaults(handler=commands.regularity)

    theorems = verbs.add_parser("theorems", help="list the theorems with their provenance")
    theorems.add_argument("--json", action="store_true")
    theorems.set_defaults(handler=commands.theorems)

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
    check.set_defaults(handler=commands.check)

    verify = verbs.add_parser("verify", help="check every theorem on its built-in cases (the main job)")
    verify.add_argument("--json", action="store_true")
    verify.add_argument("--latex", metavar="FILE", help="also write a standalone LaTeX report")
    verify.add_argument("--only", help="comma-separated theorem ids")
    verify.add_argument("--budget", type=float, default=api.DEFAULT_SEARCH_BUDGET, metavar="SECONDS",
                        help=f"time for the adversarial search, shared by the searched theorems (default {api.DEFAULT_SEARCH_BUDGET:g}; 0 skips it)")
    verify.add_argument("--seed", type=int, default=0, help="seed of the adversarial search (default 0)")
    verify.add_argument("--proof-seconds", type=float, default=None, metavar="SECONDS",
                        help="nominal seconds of work for each proof attempt, a deterministic budget (default 4; 0: no proofs, every holds is 'checked numerically')")
    verify.set_defaults(handler=commands.verify)

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
    prop.set_defaults(handler=commands.property_test)

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
    atlas.set_defaults(handler=commands.atlas)

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
    boundary.set_defaults(handler=commands.boundary)

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
    sweep.set_defaults(handler=commands.sweep)

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
    network.set_defaults(handler=commands.network)

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
    prove.set_defaults(handler=commands.prove)

    basin = verbs.add_parser("basin", help="certified basins for f = ℓ(xy): prove converges / diverges on every leaf of a box of starts")
    source = basin.add_mutually_exclusive_group(required=True)
    source.add_argument("--loss", help="loss ℓ(s): a catalog name or an expression in s (parameter mu allowed)")
    source.add_argument("--objective", help="an objective in the variables of --vars that sympy rewrites as ℓ(xy)")
    source.add_argument("--recheck", metavar="FILE", help="re-verify a basin certificate instead of computing one")
    basin.add_argument("--mu", help="value of the parameter mu in the loss (default 1)")
    basin.add_argument("--vars", help="comma-separated variable names for --objective")
    basin.add_argument("--h", help="learning rate h > 0 (an exact decimal)")
    basin.add_argument("--box", nargs=4, metavar=("X0", "X1", "Y0", "Y1"), help="the starts [X0, X1] × [Y0, Y1] (exact decimals)")
    basin.add_argument("--depth", type=int, default=8, help="largest quadtree depth: leaves are at least 2^-depth of the box's sides (default 8)")
    basin.add_argument("--max-steps", type=int, default=2000, help="steps of the enclosure per leaf (default 2000)")
    basin.add_argument("--bits", type=int, default=128, help="Arb precision in bits (default 128)")
    basin.add_argument("--certificate", metavar="FILE", help="write the basin certificate (JSON) for llgd basin --recheck")
    basin.add_argument("--leaves", action="store_true", help="with --json: include every leaf box and its outcome")
    basin.add_argument("--start", metavar="X1,...,Xn,Y1,...,Yn", help="with --recheck: the certified outcome of GD on ℓ(xᵀy) from this start (x, y ∈ ℝⁿ, exact decimals), through the exact reduction to two variables")
    basin.add_argument("--out", metavar="STORE", help="Zarr store of the leaf boxes and their outcomes (replaced when it exists)")
    basin.add_argument("--plot", metavar="FILE", help="PNG/PDF/SVG: the leaves coloured by proved outcome (undecided grey)")
    basin.add_argument("--scheduler", metavar="ADDRESS", help="a dask.distributed scheduler (default $DASK_SCHEDULER_ADDRESS, else local worker processes), or processes, threads or sync for a local one")
    basin.add_argument("--workers", type=int, help="local worker processes (default: every core)")
    basin.add_argument("--cache-dir", metavar="DIR", help="keep each finished sub-box (tile) in DIR, keyed by the inputs: the same command again skips them (resumes)")
    basin.add_argument("--json", action="store_true")
    basin.set_defaults(handler=commands.basin)

    recheck = verbs.add_parser("recheck", help="re-verify a proof certificate through a separate small code path")
    recheck.add_argument("file", metavar="FILE")
    recheck.add_argument("--json", action="store_true")
    recheck.set_defaults(handler=commands.recheck)

    latex = verbs.add_parser("latex", help="print LaTeX for a theorem (with bounds for --loss) or a regularity report")
    latex.add_argument("target", metavar="THEOREM_ID|regularity", nargs="?")
    latex.add_argument("--loss")
    latex.add_argument("--mu")
    latex.add_argument("--json", action="store_true", help="print {\"latex\": ...}")
    latex.set_defaults(handler=commands.latex)
    _add_claim_options(verbs)
    return parser


def _add_claim_options(verbs) -> None:
    """Claims as data (issue 13): ``--claim FILE`` on check, property and latex; ``--claims DIR`` on verify."""
    for name in ("check", "property", "latex"):
        parser = verbs.choices[name]
        parser.add_argument("--claim", metavar="FILE", help="a claim file (TOML: hypotheses and a conclusion over the README's vocabulary) instead of a theorem id")
    prop = verbs.choices["property"]  # with --claim, a flag left at its default keeps the claim's own domain
    prop.set_defaults(flag_defaults={key: prop.get_default(key) for key in ("examples", "seed", "h_fraction", "box", "dps", "max_steps")})
    verbs.choices["verify"].add_argument("--claims", metavar="DIR", help="also check every claim file (*.toml) in DIR on its own cases")
