"""The verbs of ``llgd``: each takes the parsed arguments, calls :mod:`llgd_proof.api`, prints the result (text, or one
JSON object with ``--json``) and returns the exit code. Flags are turned into API arguments here; nothing is computed."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence

import numpy

from llgd_proof import api
from llgd_proof.errors import LlgdInputError, UsageError
from llgd_proof.report import latex as latex_report

# -- flags into values -----------------------------------------------------------------------------------------


def _numbers(text: str) -> list[str]:
    parts = [part.strip() for part in text.split(",")]
    if not all(parts):
        raise LlgdInputError(f"expected comma-separated numbers, got {text!r}")
    return parts


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _variables(args) -> list[str] | tuple:
    return args.vars.split(",") if args.vars else ()


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


def _only(text: str | None) -> list[str] | None:
    """--only ID,ID: the theorem ids, each non-empty (an empty --only would otherwise mean "everything")."""
    if text is None:
        return None
    ids = [part.strip() for part in text.split(",")]
    if not all(ids):
        raise UsageError(f"--only takes comma-separated theorem ids (llgd theorems lists them), got {text!r}")
    return ids


def _range(text: str, what: str) -> tuple[float, float]:
    low, colon, high = text.partition(":")
    try:
        values = (float(low), float(high))
    except ValueError:
        colon = ""
    if not colon or not all(math.isfinite(v) for v in values) or values[0] > values[1]:
        raise LlgdInputError(f"{what} takes LO:HI with finite numbers LO ≤ HI, got {text!r}")
    return values


def _ranges(items: Sequence[str]) -> dict[str, tuple[float, float]]:
    ranges = {}
    for item in items:
        name, eq, span = item.partition("=")
        if not eq:
            raise LlgdInputError(f"--param takes NAME=LO:HI, got {item!r}")
        ranges[name.strip()] = _range(span, f"--param {name.strip()}")
    return ranges


def _box(text: str) -> api.Box:
    parts = text.split(",")
    if len(parts) != 2:
        raise LlgdInputError(f"--box takes X0MIN:X0MAX,Y0MIN:Y0MAX, got {text!r}")
    (x_low, x_high), (y_low, y_high) = _range(parts[0], "--box"), _range(parts[1], "--box")
    return api.Box(x_low, x_high, y_low, y_high)


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


def _counts(args, *names: str) -> None:
    """Seeds, budgets and counts: negative (or zero budgets) are bad input, said in one sentence."""
    lows = {"seed": 0, "max_steps": 1, "confirm": 0, "workers": 1, "chunk": 1}
    for name in names:
        value = getattr(args, name, None)
        if value is not None and value < lows[name]:
            raise LlgdInputError(f"--{name.replace('_', '-')} must be an integer ≥ {lows[name]}, got {value}")


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


def _stderr_line(args, line: str) -> None:
    if not args.json:
        print(line, file=sys.stderr, flush=True)


# -- run, regularity, theorems, check ---------------------------------------------------------------------------


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


def run(args) -> int:
    investigation = api.investigate(_objective_from(args), args.h, _numbers(args.init), dps=args.dps, max_steps=args.max_steps)
    data = investigation.as_json()
    print(json.dumps(data) if args.json else api.format_run(data))
    return 0


def regularity(args) -> int:
    data = api.regularity(args.loss, mu=args.mu).as_json()
    print(json.dumps(data) if args.json else api.format_regularity(data))
    return 0


def theorems(args) -> int:
    keys = ("note", "status", "version", "kind", "counterexample", "reproduce", "replaces", "replaced_by")
    listing = [
        {"id": t.id, "title": t.title, "provenance": t.provenance, "hypotheses": [h.name for h in t.hypotheses], **{k: v for k, v in t.as_json().items() if k in keys}}
        for t in api.THEOREMS.values()
    ]
    print(json.dumps(listing) if args.json else api.format_theorems(listing))
    return 0


def _theorem_or_claim(args, verb: str, target) -> bool:
    """True when the verb is given ``--claim FILE``; a theorem id and a claim together, or neither, is refused."""
    if args.claim is not None:
        if target is not None:
            raise LlgdInputError(f"give a theorem id or --claim FILE, not both (got {target!r} and --claim)")
        return True
    if target is None:
        raise LlgdInputError(f"llgd {verb} needs a {'THEOREM_ID or regularity' if verb == 'latex' else 'THEOREM_ID'} (or --claim FILE)")
    return False


def check(args) -> int:
    if _theorem_or_claim(args, "check", args.theorem):
        return _check_claim(args)
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
        variables=_variables(args),
        dps=args.dps or max([30, *(c.dps for c in theorem.cases)]),
        max_steps=args.max_steps or max([api.DEFAULT_MAX_STEPS, *(c.max_steps for c in theorem.cases)]),
        parameters=_assignments(args.set),
        without=args.without,
        prove=args.prove,
    )
    data = result.as_json()
    if defaults:
        data["defaults_from_theorem"] = defaults
    print(json.dumps(data) if args.json else api.format_check(data))
    return 0


def _check_claim(args) -> int:
    if args.loss is None and not args.vars:
        raise LlgdInputError("--objective needs --vars naming its variables, e.g. --vars x,y")
    result = api.check(
        api.load_claim(args.claim), h=args.h, init=_numbers(args.init), loss=args.loss, mu=args.mu, dim=args.dim, objective=args.objective,
        variables=_variables(args), dps=args.dps or 30, max_steps=args.max_steps or api.DEFAULT_MAX_STEPS,
        parameters=_assignments(args.set), without=args.without, prove=args.prove,
    )
    data = {**result.as_json(), "claim_file": args.claim}
    print(json.dumps(data) if args.json else api.format_check(data))
    return 0


# -- verify, property ------------------------------------------------------------------------------------------


def verify(args) -> int:
    def progress(result):
        refuted = " (refuted variant: its counterexample, checked again)" if result.theorem.status == "refuted" else ""
        _stderr_line(args, f"  {result.theorem.id:<24} {result.verdict.value}{refuted}")

    def search_progress(search):
        counts = ", ".join(f"{n} {v}" for v, n in search.counts.items() if n)
        _stderr_line(args, f"  {search.theorem.id:<24} searched {search.examples} cases: {counts or 'none'}")

    proofs = {} if args.proof_seconds is None else {"proof_seconds": args.proof_seconds}
    report = api.verify(
        _only(args.only), progress=progress, budget_seconds=args.budget, seed=args.seed, search_progress=search_progress, claims=args.claims, **proofs
    )
    data = report.as_json()
    if args.latex:
        with open(args.latex, "w", encoding="utf-8") as handle:
            handle.write(latex_report.report_document(report.results, elapsed=report.elapsed, searches=report.searches, refuted=report.refuted))
        data["latex_file"] = args.latex
    print(json.dumps(data) if args.json else api.format_verify(data))
    return 1 if report.violated else 0


def property_test(args) -> int:
    if _theorem_or_claim(args, "property", args.theorem):
        return _property_claim(args)
    if args.loss is None:
        raise LlgdInputError("llgd property THEOREM_ID needs --loss (a catalog name or an expression in s)")
    ranges = _ranges(args.param)
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


def _property_claim(args) -> int:
    """``llgd property --claim FILE``: the claim's own search domain, with the flags the user gave (not their defaults)."""
    claim, defaults = api.load_claim(args.claim), args.flag_defaults
    overrides: dict = {}
    if args.loss is not None:
        overrides["loss"] = args.loss
    if args.param:
        overrides["parameters"] = _ranges(args.param)
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


