"""Figures for the atlas and the sweep (matplotlib, headless)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy
import xarray
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from llgd_proof.engines.batch import STATUS_CODES
from llgd_proof.engines.stopping import Status

OUTCOMES = [
    ("converged at EoS", "#1b7837"),
    ("converged below EoS", "#a6dba0"),
    ("periodic", "#f1a340"),
    ("diverged", "#b2182b"),
    ("undecided", "#bababa"),
    ("stationary", "#542788"),
]


def outcome_codes(part: xarray.Dataset) -> xarray.DataArray:
    """One code per start (the OUTCOMES index), from the status and EoS variables of an atlas Dataset."""
    status, eos = part.status, part.eos
    converged = status == STATUS_CODES[Status.CONVERGED]
    codes = xarray.full_like(status, 4, dtype=int)
    codes = codes.where(~(converged & eos), 0).where(~(converged & ~eos), 1)
    codes = codes.where(status != STATUS_CODES[Status.PERIODIC], 2).where(status != STATUS_CODES[Status.DIVERGED], 3)
    return codes.where(status != STATUS_CODES[Status.STATIONARY], 5)


def atlas_figure(dataset: xarray.Dataset, path: str) -> str:
    """An atlas Dataset as a figure: several h → outcome fractions against h, one panel per loss (a phase
    diagram); one h on a grid → basin maps (start plane coloured by outcome); one h from samples → bar charts."""
    from llgd_proof.scale.summary import atlas_summary

    summary = atlas_summary(dataset)
    losses = [str(loss) for loss in dataset.loss.values]
    count = len(losses)
    several = "h" in dataset.dims
    if several:
        figure, axes = plt.subplots(1, count, figsize=(3.6 * count + 0.4, 3.6), squeeze=False, sharey=True, constrained_layout=True)
        h = numpy.asarray(summary["h"])
        for axis, spec in zip(axes[0], losses):
            entries = [e for e in summary["losses"] if e["loss"] == spec]
            for key, label, colour in (("converged", "converged", "#1b7837"), ("diverged", "diverged", "#b2182b"), ("periodic", "periodic", "#f1a340"), ("stationary", "stationary", "#542788")):
                axis.plot(h, [e["fractions"][key] for e in entries], "-o", markersize=2.5, color=colour, label=label)
            axis.plot(h, [e["fractions"]["converged"] * (e["among_converged"]["eos"] or 0.0) for e in entries], "--", color="#1b7837", label="converged at EoS")
            axis.set_title(f"{spec} ({dataset.attrs['llgd']['classes'][spec]})", fontsize=9)
            axis.set_xlabel("h")
            axis.set_ylim(-0.02, 1.02)
        axes[0][0].set_ylabel("fraction of starts")
        axes[0][0].legend(fontsize=7)
        figure.suptitle(f"GD outcome against h ({summary['losses'][0]['starts']} starts per loss and h)", fontsize=10)
    elif summary["mode"] == "grid":
        figure, axes = plt.subplots(1, count, figsize=(3.6 * count + 0.4, 3.8), squeeze=False, constrained_layout=True)
        xs, ys = dataset.x0.values, dataset.y0.values
        colours = ListedColormap([colour for _, colour in OUTCOMES])
        for axis, spec, entry in zip(axes[0], losses, summary["losses"]):
            image = outcome_codes(dataset.sel(loss=spec)).values
            # cells centred on the actual starts, so a log-spaced grid is drawn where it was run (imshow's linear extent was not)
            axis.pcolormesh(xs, ys, image, shading="nearest", cmap=colours, vmin=-0.5, vmax=len(OUTCOMES) - 0.5)
            if summary["log_box"] and summary["same_sign"]:
                axis.set_xscale("log")
                axis.set_yscale("log")
            axis.set_title(f"{spec} ({entry['regularity_class']})\nconverged {entry['fractions']['converged']:.0%}", fontsize=9)
            axis.set_xlabel("$x_0$")
        axes[0][0].set_ylabel("$y_0$")
        figure.legend(handles=[Patch(color=c, label=label) for label, c in OUTCOMES], loc="outside lower center", ncol=6, fontsize=8)
        figure.suptitle(f"GD outcome by start, h = {summary['h']:g}", fontsize=10)
    else:
        figure, axis = plt.subplots(figsize=(max(6, 1.6 * count + 3), 3.8), constrained_layout=True)
        labels = ["converged", "diverged", "periodic", "stationary", "EoS | conv.", "catapult | conv.", "balancing | conv."]
        width = 0.8 / count
        for i, entry in enumerate(summary["losses"]):
            values = [entry["fractions"][k] for k in ("converged", "diverged", "periodic", "stationary")]
            values += [entry["among_converged"][k] or 0.0 for k in ("eos", "catapult", "balancing")]
            axis.bar(numpy.arange(len(labels)) + (i - (count - 1) / 2) * width, values, width, label=f"{entry['loss']} ({entry['regularity_class']})")
        axis.set_xticks(numpy.arange(len(labels)), labels, fontsize=8)
        axis.set_ylim(0, 1.05)
        axis.set_ylabel("fraction of starts")
        axis.legend(fontsize=8)
        axis.set_title(f"{summary['losses'][0]['starts']} starts, h = {summary['h']:g}", fontsize=10)
    figure.savefig(path, dpi=150)
    plt.close(figure)
    return path


def sweep_figure(data: dict, path: str) -> str:
    """Four panels over h: limit / orbit points (bifurcation diagram), EoS ratio, largest loss ratio, final imbalance."""
    rows = data["rows"]
    h = numpy.array([row["h"] for row in rows])
    figure, axes = plt.subplots(2, 2, figsize=(9, 6.5), sharex=True, constrained_layout=True)
    colour = {"converged": "#1b7837", "periodic": "#f1a340", "diverged": "#b2182b", "undecided": "#bababa", "stationary": "#542788"}
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
