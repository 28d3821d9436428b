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

from . import api, output
from .errors import LlgdInputError, ResourceLimitError, UsageError
from .timeouts import TimeLimitExceeded, time_budget

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

    atlas = verbs.add_parser("atlas", help="fractions of starts giving convergence, EoS, catapult, balancing per loss (batch engine)")
    atlas.add_argument("--losses", required=True, help="comma-separated catalog names or expressions in s (commas inside brackets are kept)")
    atlas.add_argument("--h", required=True, type=float)
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
    atlas.add_argument("--cache-dir", help="where finished chunks are kept (default ~/.cache/llgd_proof)")
    atlas.add_argument("--no-cache", action="store_true")
    atlas.add_argument("--workers", type=int, help="processes (default: every core)")
    atlas.add_argument("--plot", metavar="FILE", help="PNG/PDF: basin maps (--grid) or bar charts (--samples)")
    atlas.add_argument("--json", action="store_true")
    atlas.set_defaults(handler=_atlas)

    sweep = verbs.add_parser("sweep", help="one start over a range of h: bifurcation / phase diagram")
    sweep.add_argument("--loss", required=True)
    sweep.add_argument("--mu")
    sweep.add_argument("--h-range", required=True, metavar="LO:HI:N")
    sweep.add_argument("--init", required=True, metavar="X0,Y0")
    sweep.add_argument("--max-steps", type=int, default=20_000)
    sweep.add_argument("--confirm", type=int, default=0, metavar="K")
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


def _box(text: str):
    parts = text.split(",")
    if len(parts) != 2:
        raise LlgdInputError(f"--box takes X0MIN:X0MAX,Y0MIN:Y0MAX, got {text!r}")
    (x_low, x_high), (y_low, y_high) = _range(parts[0], "--box"), _range(parts[1], "--box")
    return api.Box(x_low, x_high, y_low, y_high)


def _progress_bar(json_mode: bool):
    if json_mode or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bars = {}

    def update(label: str, done: int, total: int) -> None:
        bar = bars.get(label) or bars.setdefault(label, tqdm(total=total, desc=label[:24], unit="chunk", leave=True))
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def _atlas(args) -> int:
    if args.samples is None and args.grid is None:
        raise LlgdInputError("give --samples N or --grid N")
    losses = _top_level_split(args.losses)
    if not losses:
        raise LlgdInputError("--losses needs at least one loss")
    if not (args.h > 0 and math.isfinite(args.h)):
        raise LlgdInputError(f"the step h must be a finite positive number, got {args.h}")
    cache_dir = None if args.no_cache else (args.cache_dir or api.default_cache_dir())
    try:
        result = api.atlas(
            losses, args.h, mu=args.mu, box=_box(args.box), samples=args.samples, grid=args.grid, log_scale=args.log_box,
            same_sign=args.same_sign, seed=args.seed, max_steps=args.max_steps, delta=args.delta,
            balance_fraction=args.balance_fraction, confirm=args.confirm, cache_dir=cache_dir, workers=args.workers,
            progress=_progress_bar(args.json),
        )
    except KeyboardInterrupt:
        print("llgd: interrupted; finished chunks are cached — run the same command again to resume", file=sys.stderr)
        return 130
    data = result.as_json()
    if args.plot:
        from .plots import atlas_figure

        data["plot"] = atlas_figure(result, args.plot)
    print(json.dumps(data) if args.json else api.format_atlas(data))
    return 0


def _sweep(args) -> int:
    low, colon, rest = args.h_range.partition(":")
    high, colon2, count = rest.partition(":")
    try:
        low_value, high_value, points = float(low), float(high), int(count)
    except ValueError:
        colon2 = ""
    if not colon or not colon2 or not (0 < low_value <= high_value and math.isfinite(high_value)) or not 1 <= points <= 100_000:
        raise LlgdInputError(f"--h-range takes LO:HI:N with 0 < LO ≤ HI and 1 ≤ N ≤ 100000, got {args.h_range!r}")
    init = [float(v) for v in _numbers(args.init)] if all(_is_number(v) for v in _numbers(args.init)) else None
    if init is None or not all(math.isfinite(v) for v in init):
        raise LlgdInputError(f"--init takes finite numbers X0,Y0, got {args.init!r}")
    h_values = [low_value + (high_value - low_value) * i / max(points - 1, 1) for i in range(points)]
    data = api.sweep(args.loss, h_values, init, mu=args.mu, max_steps=args.max_steps, confirm=args.confirm)
    if args.plot:
        from .plots import sweep_figure

        data["plot"] = sweep_figure(data, args.plot)
    print(json.dumps(data) if args.json else api.format_sweep(data))
    return 0


def _network(args) -> int:
    from . import nn

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
            error = ResourceLimitError("the computation ran past its time limit; try a smaller input (see README, Errors and output)")
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
