"""The seed's extrapolation to neural networks (theory §6), at CPU scale with PyTorch (extra ``[nn]``).

One hidden layer (default width 200, no biases), optional batch norm without affine parameters
before the activation, activation ReLU / tanh / cubic ReLU max(z, 0)³, loss MSE ½Σ(out − y)²/n or
Huber (δ = 1, summed, /n), one-hot targets, full-batch GD in float64. The start is deliberately
imbalanced by rescaling the two weight matrices to given Frobenius norms. Sharpness is the top
Hessian eigenvalue from Hessian-vector products (power iteration, warm-started, with a shift when
the dominant eigenvalue is negative, and a residual-based convergence check); balance is
(‖W1‖ − ‖W2‖)². Data: scikit-learn's bundled digits (standardised, a seeded subset) — a real
dataset shipped inside a package, since nothing is downloaded at run time.

The experiment follows the authors' public experiment code as described in theory.md §6; the
numbers it produces are this project's measurements, not the paper's.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from llgd_proof.errors import LlgdInputError, ParameterError

LOSSES = ("mse", "huber")
ACTIVATIONS = ("relu", "tanh", "cubic-relu")


def _torch():
    try:
        import torch
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise LlgdInputError("the network experiments need PyTorch: pip install torch==2.13.0 && pip install '.[nn]'") from error
    return torch


@dataclass(frozen=True)
class NetworkConfig:
    loss: str = "mse"
    activation: str = "relu"
    batch_norm: bool = False
    h: float | None = None
    h_multiple: float | None = None
    steps: int = 1500
    width: int = 200
    samples: int = 1000
    init_norms: tuple[float, float] = (6.0, 20.0)
    seed: int = 0
    sharpness_every: int = 40

    def validate(self) -> None:
        if self.loss not in LOSSES:
            raise ParameterError(f"--loss must be one of {', '.join(LOSSES)}, got {self.loss!r}")
        if self.activation not in ACTIVATIONS:
            raise ParameterError(f"--activation must be one of {', '.join(ACTIVATIONS)}, got {self.activation!r}")
        if (self.h is None) == (self.h_multiple is None):
            raise ParameterError("give exactly one of --h and --h-multiple")
        step = self.h if self.h is not None else self.h_multiple
        if not (math.isfinite(step) and step > 0):
            raise ParameterError(f"the step (or its multiple of 2/S0) must be a finite positive number, got {step}")
        if not (1 <= self.steps <= 1_000_000 and 1 <= self.width <= 100_000 and 10 <= self.samples <= 1797):
            raise ParameterError("steps must be ≥ 1, width ≥ 1, and samples between 10 and 1797 (the digits dataset)")
        if not all(math.isfinite(v) and v > 0 for v in self.init_norms):
            raise ParameterError(f"--init-norms must be two positive numbers, got {self.init_norms}")
        if self.sharpness_every < 1:
            raise ParameterError("sharpness_every must be at least 1")


def load_digits_data(samples: int, seed: int):
    """A seeded subset of scikit-learn's digits: standardised features (n, 64), one-hot targets (n, 10), float64."""
    torch = _torch()
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:  # pragma: no cover
        raise LlgdInputError("the network experiments need scikit-learn: pip install '.[nn]'") from error
    digits = load_digits()
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(digits.target), generator=generator)[:samples]
    features = torch.tensor(digits.data, dtype=torch.float64)[order]
    features = (features - features.mean(0)) / features.std(0).clamp_min(1e-12)
    targets = torch.nn.functional.one_hot(torch.tensor(digits.target)[order], 10).to(torch.float64)
    return features, targets


class _Network:
    """f(x) = W2 σ(BN(W1 x)) with the parameters as two leaf tensors (no biases)."""

    def __init__(self, config: NetworkConfig, inputs: int, outputs: int):
        torch = _torch()
        generator = torch.Generator().manual_seed(config.seed)
        first = torch.randn(config.width, inputs, generator=generator, dtype=torch.float64)
        second = torch.randn(outputs, config.width, generator=generator, dtype=torch.float64)
        self.first = (first * (config.init_norms[0] / first.norm())).requires_grad_()
        self.second = (second * (config.init_norms[1] / second.norm())).requires_grad_()
        self.config = config

    @property
    def parameters(self):
        return [self.first, self.second]

    def forward(self, features, first=None, second=None):
        torch = _torch()
        first = self.first if first is None else first
        second = self.second if second is None else second
        hidden = features @ first.T
        if self.config.batch_norm:
            hidden = (hidden - hidden.mean(0)) / torch.sqrt(hidden.var(0, unbiased=False) + 1e-5)
        if self.config.activation == "relu":
            hidden = torch.relu(hidden)
        elif self.config.activation == "tanh":
            hidden = torch.tanh(hidden)
        else:
            hidden = torch.relu(hidden) ** 3
        return hidden @ second.T


