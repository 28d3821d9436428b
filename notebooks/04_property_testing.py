# %% [markdown]
# # Property-testing a new family, and reading a counterexample
#
# hypothesis draws (h, start) cases for a loss family; the family checker counts verdicts and shrinks the first
# violation to a small, readable case, then confirms it 20 digits higher.

# %%
from llgd_proof import api

report = api.check_family("convergence", loss="logcosh", ranges={"mu": (1, 2)}, examples=40, seed=0)
report.as_json()["counts"]

# %% [markdown]
# ## What breaks if we drop "good regularity"? The square loss is borderline (p = 2):

# %%
broken = api.check_family("convergence", loss="quadratic", without=["good regularity", "step below balancing limit"], examples=40, seed=0)
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
