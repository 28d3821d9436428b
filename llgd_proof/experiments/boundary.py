"""Claim boundaries: where a pointwise theorem holds, over h and the start, for one loss.

:func:`boundary_map` lays a lattice over (h, θ0): ``h_steps`` values of h as a fraction of the step
limit 1/(|μ|ℓ''(μ)) (2/ℓ''(0) when μ = 0) and a ``grid`` × ``grid`` lattice of starts in the box of
magnitudes |x0|, |y0| (the positive quadrant: f(x, y) = f(−x, −y), so it is the whole same-sign
picture). Every cell gets the theorem's verdict, decided by the rule :meth:`Theorem.check` uses
(:func:`~llgd_proof.theorems.base.verdict_codes`, cell by cell) but on the float64 batch engine —
``inconclusive`` if GD is undecided at the budget or the conclusion's quantities are undefined,
``hypotheses-not-met`` if a hypothesis is false or the start is exceptional (it lies already on M),
``violated`` if the conclusion is false, else ``holds`` — and the measured quantity (the EoS ratio
hS(θ∞)/2 for T3, the max loss ratio max_k f(θ_k)/f(θ0) for T5). Float64 is evidence: up to ``confirm`` violated cells (spread evenly over
the violated ones) are then re-checked with the high-precision engine and its precision self-check
(:meth:`Theorem.check`), and the map reports how many were violated again.

The lattice runs as the atlas's Dask graph of chunks (:func:`llgd_proof.scale.atlas.run_job`; the job is a
grid (h, start), like an atlas for one loss): Dask's local scheduler on this machine's cores by default,
a ``dask.distributed`` cluster with ``scheduler=ADDRESS`` (``llgd boundary --scheduler``) or the
``DASK_SCHEDULER_ADDRESS`` environment variable. Every cell's run depends on its own h and start
alone, so the verdicts are the same, cell for cell, whatever runs them.

A theorem can be mapped when its hypotheses and conclusion are computable from batch-run quantities;
its module then provides ``BATCH_FORMS[id](objective, run, arrays, parameters)``, returning three-valued
hypotheses and conclusion (1 true, 0 false, NaN undecided) computed by the same rules as the pointwise check.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy

from llgd_proof.analysis.regularity import report_for
from llgd_proof.engines.batch import STATUS_CODES
from llgd_proof.engines.phenomena import BALANCE_FRACTION
from llgd_proof.engines.stopping import Status
from llgd_proof.errors import LlgdInputError, ParameterError
from llgd_proof.scale.atlas import run_job
from llgd_proof.scale.store import CHUNK, Job, load
from llgd_proof.symbolic.losses import parse_loss_spec
from llgd_proof.symbolic.objective import product_objective
from llgd_proof.theorems import Case, Verdict, catapult, eos, get_theorem
from llgd_proof.theorems.base import CODE, VERDICTS, exceptional_starts, verdict_codes
from llgd_proof.theorems.comparative import batch_outcome

BATCH_FORMS = {**eos.BATCH_FORMS, **catapult.BATCH_FORMS}
MEASURED = {**dict.fromkeys(eos.BATCH_FORMS, eos.MEASURED), **dict.fromkeys(catapult.BATCH_FORMS, catapult.MEASURED)}
EVIDENCE_KEY = {**dict.fromkeys(eos.BATCH_FORMS, "eos_ratio"), **dict.fromkeys(catapult.BATCH_FORMS, "max_loss_ratio")}
MAX_CELLS = 2_000_000


@dataclass
class BoundaryMap:
    """Verdict codes and measured values on an (h_steps, grid, grid) lattice: axis 0 is h, axis 1 is y0, axis 2 is x0."""

    theorem_id: str
    loss: str
    mu: float  # the minimiser μ of the loss
    mu_given: str | None  # the --mu the user gave (None: the loss's default), reused for representatives
    step_limit: float
    h_fraction: tuple[float, float]
    box: tuple[float, float, float, float]
    grid: int
    fractions: numpy.ndarray  # (K,)
    x0: numpy.ndarray  # (N,)
    y0: numpy.ndarray  # (N,)
    verdict: numpy.ndarray  # (K, N, N) codes into VERDICTS
    measured: numpy.ndarray  # (K, N, N), NaN where not available
    measured_name: str
    parameters: dict
    max_steps: int
    confirmation: dict = field(default_factory=dict)

    @property
    def h_values(self) -> numpy.ndarray:
        return self.fractions * self.step_limit

    def counts(self, codes: numpy.ndarray | None = None) -> dict[str, int]:
        codes = self.verdict if codes is None else codes
        return {verdict.value: int((codes == CODE[verdict]).sum()) for verdict in VERDICTS}

    def representative(self, index: tuple[int, int, int], dps: int = 30) -> Case:
        """The exact case a cell stands for: its own h and start, written as the float64 values' shortest decimals."""
        k, j, i = index
        return Case(
            loss=self.loss,
            mu=self.mu_given,
            h=repr(float(self.h_values[k])),
            init=(repr(float(self.x0[i])), repr(float(self.y0[j]))),
            max_steps=self.max_steps,
            dps=dps,
            parameters=dict(self.parameters),
        )

    def as_json(self) -> dict:
        def values(array):
            return [[[None if not numpy.isfinite(v) else float(v) for v in row] for row in plane] for plane in array]

        return {
            "theorem": self.theorem_id,
            "loss": self.loss,
            "mu": self.mu,
            "step_limit": self.step_limit,
            "h_fraction": list(self.h_fraction),
            "box": list(self.box),
            "grid": self.grid,
            "h_steps": len(self.fractions),
            "parameters": dict(self.parameters),
            "max_steps": self.max_steps,
            "engine": "float64 batch map; violated cells re-checked at high precision",
            "cells_total": int(self.verdict.size),
            "counts": self.counts(),
            "by_h": [
                {"h_fraction": float(f), "h": float(h), "counts": self.counts(self.verdict[k])}
                for k, (f, h) in enumerate(zip(self.fractions, self.h_values))
            ],
            "confirmed": self.confirmation,
            "cells": {
                "layout": "verdict[k][j][i] and measured[k][j][i] for h_fractions[k], y0[j], x0[i]",
                "verdict_codes": [v.value for v in VERDICTS],
                "h_fractions": [float(f) for f in self.fractions],
                "x0": [float(v) for v in self.x0],
                "y0": [float(v) for v in self.y0],
                "verdict": self.verdict.astype(int).tolist(),
                "measured_name": self.measured_name,
                "measured": values(self.measured),
            },
        }


