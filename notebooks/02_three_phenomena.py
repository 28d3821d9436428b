# %% [markdown]
# # EoS, balancing and catapult for a good, a borderline and a bad loss
#
# Same start, same step relative to the stability limit. Good regularity (log cosh, p = 1) gives all three
# phenomena; the square loss (p = 2) and the super-quadratic (s − 1)²/2 + (s − 1)⁴/4 (p = 4) do not survive the
# same large step.

# %%
import matplotlib.pyplot as plt

from llgd_proof import api

losses = {"good: logcosh": "logcosh", "borderline: quadratic": "quadratic", "bad: quartic": "quartic"}
start, h = ["6", "0.4"], "0.9"
results = {}
for label, loss in losses.items():
    objective = api.make_objective(loss=loss)
    results[label] = api.investigate(objective, h, start, max_steps=20_000)
    data = results[label].as_json()
    print(f"{label:24s} {data['status']:10s} steps {data['steps']:6d}  EoS ratio {data['eos_ratio']}  "
          f"max loss ratio {data['max_loss_ratio']:.3g}  imbalance {data['imbalance_initial']:.3g} -> {data['imbalance_final']}")

# %%
figure, axes = plt.subplots(1, 3, figsize=(13, 3.4), constrained_layout=True)
for label, result in results.items():
    record = result.run.record
    axes[0].semilogy(record.steps[:300], [max(v, 1e-30) for v in record.losses[:300]], label=label)
    axes[1].plot(*zip(*result.phenomena.sharpness_trace), label=label)
    axes[2].plot(record.steps[:300], [x * x - y * y for x, y in record.points[:300]], label=label)
axes[0].set(xlabel="step", ylabel="loss (catapult: the spike)")
axes[1].axhline(2 / float(h), color="k", linestyle="--")
axes[1].set(xlabel="step", ylabel="sharpness (EoS: settles at 2/h)", yscale="log")
axes[2].set(xlabel="step", ylabel="x² − y² (balancing)")
axes[0].legend(fontsize=8)
plt.show()

# %% [markdown]
# The same three claims as checked theorems (T3 EoS, T4 balancing, T5 catapult), with honest verdicts:

# %%
for theorem in ("eos", "balancing", "catapult"):
    for label, loss in losses.items():
        check = api.check(theorem, loss=loss, h=h, init=start)
        print(f"{theorem:10s} {label:24s} {check.verdict.value}")

# %% [markdown]
# ## Pointwise claims, refuted and revised; the comparative claims the paper actually makes
#
# The paper says EoS and catapults are *more likely* with good regularity. The first pointwise formalisations
# (T3 v1, T5 v1) are refuted by exact counterexamples that stay in the library, marked `refuted`:

# %%
for theorem_id in ("eos-v1", "catapult-v1"):
    theorem = api.get_theorem(theorem_id)
    result = theorem.check(theorem.counterexample)
    print(f"{theorem_id:12s} {result.verdict.value:9s} {theorem.counterexample.describe()}\n   {result.conclusion.detail}\n   reproduce: {theorem.reproduce}")

# %% [markdown]
# Their v2 (ids `eos`, `catapult`) add the hypotheses the boundary maps support (docs/boundary.md): for T3,
# hμℓ''(μ) ≥ 1 − δ; for T5, hS_GF(θ0)/2 ≥ 1.05 and |x0y0 − μ| ≤ μ/2. On the v1 counterexamples the new
# hypotheses fail, as they should:

# %%
for theorem_id in ("eos", "catapult"):
    theorem = api.get_theorem(theorem_id)
    old = api.get_theorem(theorem.replaces).counterexample
    result = theorem.check(old)
    print(f"{theorem_id:9s} v{theorem.version} on the v1 counterexample: {result.verdict.value}; failing: "
          + ", ".join(f.name for f in result.hypotheses if not f.ok))

# %% [markdown]
# The comparative forms T3c and T5c: the same seeded starts for log cosh and for the square loss at equal μ and h,
# fractions showing the phenomenon with 95 % Wilson intervals.

# %%
for theorem_id in ("eos-comparative", "catapult-comparative"):
    result = api.check(theorem_id, loss="logcosh", h="0.9", init=["2", "2"], parameters={"samples": 600})
    evidence = result.evidence
    for role in ("good", "square"):
        side = evidence[role]["unconditional"]
        print(f"{theorem_id:21s} {role:6s} {side['successes']:4d}/{side['trials']:<4d} = {side['fraction']:.3f}  "
              f"95% [{side['wilson_95'][0]:.3f}, {side['wilson_95'][1]:.3f}]")
    print(f"{'':21s} verdict: {result.verdict.value}")

# %% [markdown]
# A small boundary map: where T5 v1 holds for log cosh (μ = 1) over h (as a fraction of the step limit) and starts.

# %%
from IPython.display import Image, display

from llgd_proof.experiments.boundary import boundary_map
from llgd_proof.experiments.boundary_plots import boundary_figure

catapult_map = boundary_map("catapult-v1", loss="logcosh", h_fraction=(0.6, 0.99), h_steps=3, box=(0.05, 4, 0.05, 4), grid=16, confirm=2)
print(catapult_map.counts(), {k: v for k, v in catapult_map.confirmation.items() if k != "cases"})
display(Image(boundary_figure(catapult_map, "catapult_v1_map.png")))
