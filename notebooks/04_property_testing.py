# %% [markdown]
# # Property-testing a new family, reading a counterexample, and mapping where a claim holds
#
# hypothesis draws (h, start) cases for a loss family; the family checker counts verdicts and shrinks the first
# violation to a small, readable case, then confirms it 20 digits higher. A boundary map then shows where the
# refuted claim holds, and which added hypothesis the data support.

# %%
from llgd_proof import api

report = api.check_family("convergence", loss="logcosh", examples=10, seed=0)  # add ranges={"mu": (1, 2)} for a family
report.as_json()["counts"]

# %% [markdown]
# ## What breaks if we drop "good regularity"? The square loss is borderline (p = 2):

# %%
broken = api.check_family("convergence", loss="quadratic", without=["good regularity", "step below balancing limit"], examples=10, seed=0)
print(api.format_family({**broken.as_json(), "loss": "quadratic", "parameters": {}}))

# %%
case = broken.counterexample.case
trajectory = api.investigate(api.make_objective(loss="quadratic"), case.h, list(case.init), max_steps=200)
print(api.format_run(trajectory.as_json()))

# %% [markdown]
# ## A finding: T1 as first formalised (v1, now kept as refuted) fails for μ < 1 near its step limit

# %%
finding = api.check_family("convergence-v1", loss="logcosh", ranges={"mu": (0.5, 2)}, examples=25, seed=5)
print(api.format_family({**finding.as_json(), "loss": "logcosh", "parameters": {"mu": [0.5, 2]}}))

# %% [markdown]
# ## Refuted formalisations stay in the library, with their counterexamples

# %%
for theorem in api.THEOREMS.values():
    if theorem.status == "refuted":
        print(f"{theorem.id:16s} replaced by {theorem.replaced_by}: {theorem.reproduce}")

# %% [markdown]
# ## T5 v1 (catapult) fails near M: the property search finds it, the boundary map shows where

# %%
found = api.check_family("catapult-v1", loss="logcosh", fraction=(0.6, 0.99), x_range=(1.05, 1.5), y_range=(1.05, 1.5), examples=8, seed=0)
print(api.format_family({**found.as_json(), "loss": "logcosh", "parameters": {}}))

# %%
from IPython.display import Image, display

from llgd_proof.experiments.boundary import boundary_map
from llgd_proof.experiments.boundary_plots import boundary_figure

for theorem_id in ("catapult-v1", "catapult"):
    result = boundary_map(theorem_id, loss="logcosh", h_fraction=(0.6, 0.99), h_steps=3, box=(0.05, 4, 0.05, 4), grid=16, confirm=2)
    print(f"{theorem_id:12s}", result.counts(), "re-checked", result.confirmation["checked"], "violated again", result.confirmation["confirmed"])
display(Image(boundary_figure(result, "catapult_v2_map.png")))

# %% [markdown]
# The v2 hypotheses (hS_GF(θ0)/2 ≥ 1.05, |x0y0 − μ| ≤ μ/2) come from maps over log cosh, Huber and pseudo-Huber with
# μ ∈ {¼, ½, 1, 2} (docs/boundary.md). The same property search on v2 finds nothing:

# %%
revised = api.check_family("catapult", loss="logcosh", fraction=(0.6, 0.99), x_range=(0.3, 3), y_range=(0.3, 3), examples=8, seed=0)
revised.as_json()["counts"]
