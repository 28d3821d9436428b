"""Figures for claim boundaries (matplotlib, headless): verdict maps and measured ratios per h."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from llgd_proof.experiments.boundary import VERDICTS, BoundaryMap

COLOURS = {"holds": "#1b7837", "violated": "#d73027", "hypotheses-not-met": "#d9d9d9", "inconclusive": "#737373"}
MAX_PANELS = 6


def boundary_figure(result: BoundaryMap, path: str, *, dpi: int = 80) -> str:
    """Top row: the verdict of each start per h; bottom row: the measured ratio. Returns ``path``."""
    count = len(result.fractions)
    shown = numpy.unique(numpy.linspace(0, count - 1, min(count, MAX_PANELS)).round().astype(int))
    figure, axes = plt.subplots(2, len(shown), figsize=(2.5 * len(shown) + 0.8, 5.0), squeeze=False, constrained_layout=True)
    extent = [result.x0[0], result.x0[-1], result.y0[0], result.y0[-1]]
    colours = ListedColormap([COLOURS[v.value] for v in VERDICTS])
    finite = result.measured[numpy.isfinite(result.measured)]
    is_eos = result.theorem_id.startswith("eos")
    low, high = (0.0, 1.0) if is_eos else (1.0, max(2.0, float(numpy.percentile(finite, 95))) if len(finite) else 2.0)
    image = None
    for column, k in enumerate(shown):
        top, bottom = axes[0][column], axes[1][column]
        top.imshow(result.verdict[k], origin="lower", extent=extent, aspect="auto", cmap=colours, vmin=-0.5, vmax=3.5, interpolation="nearest")
        top.set_title(f"h = {result.fractions[k]:.2f} × limit", fontsize=9)
        image = bottom.imshow(result.measured[k], origin="lower", extent=extent, aspect="auto", cmap="viridis", vmin=low, vmax=high, interpolation="nearest")
        for axis in (top, bottom):
            axis.tick_params(labelsize=7)
            axis.set_xlabel("x0", fontsize=8)
        if column == 0:
            top.set_ylabel("y0", fontsize=8)
            bottom.set_ylabel("y0", fontsize=8)
    handles = [Patch(color=COLOURS[v.value], label=v.value) for v in VERDICTS]
    axes[0][-1].legend(handles=handles, fontsize=7, loc="upper right", framealpha=0.9)
    figure.colorbar(image, ax=axes[1].tolist(), shrink=0.9, label=result.measured_name)
    confirmed = result.confirmation
    mu = f", μ = {result.mu:g}"
    figure.suptitle(
        f"{result.theorem_id}: {result.loss}{mu} — violated {result.counts()['violated']} of {result.verdict.size} cells"
        f" (re-checked {confirmed.get('checked', 0)}, violated again {confirmed.get('confirmed', 0)})",
        fontsize=9,
    )
    figure.savefig(path, dpi=dpi)
    plt.close(figure)
    return path
