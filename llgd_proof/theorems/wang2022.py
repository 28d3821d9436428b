"""Anchor A1 — Wang, Chen, Zhao, Tao 2022: balancing for the square loss beyond 2/L0.

Statement. For f = ½(xy − μ)² GD converges, with balancing, for h well beyond 2/L0 — roughly
h·L0 ∈ (2, 4), L0 = S(θ0) computed exactly — and the limit obeys T4(d):
(|x∞| − |y∞|)² ≤ 2/h − 2μ. Reference numbers (μ = 1, θ0 = (3, 0.5), L0 = 9.435470):
h = 0.2 → (2.9393737, 0.3402085); h = 0.4 → (−1.5655117, −0.6387688); h = 0.6 diverges.
"""

from __future__ import annotations

from llgd_proof.engines.stopping import Status
from llgd_proof.symbolic.identities import balancing_bound
from llgd_proof.symbolic.recognise import is_square_loss
from llgd_proof.theorems.base import Case, Context, Hypothesis, Theorem, matches_expected


def square_loss(c: Context):
    """Decided by sympy (ℓ(s) − (s − μ)²/2 ≡ 0), whatever the loss is called."""
    return is_square_loss(c.loss)


def reproduces_and_balances(c: Context):
    ok, detail = matches_expected(c)
    with_l0 = float(c.h * c.initial_sharpness())
    c.record(h_times_L0=with_l0)
    if 2 < with_l0 < 4:
        if c.run.status is not Status.CONVERGED:
            return False, f"h·L0 = {with_l0:.4f} ∈ (2, 4) but GD {c.run.status.value}; {detail}"
        x, y = (float(v) for v in c.run.final)
        balance, bound = (abs(x) - abs(y)) ** 2, 2 / float(c.h) - 2 * abs(float(c.loss.mu))
        c.record(final_balance=balance, balancing_bound=bound)
        ok = ok and balance <= bound + 1e-12
        detail += f"; h·L0 = {with_l0:.4f} ∈ (2, 4): converged, (|x∞|−|y∞|)² = {balance:.6g} ≤ {bound:.6g}"
    else:
        detail += f"; h·L0 = {with_l0:.4f} outside (2, 4): only the reference numbers are checked"
    return ok, detail


THEOREM = Theorem(
    id="wang2022-balancing",
    title="A1 square-loss balancing beyond 2/L0 (Wang et al. 2022)",
    statement=r"f=\tfrac12(xy-\mu)^2,\ hL_0\in(2,4) \implies \theta_k\to\theta_\infty\in M,\ (|x_\infty|-|y_\infty|)^2 \le \tfrac2h - 2\mu",
    provenance="anchor:wang2022",
    reference="Wang, Chen, Zhao, Tao (2022), large learning rate tames homogeneity; theory.md A1",
    hypotheses=[Hypothesis("square loss", r"\ell(s) = (s-\mu)^2/2", square_loss)],
    conclusion_name="reference numbers reproduced; balanced limit in the (2, 4) regime",
    conclusion_latex=r"\theta_\infty \text{ as published};\ (|x_\infty|-|y_\infty|)^2 \le 2/h - 2\mu",
    conclude=reproduces_and_balances,
    proofs=lambda: [balancing_bound()],
    cases=[
        Case(loss="quadratic", h="0.2", init=("3", "0.5"), dps=40, expected={"limit": [2.9393737, 0.3402085], "tolerance": 5e-8}),
        Case(loss="quadratic", h="0.4", init=("3", "0.5"), dps=40, expected={"limit": [-1.5655117, -0.6387688], "tolerance": 5e-8}),
        Case(loss="quadratic", h="0.6", init=("3", "0.5"), dps=40, expected={"status": "diverged"}),
    ],
)
