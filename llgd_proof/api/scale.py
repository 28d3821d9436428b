"""Many runs at once: the atlas, sweeps, per-start arrays, the boundary map of a theorem, the network experiment,
and their figures — the API behind ``llgd atlas``, ``sweep``, ``boundary`` and ``nn``."""

from __future__ import annotations

from collections.abc import Sequence

from llgd_proof.api._checks import (
    MAX_SEED,
    MAX_STEPS,
    ArgumentError,
    _atlas_options,
    _flag,
    _float_mu,
    _integer,
    _name,
    _names,
    _number,
    _pair,
    _pairs,
    _parameters,
    _path,
    _scheduler,
    _start,
    _steps,
    _text,
    _theorem,
)
from llgd_proof.experiments import boundary as _boundary
from llgd_proof.experiments import networks as _networks
from llgd_proof.experiments.boundary import BoundaryMap
from llgd_proof.experiments.networks import NetworkRun
from llgd_proof.scale import atlas as _atlas
from llgd_proof.scale import summary as _summary
from llgd_proof.scale.atlas import AtlasResult


def atlas(losses, h, **options) -> AtlasResult:
    """The atlas of ``losses`` at step ``h`` (see :func:`llgd_proof.scale.atlas.atlas`); a single string is one loss."""
    return _atlas.atlas(_names(losses, "the losses"), _steps(h), **_atlas_options(options))


_SWEEP_OPTIONS = {"mu", "max_steps", "confirm", "seed", "out", "scheduler"}


def sweep(loss: str, h_values, init, **options) -> dict:
    """One start over many steps h (see :func:`llgd_proof.scale.atlas.sweep`)."""
    steps = _steps(h_values, "h_values")
    if not isinstance(steps, list):
        raise ArgumentError("h_values must be a non-empty sequence of positive numbers")
    start = [float(v) for v in _start(init)]
    return _atlas.sweep(_text(loss, "the loss"), steps, start, **_atlas_options(options, _SWEEP_OPTIONS, "api.sweep"))


_RUN_STARTS_OPTIONS = {"mu", "max_steps", "scheduler", "workers", "delta", "balance_fraction"}


def run_starts(spec: str, h, starts, **options):
    """Per-start arrays for one loss (see :func:`llgd_proof.scale.atlas.run_starts`): ``h`` one step or one per start,
    ``starts`` a sequence (or array) of (x0, y0) pairs; ``store`` a Zarr store to keep them in."""
    store = _path(options.pop("store", None), "store (the Zarr store)")
    checked = _atlas_options(options, _RUN_STARTS_OPTIONS, "api.run_starts")
    points = _pairs(starts)
    steps = _steps(h)
    if isinstance(steps, list) and len(steps) != len(points):
        raise ArgumentError(f"h must be one step or one per start ({len(points)}), got {len(steps)} steps")
    return _atlas.run_starts(_text(spec, "the loss"), steps, points, store=store, **checked)



def atlas_summary(dataset) -> dict:
    """The JSON summary of an atlas Dataset from :func:`atlas` (see :func:`llgd_proof.scale.summary.atlas_summary`)."""
    import xarray

    if not isinstance(dataset, xarray.Dataset) or "llgd" not in dataset.attrs:
        raise ArgumentError(f"atlas_summary takes the Dataset returned by api.atlas, got {type(dataset).__name__}")
    return _summary.atlas_summary(dataset)



def boundary(
    theorem: str,
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
    scheduler: str | None = None,
    progress: bool = False,
) -> BoundaryMap:
    """Where a pointwise theorem (eos, eos-v1, catapult, catapult-v1) holds over h ∈ ``h_fraction`` × the step limit and
    a ``grid`` × ``grid`` lattice of starts in ``box`` = (x_low, x_high, y_low, y_high), its violations re-checked at
    high precision (see :mod:`llgd_proof.experiments.boundary`)."""
    theorem_id = _theorem(theorem).id
    if isinstance(box, (str, bytes)) or not isinstance(box, Sequence) or len(box) != 4:
        raise ArgumentError(f"box must be (x_low, x_high, y_low, y_high), got {type(box).__name__}")
    corners = tuple(float(_number(value, "each corner of the box")) for value in box)
    return _boundary.boundary_map(
        theorem_id, loss=_text(loss, "the loss"), mu=_float_mu(mu),
        h_fraction=_pair(h_fraction, "the h fraction", positive=True), h_steps=_integer(h_steps, "the number of h values", 1, 100),
        box=corners, grid=_integer(grid, "the grid", 2, 1000), parameters=_parameters(parameters),
        max_steps=_integer(max_steps, "the step budget", 1, MAX_STEPS), confirm=_integer(confirm, "confirm", 0, 10**6),
        scheduler=_scheduler(scheduler), progress=_flag(progress, "progress"),
    )


def network(
    *,
    loss: str,
    activation: str,
    steps: int,
    h=None,
    h_multiple=None,
    batch_norm: bool = False,
    width: int = 200,
    samples: int = 1000,
    init_norms: tuple[float, float] = (6.0, 20.0),
    seed: int = 0,
    sharpness_every: int = 40,
    cache_dir=None,
) -> NetworkRun:
    """The network experiment of theory §6 (full-batch GD, sharpness on the way; needs the [nn] extra): give exactly one
    of ``h`` and ``h_multiple`` (h = M · 2/S0). See :mod:`llgd_proof.experiments.networks`."""
    step = {name: None if value is None else float(_number(value, name, positive=True)) for name, value in (("h", h), ("h_multiple", h_multiple))}
    if isinstance(init_norms, (str, bytes)) or not isinstance(init_norms, Sequence) or len(init_norms) != 2:
        raise ArgumentError(f"init_norms must be two numbers (the norms of W1, W2), got {type(init_norms).__name__}")
    norms = tuple(float(_number(value, "each of init_norms", positive=True)) for value in init_norms)
    config = _networks.NetworkConfig(
        loss=_name(loss, "the loss"), activation=_name(activation, "the activation"), batch_norm=_flag(batch_norm, "batch_norm"), **step,
        steps=_integer(steps, "the number of steps", 1, 1_000_000), width=_integer(width, "the width", 1, 100_000),
        samples=_integer(samples, "the number of samples", 10, 1797), init_norms=norms, seed=_integer(seed, "the seed", 0, MAX_SEED),
        sharpness_every=_integer(sharpness_every, "sharpness_every", 1, 1_000_000),
    )
    return _networks.run_network(config, cache_dir=_path(cache_dir, "cache_dir"))


def figure(result, path) -> str:
    """Draw ``result`` into the image file ``path`` (PNG, PDF or SVG) and return ``path``: an atlas Dataset (basin maps,
    bar charts or fractions against h), a sweep's dict, a :class:`BoundaryMap` or a :class:`NetworkRun`."""
    import xarray

    path = _path(path, "the figure file", allow_none=False)
    if isinstance(result, xarray.Dataset) and "llgd" in result.attrs:
        from llgd_proof.report.plots import atlas_figure

        return atlas_figure(result, path)
    if isinstance(result, dict) and "rows" in result:
        from llgd_proof.report.plots import sweep_figure

        return sweep_figure(result, path)
    if isinstance(result, BoundaryMap):
        from llgd_proof.experiments.boundary_plots import boundary_figure

        return boundary_figure(result, path)
    if isinstance(result, NetworkRun):
        return _networks.network_figure(result, path)
    raise ArgumentError(f"figure draws an atlas Dataset, a sweep, a BoundaryMap or a NetworkRun, got {type(result).__name__}")
