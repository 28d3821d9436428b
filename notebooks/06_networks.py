# %% [markdown]
# # Neural networks: loss, activation and batch norm change regularity (theory §6)
#
# One hidden layer (width 200, no biases), 1000 digits from scikit-learn, full-batch GD in float64 from an
# imbalanced start (‖W1‖ = 6, ‖W2‖ = 20), with h = 1.5 · 2/S0. Sharpness: Lanczos on Hessian-vector products.
# Runs are cached, so re-executing the notebook is quick.

# %%
from IPython.display import Image, display

from llgd_proof import api
from llgd_proof.experiments.networks import NetworkConfig, network_figure, run_network

configs = {
    "Huber + ReLU": NetworkConfig(loss="huber", activation="relu", h_multiple=1.5, steps=1500),
    "MSE + tanh": NetworkConfig(loss="mse", activation="tanh", h_multiple=1.5, steps=1500),
    "MSE + cubic ReLU": NetworkConfig(loss="mse", activation="cubic-relu", h_multiple=1.5, steps=1500),
    "MSE + ReLU": NetworkConfig(loss="mse", activation="relu", h_multiple=1.5, steps=1500),
    "MSE + ReLU + batch norm": NetworkConfig(loss="mse", activation="relu", batch_norm=True, h_multiple=1.5, steps=1500),
}
runs = {label: run_network(config, cache_dir=api.default_cache_dir()) for label, config in configs.items()}
print(f"{'':26s} {'EoS ratio':>10s} {'max loss ratio':>15s} {'balance start':>14s} {'balance end':>12s}")
for label, run in runs.items():
    s = run.summary()
    print(f"{label:26s} {s['eos_ratio'] or float('nan'):10.3f} {s['max_loss_ratio']:15.3f} {s['balance_initial']:14.1f} {s['balance_final'] or float('nan'):12.1f}")

# %%
for label, run in runs.items():
    display(Image(network_figure(run, label.replace(" ", "_").replace("+", "") + ".png")))