# -- atlas, boundary, sweep, nn ---------------------------------------------------------------------------------


def atlas(args) -> int:
    if args.samples is None and args.grid is None:
        raise LlgdInputError("give --samples N or --grid N")
    losses = _top_level_split(args.losses)
    if not losses:
        raise LlgdInputError("--losses needs at least one loss")
    h = _atlas_h(args.h)
    _counts(args, "seed", "max_steps", "confirm", "workers", "chunk")
    cache_dir = None if args.no_cache or args.out else (args.cache_dir or api.default_cache_dir())
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
    data = api.atlas_summary(dataset)
    if args.plot:
        data["plot"] = api.figure(dataset, args.plot)
    if args.json:
        print(json.dumps(data))
        return 0
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


def boundary(args) -> int:
    box = _box(args.box)
    result = api.boundary(
        args.theorem, loss=args.loss, mu=args.mu, h_fraction=_range(args.h_fraction, "--h-fraction"), h_steps=args.h_steps,
        box=(box.x_low, box.x_high, box.y_low, box.y_high), grid=args.grid, parameters=_assignments(args.set),
        max_steps=args.max_steps, confirm=args.confirm, scheduler=args.scheduler, progress=not args.json and sys.stderr.isatty(),
    )
    data = result.as_json()
    data["plot"] = api.figure(result, args.plot) if args.plot else None
    print(json.dumps(data) if args.json else api.format_boundary(data))
    return 0


