"""The network experiment of theory §6 at CI scale: the qualitative pattern, and a correct sharpness."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from llgd_proof import api
from llgd_proof.experiments import networks as nn


def ci_run(**changes):
    config = nn.NetworkConfig(**{"h_multiple": 1.5, "steps": 1500, "samples": 1000, "width": 200, **changes})
    return nn.run_network(config, cache_dir=api.default_cache_dir()).summary()


@pytest.mark.parametrize("loss, activation", [("huber", "relu"), ("mse", "tanh")])
def test_good_regularity_networks_reach_the_edge_and_balance(loss, activation):
    """Huber loss and tanh: final sharpness settles near 2/h and (‖W1‖ − ‖W2‖)² decreases (theory §6)."""
    summary = ci_run(loss=loss, activation=activation)
    assert summary["status"] == "finished" and summary["sharpness_converged"]
    assert summary["initial_sharpness"] > 2 / summary["h"]
    assert summary["eos_ratio"] >= 0.9
    assert summary["balance_final"] < summary["balance_initial"]


def test_cubic_relu_shows_no_edge_of_stability():
    summary = ci_run(loss="mse", activation="cubic-relu")
    assert summary["diverged_at"] is not None or summary["eos_ratio"] < 0.6


def test_lanczos_sharpness_matches_the_dense_hessian():
    config = nn.NetworkConfig(loss="huber", activation="tanh", h=0.1, steps=1, width=6, samples=30, init_norms=(2.0, 3.0))
    features, targets = nn.load_digits_data(config.samples, config.seed)
    network = nn._Network(config, features.shape[1], targets.shape[1])

    def loss_of():
        return nn._loss(network.forward(features), targets, config.loss)

    value, _, converged, _ = nn.top_eigenvalue(loss_of, network.parameters, tolerance=1e-10)
    flat = torch.cat([p.detach().reshape(-1) for p in network.parameters]).requires_grad_()
    sizes = [p.numel() for p in network.parameters]

    def flat_loss(vector):
        first, second = vector.split(sizes)
        return nn._loss(network.forward(features, first.view_as(network.first), second.view_as(network.second)), targets, config.loss)

    dense = torch.autograd.functional.hessian(flat_loss, flat)
    assert converged
    assert value == pytest.approx(float(torch.linalg.eigvalsh(dense)[-1]), rel=1e-8)


def test_imbalanced_start_has_the_requested_norms():
    run = nn.run_network(nn.NetworkConfig(loss="mse", activation="relu", h=0.01, steps=2, width=20, samples=50, init_norms=(6.0, 20.0)))
    assert run.norms[0] == pytest.approx((6.0, 20.0))
    assert run.balance[0] == pytest.approx(196.0)


@pytest.mark.parametrize(
    "changes",
    [{"loss": "l1"}, {"activation": "sigmoid"}, {"h": None, "h_multiple": None}, {"h_multiple": -1.0}, {"samples": 5000}],
)
def test_bad_configurations_are_refused(changes):
    config = nn.NetworkConfig(**{"loss": "mse", "activation": "relu", "h_multiple": 1.5, "steps": 10, **changes})
    with pytest.raises(api.LlgdInputError):
        nn.run_network(config)
