"""Anchor A8 — Kreisler et al. 2023: the gradient-flow-solution sharpness decreases along GD.

Statement. For f = ℓ(xy), S_GF(θ) = ℓ''(μ)√((x² − y²)² + 4μ²) (theory F7) does not increase on any
GD step with h|ℓ'(x_k y_k)| ≤ √2. It follows from F3: S_GF(θ⁺)² − S_GF(θ)² =
ℓ''(μ)²((1 − h²ℓ'²)² − 1)(x² − y²)² (proved symbolically).
"""

from __future__ import annotations

import mpmath

from llgd_proof.symbolic.identities import gf_sharpness_monotone
from llgd_proof.theorems.base import Case, Context, Hypothesis, Theorem


def scalar_product_family(c: Context):
    return c.objective.n_variables == 2, f"f = ℓ(xy) with {c.objective.n_variables} variables"


def gf_sharpness_never_grows(c: Context):
    compiled, path = c.compiled(), c.run.path
    with mpmath.workdps(c.dps):
        tolerance = mpmath.mpf(10) ** (-(c.dps // 2))
        checked, growth = 0, []
        for k in range(len(path) - 1):
            if c.h * abs(compiled.loss_slope(*path[k])) > mpmath.sqrt(2):
                continue
            checked += 1
            before, after = compiled.gf_sharpness(*path[k]), compiled.gf_sharpness(*path[k + 1])
            if after > before * (1 + tolerance):
                growth.append(k)
    c.record(steps_checked=checked)
    if checked == 0:
        return None, "no step with h|ℓ'| ≤ √2 to check"
    return not growth, f"S_GF non-increasing on {checked} eligible steps" + (f"; grew at {growth[:5]}" if growth else "")


THEOREM = Theorem(
    id="kreisler-gfs",
    title="A8 gradient-flow-solution sharpness decreases (Kreisler et al. 2023)",
    statement=r"h|\ell'(x_ky_k)| \le \sqrt2 \implies S_{GF}(\theta_{k+1}) \le S_{GF}(\theta_k),\ S_{GF} = \ell''(\mu)\sqrt{(x^2-y^2)^2+4\mu^2}",
    provenance="anchor:kreisler2023",
    reference="Kreisler, Nacson, Soudry, Carmon (2023), GD monotonically decreases the sharpness of gradient flow solutions; theory.md A8",
    note="a consistency check: it follows from F3 (its proof certifies the inequality), so only arithmetic can make it fail",
    hypotheses=[Hypothesis("scalar product family", r"f = \ell(xy),\ x, y \in \mathbb{R}", scalar_product_family)],
    conclusion_name="S_GF never grows on eligible steps",
    conclusion_latex=r"S_{GF}(\theta_{k+1}) \le S_{GF}(\theta_k)",
    conclude=gf_sharpness_never_grows,
    proofs=lambda: list(gf_sharpness_monotone()),
    keep_path=True,
    kind="consistency",  # follows from the exact identity F3: can fail only through arithmetic
    cases=[
        Case(loss="quadratic", h="0.4", init=("3", "0.5")),
        Case(loss="logcosh", h="0.9", init=("20", "0.1")),
        Case(loss="double-well", h="0.1", init=("3.5", "0.2"), dps=50),
    ],
)