def boundary_map(
    theorem_id: str,
    *,
    loss: str,
    mu=None,
    h_fraction: tuple[float, float] = (0.1, 0.99),
    h_steps: int = 5,
    box: tuple[float, float, float, float] = (0.05, 4.0, 0.05, 4.0),
    grid: int = 30,
    parameters: dict | None = None,
    max_steps: int = 20_000,
    confirm: int = 25,
    dps: int = 30,
    scheduler: str | None = None,
    progress: bool = False,
) -> BoundaryMap:
    """Map ``theorem_id`` for ``loss`` over h ∈ ``h_fraction`` × step limit and starts in ``box`` (see module doc).

    ``scheduler``: a dask.distributed address for the lattice (default ``$DASK_SCHEDULER_ADDRESS``, else Dask's
    local scheduler); ``progress``: Dask's progress bar on stderr.
    """
    if theorem_id not in BATCH_FORMS:
        get_theorem(theorem_id)  # an unknown id gets the library's own message
        raise LlgdInputError(f"theorem {theorem_id!r} has no batch form to map; mappable: {', '.join(BATCH_FORMS)}")
    theorem = get_theorem(theorem_id)
    low, high = h_fraction
    if not 0 < low <= high:
        raise ParameterError(f"the h fractions need 0 < LO ≤ HI, got {low}:{high}")
    x_min, x_max, y_min, y_max = box
    if not (0 < x_min <= x_max and 0 < y_min <= y_max) or not numpy.all(numpy.isfinite(box)):
        raise ParameterError(f"the box gives magnitudes: it needs 0 < min ≤ max on both axes, got {list(box)}")
    if not 2 <= grid <= 1000 or not 1 <= h_steps <= 100:
        raise ParameterError(f"the grid needs 2 ≤ N ≤ 1000 and the h steps 1 ≤ K ≤ 100, got N = {grid}, K = {h_steps}")
    if h_steps * grid * grid > MAX_CELLS:
        raise ParameterError(f"{h_steps} × {grid}² cells is more than {MAX_CELLS}; use a smaller grid")
    if confirm < 0 or max_steps < 1:
        raise ParameterError("confirm must be ≥ 0 and max_steps ≥ 1")
    chosen = {**theorem.parameters, **(parameters or {})}
    unknown = set(chosen) - set(theorem.parameters)
    if unknown:
        raise ParameterError(f"theorem {theorem_id!r} has no parameter {min(unknown)!r}; it takes {', '.join(sorted(theorem.parameters)) or 'none'}")
    loss_object = parse_loss_spec(loss, mu=mu)
    objective = product_objective(loss_object)
    report = report_for(loss_object)
    limit = report.max_stable_h if loss_object.mu != 0 else 2 / report.curvature_at_minimum
    step_limit = float(limit)

    fractions = numpy.linspace(low, high, h_steps)
    x0, y0 = numpy.linspace(x_min, x_max, grid), numpy.linspace(y_min, y_max, grid)
    lattice = numpy.stack([numpy.tile(x0, grid), numpy.repeat(y0, grid)], axis=1)  # row j * grid + i is (x0[i], y0[j])
    h_values = fractions * step_limit
    delta = float(chosen.get("delta", 0.25))
    values = run_lattice(loss, mu, h_values, lattice, max_steps=max_steps, delta=delta, scheduler=scheduler, progress=progress)
    run, arrays = batch_outcome(objective, values, numpy.repeat(h_values, len(lattice)), numpy.tile(lattice, (h_steps, 1)))
    with numpy.errstate(all="ignore"):
        hypotheses, conclusion, measured = BATCH_FORMS[theorem_id](objective, run, arrays, chosen)
    codes = verdict_codes(hypotheses.values(), conclusion, settled=run.status != STATUS_CODES[Status.UNDECIDED], generic=generic_cells(run, theorem))
    shape = (h_steps, grid, grid)
    result = BoundaryMap(
        theorem_id=theorem_id,
        loss=loss,
        mu=float(loss_object.mu),
        mu_given=None if mu is None else str(mu),
        step_limit=step_limit,
        h_fraction=(float(low), float(high)),
        box=tuple(float(v) for v in box),
        grid=grid,
        fractions=fractions,
        x0=x0,
        y0=y0,
        verdict=codes.reshape(shape),
        measured=numpy.asarray(measured, dtype=float).reshape(shape),
        measured_name=MEASURED[theorem_id],
        parameters=chosen,
        max_steps=max_steps,
    )
    result.confirmation = confirm_violations(result, limit=confirm, dps=dps)
    return result


