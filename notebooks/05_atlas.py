# %% [markdown]
# # The regularity atlas: which losses give EoS, balancing and catapult from more starts?
#
# The float64 batch engine runs thousands of starts per loss as a Dask graph of chunks; an atlas comes back as
# an `xarray.Dataset` (dims loss, h, sample — or y0, x0 for a grid), and the figures are what `llgd atlas --plot`
# writes. `out="atlas.zarr"` would keep the arrays in a Zarr store that a later call resumes.

# %%
from IPython.display import Image, display

from llgd_proof import api
from llgd_proof.report.plots import atlas_figure, sweep_figure

losses = ["logcosh", "huber", "pseudo-huber", "quadratic"]
bars = api.atlas(losses, 0.9, samples=4000, same_sign=True, log_scale=True, confirm=10)
print(api.format_atlas(api.atlas_summary(bars)))
display(Image(atlas_figure(bars, "atlas_bars.png")))

# %% [markdown]
# The Dataset is labelled: select a loss by name, reduce over the starts.

# %%
print(bars.eos_ratio.sel(loss="huber").median().item(), bars.status.sel(loss="quadratic").to_series().value_counts().to_dict())

# %%
basins = api.atlas(["logcosh", "quadratic"], 0.9, grid=80, same_sign=True, log_scale=True)
display(Image(atlas_figure(basins, "atlas_basins.png")))
basins.eos_ratio.sel(loss="logcosh").plot()  # the EoS ratio hS∞/2 over the start plane (NaN where not converged)

# %% [markdown]
# ## Several step sizes: the fractions against h (a phase diagram)

# %%
phase = api.atlas(["logcosh", "quadratic"], [0.3, 0.6, 0.9, 0.99], samples=1000, same_sign=True, log_scale=True, max_steps=5000)
display(Image(atlas_figure(phase, "atlas_phase.png")))

# %% [markdown]
# ## One start over many steps: the bifurcation diagram of the square loss on the diagonal (MacDonald et al.)

# %%
import numpy

sweep = api.sweep("quadratic", numpy.linspace(0.05, 1.3, 150), [1.3, 0.9])
display(Image(sweep_figure(sweep, "sweep.png")))