def _loss(outputs, targets, kind: str):
    torch = _torch()
    count = outputs.shape[0]
    if kind == "mse":
        return 0.5 * ((outputs - targets) ** 2).sum() / count
    return torch.nn.functional.huber_loss(outputs, targets, reduction="sum", delta=1.0) / count


def top_eigenvalue(loss_of, parameters, start=None, *, tolerance: float = 1e-3, max_matvecs: int = 400):
    """λ_max of the Hessian of ``loss_of()`` w.r.t. ``parameters``: Lanczos (scipy ``eigsh``, ``which='LA'``)
    on Hessian-vector products, warm-started from ``start``.

    Returns (λ, eigenvector, converged, matvecs). Lanczos is used rather than power iteration because at
    the edge of stability several eigenvalues cluster at 2/h, where power iteration stalls; ``converged``
    is ARPACK's own convergence (relative tolerance ``tolerance``) and is reported, not assumed.
    """
    import numpy
    from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

    torch = _torch()
    loss = loss_of()
    gradients = torch.autograd.grad(loss, parameters, create_graph=True)
    sizes = [p.numel() for p in parameters]
    count = [0]

    def hvp(vector):
        count[0] += 1
        pieces = torch.from_numpy(numpy.ascontiguousarray(vector, dtype=numpy.float64)).split(sizes)
        pieces = [piece.view_as(parameter) for piece, parameter in zip(pieces, parameters)]
        result = torch.autograd.grad(gradients, parameters, grad_outputs=pieces, retain_graph=True)
        return torch.cat([r.reshape(-1) for r in result]).numpy()

    size = sum(sizes)
    operator = LinearOperator((size, size), matvec=hvp, dtype=numpy.float64)
    initial = start if start is not None and len(start) == size else numpy.random.default_rng(1).standard_normal(size)
    try:
        values, vectors = eigsh(operator, k=1, which="LA", tol=tolerance, v0=initial, maxiter=max_matvecs, ncv=10)
        return float(values[0]), vectors[:, 0], True, count[0]
    except ArpackNoConvergence as partial:
        if len(partial.eigenvalues):
            return float(partial.eigenvalues[0]), partial.eigenvectors[:, 0], False, count[0]
        return float(initial @ hvp(initial) / (initial @ initial)), initial, False, count[0]


