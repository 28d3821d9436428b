# %% [markdown]
# # Quickstart: define a loss, read its regularity, run high-precision GD, plot
#
# llgd_proof checks claims about gradient descent with a learning rate **h** far above the classical 2/L.
# Objectives are born symbolic (sympy), analysed in closed form, and iterated with mpmath at 50 digits.

# %%
import matplotlib.pyplot as plt

from llgd_proof import api

# %% [markdown]
# ## 1. A loss and its regularity (theory §3)
# "Good regularity" is formalised here as sub-quadratic growth of ℓ (growth order p < 2) — a `paper-claim`
# formalised by this project. The report is derived by sympy; every quantity also comes as LaTeX.

# %%
report = api.regularity("log(cosh(s - mu))", mu=1)
print(api.format_regularity(report.as_json()))
report.latex()["witness"]

# %% [markdown]
# ## 2. Run GD on f(x, y) = ℓ(xy) with a large step
# The run stops when it converges, finds a periodic orbit, diverges or spends its budget, and is repeated at
# higher precision to check that the digits are real.

# %%
objective = api.make_objective(loss="logcosh")
result = api.investigate(objective, "0.9", ["20", "0.1"])
print(api.format_run(result.as_json()))

# %% [markdown]
# ## 3. Plot the compact trajectory record: loss, sharpness against 2/h, imbalance

# %%
record = result.run.record
trace_steps = [k for k, _ in result.phenomena.sharpness_trace]
trace_values = [v for _, v in result.phenomena.sharpness_trace]
imbalance = [x * x - y * y for x, y in record.points]
figure, axes = plt.subplots(1, 3, figsize=(12, 3.2), constrained_layout=True)
axes[0].semilogy(record.steps, [max(v, 1e-30) for v in record.losses])
axes[0].set(xlabel="step", ylabel="loss")
axes[1].plot(trace_steps, trace_values, label="S(θ_k)")
axes[1].axhline(2 / 0.9, color="k", linestyle="--", label="2/h")
axes[1].set(xlabel="step", ylabel="sharpness")
axes[1].legend()
axes[2].plot(record.steps, imbalance)
axes[2].set(xlabel="step", ylabel="x² − y²")
plt.show()

# %%
assert result.run.status.value == "converged" and result.check.agrees
