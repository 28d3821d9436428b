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
