"""Certified basins of attraction: the API behind ``llgd basin`` (see :mod:`llgd_proof.proofs.basin` and
:mod:`llgd_proof.checker.basins`).

>>> from llgd_proof import api
>>> result = api.basin(loss="quadratic", mu="1", h="0.5", box=["0.2", "0.6", "0.2", "0.6"], depth=2)
>>> result.valid, result.leaves["converges"] > 0
(True, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from fractions import Fraction

from llgd_proof.api._checks import (
    ArgumentError,
    _flag,
    _integer,
    _names,
    _optional_integer,
    _path,
    _prove_number,
    _scheduler,
    _shown,
    _text,
)
from llgd_proof.checker import basins as _checker
from llgd_proof.checker import reduction as _reduction
from llgd_proof.checker import write as _write
from llgd_proof.errors import ExpressionError
from llgd_proof.proofs import basin as _basin
from llgd_proof.proofs.basin import BasinResult

MAX_DEPTH = 16
MAX_BASIN_STEPS = 100_000
BITS = (64, 128, 256, 512, 1024)


def _loss_of(objective: str, variables) -> tuple[str, int]:
    """ℓ(s) as exact text, and n, when sympy proves the objective is ℓ(xᵀy) in ``variables`` = x1..xn, y1..yn
    (:func:`llgd_proof.symbolic.recognise.as_product`; n = 1: ℓ(xy) in x, y)."""
    from llgd_proof.symbolic.expressions import to_text
    from llgd_proof.symbolic.objective import general_objective
    from llgd_proof.symbolic.recognise import as_product

    names = _names(variables, "the variables")
    if len(names) % 2:
        raise ArgumentError(f"basins are for f = ℓ(xᵀy) in variables x1..xn, y1..yn (an even number); got {len(names)} variables")
    n = len(names) // 2
    recognised = as_product(general_objective(_text(objective, "the objective"), names))
    if recognised is None or recognised.dim != n:
        product = f"{names[0]}*{names[1]}" if n == 1 else " + ".join(f"{a}*{b}" for a, b in zip(names[:n], names[n:]))
        raise ArgumentError(f"basins are for f = ℓ(xᵀy): sympy does not rewrite {_shown(objective)} as a function of {product}")
    try:
        return to_text(recognised.loss.expr), n
    except ExpressionError as error:
        raise ArgumentError(f"the recognised loss cannot be written exactly for a certificate: {error}") from None


@dataclass
class ReducedBasinResult(BasinResult):
    """A :class:`BasinResult` for f = ℓ(xᵀy), n ≥ 2: the two-variable basin of ℓ, its box read in the reduced
    coordinates (x̃, ỹ) of :mod:`llgd_proof.checker.reduction` (``reduction`` says so; the JSON carries it)."""

    reduction: dict = field(default_factory=dict)

    def as_json(self, with_boxes: bool = False) -> dict:
        return {**super().as_json(with_boxes), "reduction": self.reduction}


def _reduced(result: BasinResult, n: int) -> ReducedBasinResult:
    reduction = {"dim": n, "coordinates": _reduction.COORDINATES, "provenance": "derived",
                 "meaning": "a point (a, b) of the box stands for every start (x, y) in R^n x R^n with |x+y| = |a+b| and |x-y| = |a-b|"}
    return ReducedBasinResult(**{f.name: getattr(result, f.name) for f in fields(result)}, reduction=reduction)


def basin(
    *,
    h,
    box: Sequence,
    loss: str | None = None,
    mu=None,
    objective: str | None = None,
    variables: Sequence[str] = (),
    depth: int = _basin.DEFAULT_DEPTH,
    bits: int = _basin.DEFAULT_BITS,
    max_steps: int = _basin.DEFAULT_MAX_STEPS,
    scheduler: str | None = None,
    workers: int | None = None,
    cache_dir=None,
    progress: bool = False,
) -> BasinResult:
    """Certified outcomes of GD on f = ℓ(xy) for every start of ``box`` = [x0, x1, y0, y1] at step ``h``.

    The box is subdivided (a quadtree, at most ``depth`` levels) and each leaf is proved ``converges`` (its
    enclosure enters theory T6's contraction region), ``diverges`` (it enters an escape region), ``periodic`` (it
    enters a box that provably attracts a periodic orbit which is not a minimiser, so GD does not converge; both
    lemmas are in :mod:`llgd_proof.checker.basins`) or left ``undecided``. The result holds the leaf counts, the
    certified area fractions (lower bounds for converges, diverges and periodic), the leaves as boxes and the
    certificate, which the
    independent checker has already re-verified (:func:`recheck_basin` does it again from a file). Numbers are
    read exactly: pass decimal strings. ``objective`` (with two ``variables``) is accepted when sympy proves it
    is ℓ(xy); with ``variables`` x1..xn, y1..yn (n ≥ 2) when sympy proves it is ℓ(xᵀy) — the certificate is
    then the two-variable basin of ℓ, the box is read in the reduced coordinates (x̃, ỹ) =
    ((|x+y| + |x−y|)/2, (|x+y| − |x−y|)/2) and the result is a :class:`ReducedBasinResult` (exact reduction:
    :mod:`llgd_proof.checker.reduction`; :func:`basin_outcome` answers a start in ℝⁿ × ℝⁿ).

    The sub-boxes of the quadtree's level 3 (tiles) are the tasks of one Dask graph, run as ``llgd atlas`` runs its
    chunks: by default on one local worker process per core (``workers`` of them), ``scheduler`` ``"threads"`` or
    ``"sync"`` for Dask's other local schedulers, or the address of a dask.distributed cluster (default
    ``DASK_SCHEDULER_ADDRESS``). With ``cache_dir`` each finished tile is kept there (keyed by the inputs) and the
    same call again skips it; ``progress`` shows Dask's progress bar on stderr. The certificate is the same whatever
    runs it, resumed or not (docs/basins.md, "Running in parallel and resuming").
    """
    if (loss is None) == (objective is None):
        raise ArgumentError("give exactly one of a loss or an objective that is ℓ(xy)")
    if objective is not None and mu is not None:
        raise ArgumentError("mu goes with a loss, not with a general objective")
    if loss is not None and not (variables is None or (isinstance(variables, (list, tuple)) and not variables)):
        raise ArgumentError("variables go with a general objective, not with a loss")
    if isinstance(box, (str, bytes)) or not isinstance(box, Sequence) or len(box) != 4:
        raise ArgumentError(f"the box must be four numbers [x0, x1, y0, y1], got {_shown(box)}")
    corners = [_prove_number(v, "each corner of the box") for v in box]
    if not all(isinstance(c, str) for c in corners):
        corners = [str(c) for c in corners]
    try:
        exact = [Fraction(c) for c in corners]
    except (ValueError, ZeroDivisionError):
        raise ArgumentError(f"the box must be exact decimals, got {_shown(corners)}") from None
    if not (exact[0] < exact[1] and exact[2] < exact[3]):
        raise ArgumentError(f"the box [x0, x1, y0, y1] needs x0 < x1 and y0 < y1, got {corners}")
    if bits not in BITS or isinstance(bits, bool):
        raise ArgumentError(f"bits must be one of {', '.join(map(str, BITS))}, got {_shown(bits)}")
    arguments = {
        "h": str(_prove_number(h, "the step h", positive=True)),
        "box": corners,
        "mu": None if mu is None else str(_prove_number(mu, "mu")),
        "depth": _integer(depth, "the depth", 0, MAX_DEPTH),
        "bits": bits,
        "max_steps": _integer(max_steps, "the step budget", 1, MAX_BASIN_STEPS),
        "scheduler": _scheduler(scheduler),
        "workers": _optional_integer(workers, "workers", 1, 4096),
        "cache_dir": _path(cache_dir, "cache_dir"),
        "progress": _flag(progress, "progress (Dask's progress bar)"),
    }
    text, n = (_text(loss, "the loss"), 1) if loss is not None else _loss_of(objective, variables)
    result = _basin.basin(loss=text, **arguments)
    return result if n == 1 else _reduced(result, n)


def save_basin_certificate(result: BasinResult, path) -> str:
    """Write the basin certificate of ``result`` (JSON) to ``path``; returns ``path``."""
    if not isinstance(result, BasinResult):
        raise ArgumentError(f"expected a BasinResult from api.basin, got {type(result).__name__}")
    _write(_path(path, "the certificate file", allow_none=False), result.certificate)
    return path


def recheck_basin(path) -> _checker.BasinRecheck:
    """Re-verify the basin certificate in the file ``path`` through the independent checker."""
    return _checker.recheck_basin(_checker.load_basin(_path(path, "the certificate file", allow_none=False)))


CODES = ("converges", "diverges", "undecided", "periodic")
"""The outcome codes of :func:`basin_dataset` (periodic, added later, is 3, so the older codes keep their meaning)."""


def basin_outcome(path_or_certificate, x: Sequence, y: Sequence) -> _reduction.StartOutcome:
    """The outcome a basin certificate proves for GD on f = ℓ(xᵀy) from the start (x, y), x, y ∈ ℝⁿ (n ≥ 1).

    ``path_or_certificate`` is a certificate file, a certificate (dict) or a :class:`BasinResult`; ℓ, μ and h are
    the certificate's. The certificate is first re-verified by the independent checker (an invalid one is an
    error: it certifies nothing); then the start is reduced exactly to two variables and read off the leaves
    (:mod:`llgd_proof.checker.reduction`). The answer is ``converges`` (to a minimiser with xᵀy = μ*),
    ``diverges`` (‖θ_k‖ → ∞) or ``undecided``. Coordinates are read exactly: pass decimal strings.

    >>> from llgd_proof import api
    >>> result = api.basin(loss="quadratic", mu="1", h="0.5", box=["0.8", "1.2", "0.6", "1"], depth=1)
    >>> api.basin_outcome(result, ["0.7", "0.6"], ["0.6", "0.5"]).outcome
    'converges'
    """
    if isinstance(path_or_certificate, BasinResult):
        certificate = path_or_certificate.certificate
    elif isinstance(path_or_certificate, dict):
        certificate = path_or_certificate
    else:
        certificate = _checker.load_basin(_path(path_or_certificate, "the certificate file", allow_none=False))
    start = []
    for name, vector in (("x", x), ("y", y)):
        if isinstance(vector, (str, bytes)) or not isinstance(vector, Sequence) or not vector:
            raise ArgumentError(f"the start's {name} must be a non-empty sequence of numbers such as ['1.2', '0.5'], got {_shown(vector)}")
        if len(vector) > _reduction.MAX_DIM:
            raise ArgumentError(f"the start's {name} has {len(vector)} coordinates; at most {_reduction.MAX_DIM} are accepted")
        numbers = [_prove_number(v, f"each coordinate of the start's {name}") for v in vector]
        start.append([v if isinstance(v, str) else str(v) for v in numbers])
    if len(start[0]) != len(start[1]):
        raise ArgumentError(f"the start's x and y must have the same length n, got {len(start[0])} and {len(start[1])}")
    for vector in start:
        for value in vector:
            try:
                Fraction(value)
            except (ValueError, ZeroDivisionError):
                raise ArgumentError(f"each coordinate of the start must be an exact decimal, got {_shown(value)}") from None
    return _reduction.certified_outcome(certificate, *start)


def basin_dataset(result: BasinResult):
    """The leaves of ``result`` as an xarray Dataset (dimension ``leaf``: the box corners as floats — the exact
    decimals are in the certificate — the outcome as a code 0 converges, 1 diverges, 2 undecided, 3 periodic
    (:data:`CODES`; the variable's ``codes`` attribute lists them in order), and K), with the inputs and the
    fractions as attributes."""
    import numpy
    import xarray

    if not isinstance(result, BasinResult):
        raise ArgumentError(f"expected a BasinResult from api.basin, got {type(result).__name__}")
    corners = numpy.array([[float(v) for v in leaf["box"]] for leaf in result.boxes]).reshape(-1, 4)
    variables = {name: ("leaf", corners[:, i]) for i, name in enumerate(("x0", "x1", "y0", "y1"))}
    codes = {outcome: i for i, outcome in enumerate(CODES)}
    variables["outcome"] = ("leaf", numpy.array([codes[leaf["outcome"]] for leaf in result.boxes], dtype=numpy.int8), {"codes": ",".join(CODES)})
    variables["steps"] = ("leaf", numpy.array([leaf.get("steps", -1) for leaf in result.boxes], dtype=numpy.int64))
    attributes = {"loss": result.inputs["loss"], "mu": result.inputs["mu"] or "", "h": result.inputs["h"], "box": list(result.inputs["box"]),
                  "depth": result.depth, **{f"certified_{k}": v for k, v in result.fractions.items()}}
    return xarray.Dataset(variables, attrs=attributes)


def save_basin_store(result: BasinResult, path) -> str:
    """Write :func:`basin_dataset` to the Zarr store ``path`` (replaced when it exists); returns ``path``."""
    path = _path(path, "the Zarr store", allow_none=False)
    dataset = basin_dataset(result)
    dataset.attrs["box"] = ",".join(dataset.attrs["box"])
    dataset.to_zarr(path, mode="w", consolidated=False)
    return path


COLOURS = {"converges": "#2b8cbe", "diverges": "#d7301f", "periodic": "#41ab5d", "undecided": "#d9d9d9"}


def basin_figure(result: BasinResult, path) -> str:
    """Draw the leaves of ``result`` coloured by their proved outcome (undecided in grey) into ``path`` (PNG, PDF or SVG)."""
    if not isinstance(result, BasinResult):
        raise ArgumentError(f"expected a BasinResult from api.basin, got {type(result).__name__}")
    path = _path(path, "the figure file", allow_none=False)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    figure, axes = plt.subplots(figsize=(6, 6))
    for leaf in result.boxes:
        x0, x1, y0, y1 = (float(v) for v in leaf["box"])
        axes.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor=COLOURS[leaf["outcome"]], edgecolor="white", linewidth=0.1))
    box = [float(v) for v in result.inputs["box"]]
    axes.set_xlim(box[0], box[1])
    axes.set_ylim(box[2], box[3])
    axes.set_xlabel("$x_0$")
    axes.set_ylabel("$y_0$")
    axes.set_aspect("equal")
    axes.set_title(f"{result.inputs['loss']}, h = {result.inputs['h']}: proved outcomes")
    axes.legend(handles=[Patch(color=COLOURS[o], label=f"{o} ({result.fractions[o]})") for o in COLOURS], loc="upper right", fontsize=8)
    figure.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(figure)
    return path


def format_basin(data: dict) -> str:
    """The text of ``llgd basin``: leaf counts and certified fractions (``data`` is :meth:`BasinResult.as_json`)."""
    if not (isinstance(data, dict) and {"inputs", "leaves", "fractions", "valid", "seconds", "work"} <= set(data)):
        raise ArgumentError("format_basin takes the as_json() of a BasinResult from api.basin")
    inputs = data["inputs"]
    lines = [f"basin of {inputs['loss']}" + (f" (mu = {inputs['mu']})" if inputs.get("mu") else "") + f", h = {inputs['h']}, box x ∈ [{inputs['box'][0]}, {inputs['box'][1]}], y ∈ [{inputs['box'][2]}, {inputs['box'][3]}]"]
    for outcome in _checker.OUTCOMES:
        bound = "at most" if outcome == "undecided" else "at least"
        lines.append(f"  {outcome:<10} {data['leaves'][outcome]:>7} leaves, {bound} {data['fractions'][outcome]} of the area")
    lines.append(f"  certificate {'rechecked' if data['valid'] else 'INVALID'}; {data['seconds']} s, {data['work']} ball steps")
    return "\n".join(lines)


__all__ = ["BasinResult", "ReducedBasinResult", "basin", "basin_dataset", "basin_figure", "basin_outcome", "format_basin", "recheck_basin", "save_basin_certificate", "save_basin_store"]