def sweep(args) -> int:
    h_values = _h_range(args.h_range, "--h-range")
    init = [float(v) for v in _numbers(args.init)] if all(_is_number(v) for v in _numbers(args.init)) else None
    if init is None or not all(math.isfinite(v) for v in init):
        raise LlgdInputError(f"--init takes finite numbers X0,Y0, got {args.init!r}")
    _counts(args, "seed", "max_steps", "confirm")
    data = api.sweep(args.loss, h_values, init, mu=args.mu, max_steps=args.max_steps, confirm=args.confirm, seed=args.seed, out=args.out, scheduler=args.scheduler)
    if args.plot:
        data["plot"] = api.figure(data, args.plot)
    print(json.dumps(data) if args.json else api.format_sweep(data))
    return 0


def network(args) -> int:
    norms = _numbers(args.init_norms)
    if len(norms) != 2 or not all(_is_number(v) for v in norms):
        raise LlgdInputError(f"--init-norms takes two numbers A,B, got {args.init_norms!r}")
    run = api.network(
        loss=args.loss, activation=args.activation, batch_norm=args.batch_norm, h=args.h, h_multiple=args.h_multiple,
        steps=args.steps, width=args.width, samples=args.samples, init_norms=(float(norms[0]), float(norms[1])),
        seed=args.seed, sharpness_every=args.sharpness_every, cache_dir=args.cache_dir,
    )
    data = run.summary()
    if args.series:
        data["series"] = run.series()
    if args.plot:
        data["plot"] = api.figure(run, args.plot)
    print(json.dumps(data) if args.json else api.format_network(data))
    return 0


# -- prove, recheck, latex --------------------------------------------------------------------------------------


def prove(args) -> int:
    if args.loss is not None and args.vars:
        raise LlgdInputError("--vars goes with --objective, not with --loss")
    if args.objective is not None and not args.vars:
        raise LlgdInputError("--objective needs --vars naming its variables, e.g. --vars x,y")
    if args.objective is not None and args.mu is not None:
        raise LlgdInputError("--mu goes with --loss, not with --objective")
    result = api.prove(
        h=args.h, init=_numbers(args.init), loss=args.loss, mu=args.mu, dim=args.dim, objective=args.objective, variables=_variables(args),
        period=args.period, max_steps=args.max_steps, max_bits=args.max_bits, max_seconds=args.max_seconds,
    )
    data = result.as_json()
    if args.certificate and result.certificate is not None:
        data["certificate_file"] = api.save_certificate(result, args.certificate)
    if args.latex:
        text = api.proof_latex(result)
        print(json.dumps({**data, "latex": text}) if args.json else text)
    else:
        print(json.dumps(data) if args.json else api.format_proof(data))
    return 0 if result.proved else 1


def basin(args) -> int:
    if args.recheck is not None:
        if any(v is not None for v in (args.h, args.box, args.mu, args.vars, args.certificate, args.plot, args.out, args.scheduler, args.workers, args.cache_dir)):
            raise LlgdInputError("llgd basin --recheck FILE takes no --h, --box, --mu, --vars, --certificate, --plot, --out, --scheduler, --workers or --cache-dir")
        if args.start is not None:
            return _basin_start(args)
        result = api.recheck_basin(args.recheck)
        lines = [("valid" if result.valid else "INVALID") + f" basin certificate {args.recheck}",
                 *(f"  {outcome}: {result.leaves[outcome]} leaves, {result.fractions[outcome]} of the area" for outcome in result.leaves),
                 *(f"  - {failure}" for failure in result.failures)]
        print(json.dumps(result.as_json()) if args.json else "\n".join(lines))
        return 0 if result.valid else 1
    if args.start is not None:
        raise LlgdInputError("--start goes with --recheck FILE: it reads the outcome of one start off a basin certificate")
    if args.h is None or args.box is None:
        raise LlgdInputError("llgd basin needs --h and --box X0 X1 Y0 Y1 (or --recheck FILE)")
    if args.loss is not None and args.vars:
        raise LlgdInputError("--vars goes with --objective, not with --loss")
    if args.objective is not None and not args.vars:
        raise LlgdInputError("--objective needs --vars naming its two variables, e.g. --vars x,y")
    _counts(args, "workers")
    try:
        result = api.basin(h=args.h, box=list(args.box), loss=args.loss, mu=args.mu, objective=args.objective, variables=_variables(args),
                           depth=args.depth, bits=args.bits, max_steps=args.max_steps, scheduler=args.scheduler, workers=args.workers,
                           cache_dir=args.cache_dir, progress=not args.json and sys.stderr.isatty())
    except KeyboardInterrupt:
        print("llgd: interrupted; finished tiles are in the cache directory — run the same command again to resume" if args.cache_dir
              else "llgd: interrupted; with --cache-dir DIR the finished tiles are kept and the same command resumes", file=sys.stderr)
        return 130
    data = result.as_json(with_boxes=args.leaves)
    if args.certificate:
        data["certificate_file"] = api.save_basin_certificate(result, args.certificate)
    if args.plot:
        data["plot_file"] = api.basin_figure(result, args.plot)
    if args.out:
        data["store"] = api.save_basin_store(result, args.out)
    print(json.dumps(data) if args.json else api.format_basin(data) + "\n  " + _tiles_line(data["tiles"]))
    if "reduction" in data and not args.json:  # f = ℓ(xᵀy), n ≥ 2: the box is in reduced coordinates
        print(f"  reduction from n = {data['reduction']['dim']} (derived): the box is in (x̃, ỹ) = ({data['reduction']['coordinates']})")
    return 0