def run_lattice(loss: str, mu, h_values: numpy.ndarray, lattice: numpy.ndarray, *, max_steps: int, delta: float, scheduler: str | None = None,
                progress: bool = False) -> dict[str, numpy.ndarray]:
    """The atlas's per-start arrays for every (h, start) of ``h_values`` × ``lattice`` (N, 2), flat in that order (h major),
    computed as the atlas's Dask graph of chunks in a temporary store: a chunk holds at least one h's whole lattice
    (small lattices share a chunk), so a large map is one task per h."""
    distinct, position = numpy.unique(h_values, return_inverse=True)  # the store wants distinct h; repeated fractions share a run
    job = Job((loss,), tuple(float(v) for v in distinct), numpy.ascontiguousarray(lattice, dtype=float), None if mu is None else str(mu),
              int(max_steps), float(delta), BALANCE_FRACTION, {"kind": "boundary"}, max(CHUNK, len(lattice)))
    with tempfile.TemporaryDirectory(prefix="llgd-boundary-") as folder:
        store = Path(folder) / "boundary.zarr"
        run_job(job, store, scheduler=scheduler, progress=progress, user_named=False)
        dataset = load(store).isel(loss=0)
    return {name: numpy.asarray(dataset[name].values)[position].reshape(-1) for name in dataset.data_vars}


