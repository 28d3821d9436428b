# %% [markdown]
# # The regularity atlas: which losses give EoS, balancing and catapult from more starts?
#
# The float64 batch engine runs thousands of starts per loss; the figures are what `llgd atlas --plot` writes.

# %%
from IPython.display import Image, display

from llgd_proof import api
from llgd_proof.plots import atlas_figure, sweep_figure

losses = ["logcosh", "huber", "pseudo-huber", "quadratic"]
bars = api.atlas(losses, 0.9, samples=4000, same_sign=True, log_scale=True, confirm=10)
print(api.format_atlas(bars.as_json()))
display(Image(atlas_figure(bars, "atlas_bars.png")))

# %%
basins = api.atlas(["logcosh", "quadratic"], 0.9, grid=80, same_sign=True, log_scale=True)
display(Image(atlas_figure(basins, "atlas_basins.png")))

# %% [markdown]
# ## One start over many steps: the bifurcation diagram of the square loss on the diagonal (MacDonald et al.)

# %%
import numpy

sweep = api.sweep("quadratic", numpy.linspace(0.05, 1.3, 150), [1.3, 0.9])
display(Image(sweep_figure(sweep, "sweep.png")))