@dataclass
class NetworkRun:
    config: NetworkConfig
    h: float
    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    sharpness_steps: list[int] = field(default_factory=list)
    sharpness: list[float] = field(default_factory=list)
    balance: list[float] = field(default_factory=list)
    norms: list[tuple[float, float]] = field(default_factory=list)
    diverged_at: int | None = None
    sharpness_converged: bool = True
    matvecs: int = 0

    def summary(self) -> dict:
        initial, final = self.sharpness[0], (self.sharpness[-1] if self.diverged_at is None else None)
        finite_losses = [v for v in self.losses if math.isfinite(v)]
        tail = self.sharpness[-max(1, len(self.sharpness) // 10):] if self.diverged_at is None else []
        return {
            "config": {**asdict(self.config), "init_norms": list(self.config.init_norms)},
            "status": "diverged" if self.diverged_at is not None else "finished",
            "diverged_at": self.diverged_at,
            "h": self.h,
            "two_over_h": 2 / self.h,
            "initial_sharpness": initial,
            "final_sharpness": final,
            "eos_ratio": None if final is None else self.h * final / 2,
            "tail_eos_ratio": None if not tail else self.h * (sum(tail) / len(tail)) / 2,
            "initial_loss": self.losses[0],
            "final_loss": self.losses[-1] if self.diverged_at is None else None,
            "max_loss_ratio": max(finite_losses) / self.losses[0] if self.losses[0] > 0 else None,
            "balance_initial": self.balance[0],
            "balance_final": self.balance[-1] if self.diverged_at is None else None,
            "sharpness_converged": self.sharpness_converged,
            "hessian_vector_products": self.matvecs,
        }

    def series(self) -> dict:
        return {"steps": self.steps, "loss": self.losses, "sharpness_steps": self.sharpness_steps, "sharpness": self.sharpness, "balance": self.balance}


def run_network(config: NetworkConfig, *, cache_dir=None) -> NetworkRun:
    """Full-batch GD on the network of ``config``; sharpness every ``sharpness_every`` steps.

    With ``cache_dir`` a finished run is stored as JSON keyed by the config, the package version and
    this module's source, and loaded instead of recomputed (notebooks and tests share runs this way).
    """
    config.validate()
    path = _cache_path(config, cache_dir)
    if path is not None and path.exists():
        return _load(path)
    run = _run(config)
    if path is not None:
        _save(run, path)
    return run


def _cache_path(config: NetworkConfig, cache_dir):
    if cache_dir is None:
        return None
    import hashlib
    import json
    from pathlib import Path

    from llgd_proof import __version__

    source = Path(__file__).read_bytes()
    key = hashlib.sha256(json.dumps([asdict(config), __version__, hashlib.sha256(source).hexdigest()], sort_keys=True).encode()).hexdigest()[:24]
    folder = Path(cache_dir) / "nn"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{key}.json"


def _save(run: NetworkRun, path) -> None:
    import json
    import os
    import tempfile

    data = {**asdict(run), "config": {**asdict(run.config), "init_norms": list(run.config.init_norms)}}
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".json")
    with os.fdopen(handle, "w") as stream:
        json.dump(data, stream)
    os.replace(temporary, path)


def _load(path) -> NetworkRun:
    import json

    data = json.loads(path.read_text())
    stored = data.pop("config")
    config = NetworkConfig(**{**stored, "init_norms": tuple(stored["init_norms"])})
    data["norms"] = [tuple(n) for n in data["norms"]]
    return NetworkRun(config=config, **data)


def _run(config: NetworkConfig) -> NetworkRun:
    torch = _torch()
    torch.manual_seed(config.seed)
    features, targets = load_digits_data(config.samples, config.seed)
    network = _Network(config, features.shape[1], targets.shape[1])

    def loss_of():
        return _loss(network.forward(features), targets, config.loss)

    sharpness, vector, converged, matvecs = top_eigenvalue(loss_of, network.parameters)
    h = config.h if config.h is not None else config.h_multiple * 2 / sharpness
    run = NetworkRun(config, h, sharpness_converged=converged, matvecs=matvecs)
    run.sharpness_steps.append(0)
    run.sharpness.append(sharpness)
    for step in range(config.steps + 1):
        loss = loss_of()
        value = float(loss.detach())
        norms = (float(network.first.detach().norm()), float(network.second.detach().norm()))
        run.steps.append(step)
        run.losses.append(value)
        run.norms.append(norms)
        run.balance.append((norms[0] - norms[1]) ** 2)
        if not math.isfinite(value) or value > 1e12 * max(run.losses[0], 1e-12):
            run.diverged_at = step
            break
        if step and step % config.sharpness_every == 0:
            sharpness, vector, converged, used = top_eigenvalue(loss_of, network.parameters, vector)
            run.sharpness_steps.append(step)
            run.sharpness.append(sharpness)
            run.sharpness_converged &= converged
            run.matvecs += used
        if step == config.steps:
            break
        gradients = torch.autograd.grad(loss, network.parameters)
        with torch.no_grad():
            for parameter, gradient in zip(network.parameters, gradients):
                parameter -= h * gradient
    return run


def network_figure(run: NetworkRun, path: str) -> str:
    """Four panels: loss, sharpness against 2/h, balance (‖W1‖ − ‖W2‖)², and the weight norms."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    config = run.config
    figure, axes = plt.subplots(2, 2, figsize=(9, 6.5), sharex=True, constrained_layout=True)
    axes[0][0].semilogy(run.steps, run.losses)
    axes[0][0].set_ylabel("training loss")
    axes[0][1].plot(run.sharpness_steps, run.sharpness, label="sharpness")
    axes[0][1].axhline(2 / run.h, color="k", linestyle="--", linewidth=1, label="2/h")
    axes[0][1].set_ylabel("top Hessian eigenvalue")
    axes[0][1].legend(fontsize=8)
    axes[1][0].plot(run.steps, run.balance)
    axes[1][0].set_ylabel(r"$(\|W_1\| - \|W_2\|)^2$")
    axes[1][1].plot(run.steps, [n[0] for n in run.norms], label=r"$\|W_1\|$")
    axes[1][1].plot(run.steps, [n[1] for n in run.norms], label=r"$\|W_2\|$")
    axes[1][1].set_ylabel("Frobenius norm")
    axes[1][1].legend(fontsize=8)
    for axis in axes[1]:
        axis.set_xlabel("GD step")
    title = f"{config.loss}, {config.activation}{' + BN' if config.batch_norm else ''}, width {config.width}, n = {config.samples}, h = {run.h:.4g}"
    figure.suptitle(title, fontsize=10)
    figure.savefig(path, dpi=150)
    plt.close(figure)
    return path