def generic_cells(run, theorem) -> numpy.ndarray:
    """Not on one of the :func:`~llgd_proof.theorems.base.exceptional_starts` (Theorem.check's "generic start"), per cell."""
    zero = run.initial == 0
    exceptional = exceptional_starts(run.status, run.steps, zero[:, 0], zero[:, 1], theorem.generic_start)
    return ~numpy.logical_or.reduce(list(exceptional.values()))


def confirm_violations(result: BoundaryMap, *, limit: int, dps: int = 30) -> dict:
    """Re-check up to ``limit`` violated cells (evenly spread) with the high-precision engine; count the ones violated again."""
    violated = numpy.argwhere(result.verdict == CODE[Verdict.VIOLATED])
    picked = violated[numpy.unique(numpy.linspace(0, len(violated) - 1, min(limit, len(violated))).round().astype(int))] if len(violated) and limit else []
    theorem = get_theorem(result.theorem_id)
    cases, verdicts = [], {v.value: 0 for v in VERDICTS}
    for index in picked:
        case = result.representative(tuple(int(v) for v in index), dps=dps)
        check = theorem.check(case)
        verdicts[check.verdict.value] += 1
        cases.append(
            {
                "h_fraction": float(result.fractions[index[0]]),
                "h": case.h,
                "init": list(case.init),
                "batch_measured": _finite(result.measured[tuple(index)]),
                "verdict": check.verdict.value,
                "measured": check.evidence.get(EVIDENCE_KEY[result.theorem_id]),
            }
        )
    return {
        "violated_cells": len(violated),
        "checked": len(cases),
        "confirmed": verdicts[Verdict.VIOLATED.value],
        "verdicts": verdicts,
        "dps": dps,
        "cases": cases,
    }


def _finite(value) -> float | None:
    return float(value) if numpy.isfinite(value) else None


def format_boundary(data: dict) -> str:
    """Text for ``llgd boundary``: counts overall and per h, and the high-precision re-check."""
    mu = f", μ = {data['mu']:g}"
    lines = [
        (
            f"{data['theorem']} on {data['loss']}{mu}: step limit {data['step_limit']:.6g}, h ∈ {data['h_fraction']} × limit, "
            f"box {data['box']}, {data['grid']}×{data['grid']} starts per h, {data['cells_total']} cells (float64 batch)"
        ),
        "counts: " + ", ".join(f"{name} {value}" for name, value in data["counts"].items()),
    ]
    for row in data["by_h"]:
        lines.append(f"  h = {row['h_fraction']:.3f} × limit = {row['h']:.6g}: " + ", ".join(f"{k} {v}" for k, v in row["counts"].items()))
    confirmed = data["confirmed"]
    lines.append(
        f"high precision ({confirmed['dps']} digits, self-checked): re-checked {confirmed['checked']} of {confirmed['violated_cells']} violated cells, "
        f"violated again {confirmed['confirmed']}"
        + (f" ({', '.join(f'{k} {v}' for k, v in confirmed['verdicts'].items() if v)})" if confirmed["checked"] else "")
    )
    if data.get("plot"):
        lines.append(f"figure: {data['plot']}")
    return "\n".join(lines)
