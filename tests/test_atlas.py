"""Atlas and sweep: the T1 contrast, agreement with the mpmath engine, caching and resume, figures."""

import numpy
import pytest

from llgd_proof import api
from llgd_proof.atlas import Box, make_starts, run_starts


def test_good_losses_converge_where_the_square_loss_diverges():
    """Theory T1's contrast: at h = 0.9 (μ = 1) good losses converge from (nearly) every same-sign start in the
    box |x0| ≤ 30, |y0| ≤ 5; the square loss loses a large fraction."""
    result = api.atlas(["logcosh", "huber", "pseudo-huber", "quadratic"], 0.9, samples=1500, same_sign=True, seed=1, confirm=4)
    summaries = {entry["loss"]: entry for entry in result.as_json()["losses"]}
    for good in ("logcosh", "huber", "pseudo-huber"):
        assert summaries[good]["fractions"]["converged"] >= 0.999
        assert summaries[good]["regularity_class"] == "good"
        assert summaries[good]["among_converged"]["eos"] > 0.9
    assert summaries["quadratic"]["fractions"]["diverged"] > 0.3
    for entry in summaries.values():
        assert entry["confirm"]["agreement"] == 1.0
        assert sum(entry["fractions"].values()) == pytest.approx(1.0)


def test_starts_respect_box_and_signs():
    box = Box(0.5, 3, 0.1, 2)
    same = make_starts(box, samples=500, same_sign=True, seed=0)
    assert (same[:, 0] * same[:, 1] > 0).all()
    assert (numpy.abs(same[:, 0]) >= 0.5).all() and (numpy.abs(same[:, 0]) <= 3).all()
    grid = make_starts(box, grid=10, same_sign=False, log_scale=True)
    assert grid.shape == (100, 2) and (grid[:, 0] < 0).any() and (grid[:, 1] < 0).any()
    with pytest.raises(api.LlgdInputError):
        Box(0, 1, 1, 2)


def test_cached_chunks_resume_after_an_interrupt(tmp_path):
    starts = make_starts(Box(0.05, 10, 0.05, 5), samples=6000, seed=3)
    key = {"test": "resume"}
    calls = []

    def interrupt_after_first(done, total):
        calls.append(done)
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_starts("logcosh", 0.9, starts, max_steps=3000, key=key, cache_dir=tmp_path, workers=1, progress=interrupt_after_first)
    resumed, stats = run_starts("logcosh", 0.9, starts, max_steps=3000, key=key, cache_dir=tmp_path, workers=2)
    assert stats["cached"] == 1 and stats["computed"] == stats["chunks"] - 1
    fresh, _ = run_starts("logcosh", 0.9, starts, max_steps=3000, key=key, cache_dir=None, workers=1)
    assert numpy.array_equal(resumed.status, fresh.status) and numpy.allclose(resumed.final, fresh.final)
    _again, stats = run_starts("logcosh", 0.9, starts, max_steps=3000, key=key, cache_dir=tmp_path)
    assert stats["computed"] == 0


def test_sweep_finds_macdonald_bifurcation():
    """Anchor A5 in the sweep: on the diagonal, ½(xy − 1)² converges below h = 1 and is 2-periodic on x = y above."""
    data = api.sweep("quadratic", numpy.linspace(0.5, 1.2, 15), [1.3, 1.3])
    for row in data["rows"]:
        if row["h"] < 0.99:
            assert row["status"] == "converged"
        elif row["h"] > 1.01:
            assert row["status"] == "periodic" and row["period"] == 2
            assert all(abs(p[0] - p[1]) < 1e-9 for p in row["limit"])


def test_figures_are_images(tmp_path):
    from llgd_proof.plots import atlas_figure, sweep_figure

    grid = api.atlas(["logcosh", "quadratic"], 0.9, grid=12, same_sign=True, max_steps=3000)
    samples = api.atlas(["logcosh"], 0.9, samples=200, max_steps=3000)
    sweep = api.sweep("logcosh", numpy.linspace(0.2, 1.5, 12), [3.0, 0.5], max_steps=3000)
    for path in (atlas_figure(grid, str(tmp_path / "grid.png")), atlas_figure(samples, str(tmp_path / "bars.png")), sweep_figure(sweep, str(tmp_path / "sweep.png"))):
        with open(path, "rb") as handle:
            assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
