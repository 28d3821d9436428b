"""Figures for the atlas and the sweep (matplotlib, headless)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from .atlas import AtlasResult
from .batch import STATUS_CODES
from .dynamics import Status

OUTCOMES = [
    ("converged at EoS", "#1b7837"),
    ("converged below EoS", "#a6dba0"),
    ("periodic", "#f1a340"),
    ("diverged", "#b2182b"),
    ("undecided", "#bababa"),
]


def _outcome_codes(entry) -> numpy.ndarray:
    status = entry.run.status
    codes = numpy.full(len(status), 4)
    converged = status == STATUS_CODES[Status.CONVERGED]
    codes[converged & entry.phenomena["eos"]] = 0
    codes[converged & ~entry.phenomena["eos"]] = 1
    codes[status == STATUS_CODES[Status.PERIODIC]] = 2
    codes[status == STATUS_CODES[Status.DIVERGED]] = 3
    return codes


def atlas_figure(result: AtlasResult, path: str) -> str:
    """Grid: basin maps (start plane coloured by outcome) side by side; samples: bar charts of the fractions."""
    count = len(result.losses)
    if result.mode == "grid":
        figure, axes = plt.subplots(1, count, figsize=(3.6 * count + 0.4, 3.8), squeeze=False, constrained_layout=True)
        xs, ys = result.starts[:, 0], result.starts[:, 1]
        side = round(numpy.sqrt(len(xs)))
        extent = [xs.min(), xs.max(), ys.min(), ys.max()]
        colours = ListedColormap([colour for _, colour in OUTCOMES])
        for axis, entry in zip(axes[0], result.losses):
            image = _outcome_codes(entry).reshape(side, side)
            axis.imshow(image, origin="lower", extent=extent, aspect="auto", cmap=colours, vmin=-0.5, vmax=4.5, interpolation="nearest")
            if result.log_scale and result.same_sign:
                axis.set_xscale("log")
                axis.set_yscale("log")
            summary = entry.summary()
            axis.set_title(f"{entry.spec} ({entry.regularity_class})\nconverged {summary['fractions']['converged']:.0%}", fontsize=9)
            axis.set_xlabel("$x_0$")
        axes[0][0].set_ylabel("$y_0$")
        figure.legend(handles=[Patch(color=c, label=label) for label, c in OUTCOMES], loc="outside lower center", ncol=5, fontsize=8)
        figure.suptitle(f"GD outcome by start, h = {result.h:g}", fontsize=10)
    else:
        figure, axis = plt.subplots(figsize=(max(6, 1.6 * count + 3), 3.8), constrained_layout=True)
        labels = ["converged", "diverged", "periodic", "EoS | conv.", "catapult | conv.", "balancing | conv."]
        width = 0.8 / count
        for i, entry in enumerate(result.losses):
            summary = entry.summary()
            values = [summary["fractions"][k] for k in ("converged", "diverged", "periodic")]
            values += [summary["among_converged"][k] or 0.0 for k in ("eos", "catapult", "balancing")]
            axis.bar(numpy.arange(len(labels)) + (i - (count - 1) / 2) * width, values, width, label=f"{entry.spec} ({entry.regularity_class})")
        axis.set_xticks(numpy.arange(len(labels)), labels, fontsize=8)
        axis.set_ylim(0, 1.05)
        axis.set_ylabel("fraction of starts")
        axis.legend(fontsize=8)
        axis.set_title(f"{len(result.starts)} starts, h = {result.h:g}", fontsize=10)
    figure.savefig(path, dpi=150)
    plt.close(figure)
    return path


def sweep_figure(data: dict, path: str) -> str:
    """Four panels over h: limit / orbit points (bifurcation diagram), EoS ratio, largest loss ratio, final imbalance."""
    rows = data["rows"]
    h = numpy.array([row["h"] for row in rows])
    figure, axes = plt.subplots(2, 2, figsize=(9, 6.5), sharex=True, constrained_layout=True)
    colour = {"converged": "#1b7837", "periodic": "#f1a340", "diverged": "#b2182b", "undecided": "#bababa"}
    for row in rows:
        points = row["limit"] if row["status"] == "periodic" else ([row["limit"]] if row["limit"] else [])
        for point in points or []:
            axes[0][0].plot(row["h"], point[0], ".", color=colour[row["status"]], markersize=3)
        if row["status"] == "diverged":
            axes[0][0].axvline(row["h"], color=colour["diverged"], alpha=0.15, linewidth=1)
    axes[0][0].set_ylabel("$x_\\infty$ (orbit points)")
    axes[0][0].set_title("limit or orbit (red bands: diverged)", fontsize=9)
    for axis, key, label in ((axes[0][1], "eos_ratio", "EoS ratio $hS_\\infty/2$"), (axes[1][0], "max_loss_ratio", "max loss / initial loss"), (axes[1][1], "imbalance_final", "final imbalance $x^2-y^2$")):
        values = numpy.array([numpy.nan if row[key] is None else row[key] for row in rows], dtype=float)
        axis.plot(h, values, "-o", markersize=2.5)
        axis.set_ylabel(label)
    axes[0][1].axhline(1, color="k", linewidth=0.8, linestyle=":")
    axes[1][0].set_yscale("log")
    for axis in axes[1]:
        axis.set_xlabel("h")
    figure.suptitle(f"{data['loss']} from {tuple(data['init'])}", fontsize=10)
    figure.savefig(path, dpi=150)
    plt.close(figure)
    return path
