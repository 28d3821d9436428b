"""Summaries of an atlas Dataset (fractions per outcome and phenomenon) and high-precision confirmation of its points."""

from __future__ import annotations

import mpmath
import numpy

from llgd_proof.engines.batch import STATUS_CODES, STATUS_NAMES
from llgd_proof.engines.precise import gradient_descent
from llgd_proof.engines.stopping import Status
from llgd_proof.symbolic.objective import Objective

STATUSES = [Status.CONVERGED, Status.STATIONARY, Status.DIVERGED, Status.PERIODIC, Status.UNDECIDED]  # the order of the counts in a summary


def _as_grid(dataset: xarray.Dataset, side: int) -> xarray.Dataset:
    """Reshape ``sample`` (row-major over y0, then x0) into dims (y0, x0)."""
    import xarray

    xs, ys = dataset.x0.values[:side], dataset.y0.values[::side]
    reshaped = {}
    for name, variable in dataset.data_vars.items():
        shape = variable.shape[:-1] + (side, side)
        reshaped[name] = (variable.dims[:-1] + ("y0", "x0"), variable.values.reshape(shape), variable.attrs)
    return xarray.Dataset(reshaped, coords={"loss": dataset.loss.values, "h": dataset.h.values, "y0": ys, "x0": xs}, attrs=dataset.attrs)


def _flat(values: xarray.DataArray) -> numpy.ndarray:
    return numpy.asarray(values).reshape(-1)


def entry_summary(dataset: xarray.Dataset, spec: str, h: float) -> dict:
    """Today's per-loss summary fields for one (loss, h) slice of an atlas Dataset."""
    info = dataset.attrs["llgd"]
    part = dataset.sel(loss=spec)
    if "h" in part.dims:
        part = part.sel(h=h)
    status = _flat(part.status)
    converged = status == STATUS_CODES[Status.CONVERGED]
    among = {name: (float(numpy.mean(_flat(part[name])[converged])) if converged.any() else None) for name in ("eos", "catapult", "balancing")}
    ratios = _flat(part.eos_ratio)[converged]
    count = len(status)
    counts = {status_.value: int(numpy.sum(status == STATUS_CODES[status_])) for status_ in STATUSES}
    return {
        "loss": spec,
        "h": h,
        "description": info["descriptions"][spec],
        "regularity_class": info["classes"][spec],
        "starts": count,
        "counts": counts,
        "fractions": {name: value / count if count else 0.0 for name, value in counts.items()},
        "among_converged": among,
        "median_eos_ratio": float(numpy.median(ratios)) if len(ratios) else None,
        "confirm": info["confirm"].get(f"{spec}@{h!r}"),
    }


def atlas_summary(dataset: xarray.Dataset) -> dict:
    """The ``--json`` summary of an atlas Dataset: today's fields, ``h`` a number (or a list for several steps)."""
    info = dataset.attrs["llgd"]
    h_values = info["h"]
    entries = [entry_summary(dataset, str(spec), h) for h in h_values for spec in dataset.loss.values]
    return {
        "h": h_values[0] if len(h_values) == 1 else h_values,
        "box": info["box"],
        "mode": info["mode"],
        "resolution": info["resolution"],
        "log_box": info["log_box"],
        "same_sign": info["same_sign"],
        "seed": info["seed"],
        "max_steps": info["max_steps"],
        "delta": info["delta"],
        "balance_fraction": info["balance_fraction"],
        "losses": entries,
        "cache": info["cache"],
        "out": info["out"],
        "elapsed_seconds": round(info["elapsed_seconds"], 2),
    }


def confirm_points(objective: Objective, part: xarray.Dataset, count: int, *, seed: int = 0, max_steps: int = 20_000, dps: int = 30) -> dict:
    """Re-run ``count`` random starts of one (loss, h) slice with the mpmath engine: same status (and limit, when converged)?"""
    status = _flat(part.status)
    x0, y0 = numpy.broadcast_arrays(part.x0.values[None, :], part.y0.values[:, None]) if "x0" in part.dims else (part.x0.values, part.y0.values)
    x0, y0, final_x, final_y = _flat(x0), _flat(y0), _flat(part.final_x), _flat(part.final_y)
    h = float(part.h)
    rng = numpy.random.default_rng(seed + 1)
    chosen = rng.choice(len(status), size=min(count, len(status)), replace=False)
    agree, disagreements = 0, []
    for index in chosen:
        high = gradient_descent(objective, h, [float(x0[index]), float(y0[index])], dps=dps, max_steps=max_steps, tolerance=mpmath.mpf("1e-10"))
        batch_status = STATUS_NAMES[int(status[index])]
        same = high.status.value == batch_status
        if same and high.status is Status.CONVERGED:
            same = numpy.allclose([float(v) for v in high.final], [final_x[index], final_y[index]], rtol=1e-6, atol=1e-8)
        agree += same
        if not same:
            disagreements.append({"start": [float(x0[index]), float(y0[index])], "batch": batch_status, "mpmath": high.status.value})
    return {"checked": len(chosen), "agreement": agree / len(chosen) if len(chosen) else None, "disagreements": disagreements[:5]}