def _basin_start(args) -> int:
    """``llgd basin --recheck FILE --start X1,...,Xn,Y1,...,Yn``: the recheck, then the start's certified outcome (JSON:
    the recheck's fields and ``start``). Exit 0 when the certificate proves an outcome for the start, 1 when it leaves
    it undecided; a certificate that does not recheck certifies no start (one sentence, exit 2)."""
    numbers = _numbers(args.start)
    if len(numbers) % 2:
        raise LlgdInputError(f"--start takes X1,...,Xn,Y1,...,Yn (an even count of numbers), got {len(numbers)}")
    n = len(numbers) // 2
    answer = api.basin_outcome(args.recheck, numbers[:n], numbers[n:])
    checked = answer.recheck
    data = {**checked.as_json(), "start": {"x": numbers[:n], "y": numbers[n:], **answer.as_json()}}
    if args.json:
        print(json.dumps(data))
    else:
        kind = "n = 1: the same |x+y|, |x−y| as (x, y)" if n == 1 else f"the exact reduction from n = {n}"
        lines = [f"valid basin certificate {args.recheck}",
                 *(f"  {outcome}: {checked.leaves[outcome]} leaves, {checked.fractions[outcome]} of the area" for outcome in checked.leaves),
                 f"start x = ({', '.join(numbers[:n])}), y = ({', '.join(numbers[n:])}): {answer.outcome}",
                 f"  reduced start (x̃, ỹ) = ({answer.reduced[0]}, {answer.reduced[1]}) ({kind})",
                 f"  {answer.reason}",
                 *(f"  leaf {leaf['path'] or 'root'} [{', '.join(leaf['box'])}] ({leaf['outcome']}) meets the point {leaf['point']}" for leaf in answer.leaves)]
        print("\n".join(lines))
    return 0 if answer.outcome != "undecided" else 1


def _tiles_line(tiles: dict) -> str:
    """Where the sub-boxes of ``llgd basin`` ran, and how many were read back from --cache-dir."""
    if not tiles["tiles"]:
        return "no tiles: every leaf was decided above the tile level"
    ran = f"{tiles['computed']} computed on {tiles['scheduler']} ({tiles['workers']} worker{'s' if tiles['workers'] != 1 else ''})" if tiles["computed"] else "none computed"
    kept = f", {tiles['cached']} read back from {tiles['folder']}" if tiles["folder"] else ""
    return f"{tiles['tiles']} tiles: {ran}{kept}"


def recheck(args) -> int:
    result = api.recheck(args.file)
    data = result.as_json()
    lines = [("valid" if result.valid else "INVALID") + f" {result.outcome} certificate {args.file}", *(f"  - {failure}" for failure in result.failures)]
    print(json.dumps(data) if args.json else "\n".join(lines))
    return 0 if result.valid else 1


def latex(args) -> int:
    if _theorem_or_claim(args, "latex", args.target):
        if args.loss is not None or args.mu is not None:
            raise LlgdInputError("llgd latex --claim takes no --loss or --mu: a claim's statement does not depend on a loss")
        text = api.load_claim(args.claim).latex()
    elif args.target == "regularity":
        if not args.loss:
            raise LlgdInputError("llgd latex regularity needs --loss")
        text = latex_report.regularity_latex(api.regularity(args.loss, mu=args.mu))
    else:
        theorem = api.get_theorem(args.target)
        text = latex_report.theorem_latex(theorem, api.make_loss(args.loss, mu=args.mu) if args.loss else None)
    print(json.dumps({"latex": text}) if args.json else text)
    return 0
