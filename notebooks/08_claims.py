# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # State your own claim: a conjecture as data, refuted, weakened, searched again
#
# A claim is a TOML text: hypotheses and a conclusion written as conditions over the vocabulary of the
# README (`mu`, `curvature`, `h`, `S_GF0`, `converged`, `eos_ratio`, …). It is parsed by the same safe parser
# as losses — nothing is executed — and then checked, searched and typeset exactly like a built-in theorem.

# %%
from llgd_proof import api

conjecture = api.load_claim("""
name = "eos-below-the-stable-step"
statement = "Below the stability limit, a gradient-flow limit too sharp for the step sends GD to the edge of stability."
hypotheses = ["p < 2", "mu > 0", "h < 1/(mu*curvature)", "h*S_GF0 > 2"]
conclusion = "converged and eos_ratio >= 0.9"

[domain]
loss = "logcosh"
parameters = { mu = [0.5, 2] }
grid = 3
h_fraction = [0.3, 0.99]
box = [[0.05, 10], [0.05, 5]]
examples = 12
""")
print(conjecture.statement_latex())

# %% [markdown]
# On the seed's favourite case it holds:

# %%
print(api.format_check(conjecture.check(loss="logcosh", h="0.9", init=["20", "0.1"]).as_json()))

# %% [markdown]
# ## Search for a counterexample
#
# hypothesis draws μ ∈ {0.5, 1, 1.5, 2}, h (as a fraction of the stable step 1/(μℓ''(μ))) and a start; the first violation is shrunk
# to a small case and re-checked 20 digits higher.

# %%
report = conjecture.search()
print(api.format_family({**report.as_json(), "loss": "logcosh", "parameters": {"mu": [0.5, 2]}}))

# %%
counterexample = report.counterexample
print(counterexample.case.describe())
print(counterexample.conclusion.detail)

# %% [markdown]
# ## Why it fails, and a weaker claim
#
# On M the sharpness is S = ℓ''(μ)(x² + y²) ≥ 2μℓ''(μ) (theory F2), so the flattest minimiser has EoS ratio
# hμℓ''(μ). Below the stable step that number is below 1 — for the counterexample it is well below 0.9 — and GD can
# land near the flattest point. Two repairs: bound the ratio below by hμℓ''(μ) instead of 0.9 (and above by 1, T2),
# and add T1 v2's absolute step condition h ≤ √2/G, without which GD can diverge for μ < 1 near the step limit.

# %%
weakened = api.load_claim("""
name = "eos-window-from-the-flattest-point"
statement = "With T1 v2's hypotheses and a too-sharp gradient-flow limit, GD converges with EoS ratio between the flattest minimiser's and 1."
hypotheses = ["p < 2", "mu > 0", "h < 1/(mu*curvature)", "h <= sqrt(2)/G", "h*S_GF0 > 2"]
conclusion = "converged and h*mu*curvature - 1e-9 <= eos_ratio <= 1 + 1e-9"

[domain]
loss = "logcosh"
parameters = { mu = [0.5, 2] }
grid = 3
h_fraction = [0.3, 0.99]
box = [[0.05, 10], [0.05, 5]]
""")
print(api.format_check(weakened.check(counterexample.case).as_json()))

# %% [markdown]
# The counterexample of the conjecture satisfies the weakened claim. A larger search, over Huber losses too:

# %%
larger = weakened.search(examples=30, seed=1)
print(api.format_family({**larger.as_json(), "loss": "logcosh", "parameters": {"mu": [0.5, 2]}}))
assert larger.counterexample is None

# %%
huber = weakened.search(loss="huber", parameters={"mu": [0.5, 2], "delta": [0.5, 2]}, grid=1, examples=12, seed=2)
print(api.format_family({**huber.as_json(), "loss": "huber", "parameters": {"mu": [0.5, 2], "delta": [0.5, 2]}}))
assert huber.counterexample is None

# %% [markdown]
# ## Typeset

# %%
print(weakened.latex())
