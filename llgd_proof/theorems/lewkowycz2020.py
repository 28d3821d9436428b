"""Anchor A2 — Lewkowycz et al. 2020: the catapult phase of the uv model.

Statement. For f = vᵀu/√m with loss ½(f − y)² and NTK λ = (|u|² + |v|²)/m, GD (step η) gives
exactly f⁺ = f − ηλ(f − y) + (η²/m)(f − y)²f and λ⁺ = λ + (η(f − y)/m)(ηλ(f − y) − 4f) (proved
symbolically for every width). Phases by ηλ0: lazy (< 2) — converges, λ nearly constant;
catapult (2, 4) — the loss spikes, then λ drops below 2/η and GD converges; divergent (> 4).
Here the model is f = ℓ(uᵀv) with ℓ(s) = ½(s/√m − 1)², m = 10, u ⊥ v (f0 = 0).
"""

from __future__ import annotations

import mpmath

from llgd_proof.engines.phenomena import loss_rose
from llgd_proof.engines.stopping import Status
from llgd_proof.symbolic.identities import uv_model_updates
from llgd_proof.theorems.base import Case, Context, Hypothesis, Theorem

WIDTH = 10


def uv_start(eta_lambda: float, eta: float = 1.0) -> tuple[str, ...]:
    """u ∝ (1, …, 1), v ∝ (1, −1, 1, …): orthogonal, so f0 = 0, scaled to λ0 = eta_lambda/η."""
    scale = mpmath.sqrt(mpmath.mpf(eta_lambda) / eta / 2)
    u = [scale] * WIDTH
    v = [scale * (-1) ** i for i in range(WIDTH)]
    return tuple(mpmath.nstr(value, 40) for value in u + v)


def uv_model(c: Context):
    return c.objective.dim == WIDTH and c.objective.is_product, f"ℓ(uᵀv) with width m = {c.objective.dim}"


def phase_as_predicted(c: Context):
    compiled, path = c.compiled(), c.run.path
    eta, m = c.h, WIDTH
    with mpmath.workdps(c.dps):
        root = mpmath.sqrt(m)
        outputs = [compiled.residual(*p) / root + 1 for p in path]  # f = s/√m; residual = s − √m
        ntks = [sum(v**2 for v in p) / m for p in path]
        worst = mpmath.mpf(0)
        for k in range(len(path) - 1):
            f, lam, error = outputs[k], ntks[k], outputs[k] - 1
            if abs(f) > 1e12:
                break
            terms_f = [f, eta * lam * error, eta**2 / m * error**2 * f]
            terms_lam = [lam, eta**2 * lam * error**2 / m, 4 * eta * error * f / m]
            predicted_f = terms_f[0] - terms_f[1] + terms_f[2]
            predicted_lam = terms_lam[0] + terms_lam[1] - terms_lam[2]
            scale_f, scale_lam = max([1] + [abs(t) for t in terms_f]), max([1] + [abs(t) for t in terms_lam])
            worst = max(worst, abs(outputs[k + 1] - predicted_f) / scale_f, abs(ntks[k + 1] - predicted_lam) / scale_lam)
        phase_value = float(eta * ntks[0])
    c.record(eta_lambda0=phase_value, update_formula_max_gap=float(worst))
    phase = "lazy" if phase_value < 2 else "catapult" if phase_value < 4 else "divergent"
    status, ratio = c.run.status, c.phenomena.max_loss_ratio
    if phase == "divergent":
        ok = status is Status.DIVERGED
        outcome = f"{status.value}"
    elif status is not Status.CONVERGED:
        return (None if status is Status.UNDECIDED else False), f"phase {phase} (ηλ0 = {phase_value:g}) but GD {status.value}"
    else:
        final_ntk = float(ntks[-1])
        c.record(final_ntk=final_ntk)
        if phase == "lazy":
            ok = not loss_rose(ratio) and abs(final_ntk - float(ntks[0])) <= 0.1 * float(ntks[0])
            outcome = f"converged, loss never rose (max ratio {ratio:.4g}), λ {float(ntks[0]):.4g} → {final_ntk:.4g}"
        else:
            ok = loss_rose(ratio) and final_ntk < 2 / float(eta)
            outcome = f"converged, loss spiked ×{ratio:.4g}, λ∞ = {final_ntk:.4g} < 2/η = {2 / float(eta):g}"
    tolerance = mpmath.mpf(10) ** (-(c.dps // 2))
    return bool(ok and worst <= tolerance), f"phase {phase} (ηλ0 = {phase_value:g}): {outcome}; update formulas hold to {mpmath.nstr(worst, 3)}"


THEOREM = Theorem(
    id="lewkowycz2020-catapult",
    title="A2 catapult phase of the uv model (Lewkowycz et al. 2020)",
    statement=r"\eta\lambda_0<2:\ \text{lazy};\ 2<\eta\lambda_0<4:\ \text{loss spikes},\ \lambda_\infty<2/\eta;\ \eta\lambda_0>4:\ \text{diverges}",
    provenance="anchor:lewkowycz2020",
    reference="Lewkowycz, Bahri, Dyer, Sohl-Dickstein, Gur-Ari (2020), the catapult mechanism; theory.md A2",
    hypotheses=[Hypothesis("uv model", r"f = v^\top u/\sqrt m,\ \tfrac12(f-y)^2", uv_model)],
    conclusion_name="phase as predicted by ηλ0, update formulas exact on iterates",
    conclusion_latex=r"f_+ = f - \eta\lambda(f-y) + \tfrac{\eta^2}{m}(f-y)^2f,\ \lambda_+ = \lambda + \tfrac{\eta(f-y)}{m}(\eta\lambda(f-y)-4f)",
    conclude=phase_as_predicted,
    proofs=lambda: list(uv_model_updates()),
    keep_path=True,
    cases=[
        Case(loss=f"(s/sqrt({WIDTH}) - 1)^2/2", dim=WIDTH, h="1", init=uv_start(1.5), label="lazy, ηλ0 = 1.5"),
        Case(loss=f"(s/sqrt({WIDTH}) - 1)^2/2", dim=WIDTH, h="1", init=uv_start(3.0), label="catapult, ηλ0 = 3"),
        Case(loss=f"(s/sqrt({WIDTH}) - 1)^2/2", dim=WIDTH, h="1", init=uv_start(5.0), label="divergent, ηλ0 = 5"),
    ],
)
