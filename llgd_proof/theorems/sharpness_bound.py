"""T2 — sharpness at the limit (``derived``: a necessary condition from linear stability, theory F6).

Statement. If GD from a generic start converges to a minimiser θ∞, then hS(θ∞) ≤ 2.
Proof: on M the GD Jacobian I − h∇²f has eigenvalues 1 (along M) and 1 − hS (across, F6); a fixed
point with hS > 2 repels across M, so only a measure-zero set of starts reaches it. The default
cases use generic (not hand-tuned) starts. Applies to any objective (for a general one, "minimiser"
means a limit with ∇²f ⪰ 0).
"""

from __future__ import annotations

import mpmath
import sympy

from llgd_proof.engines.phenomena import within_stability
from llgd_proof.symbolic.identities import linear_stability, sharpness_on_minimisers
from llgd_proof.theorems.base import Case, Context, Hypothesis, Theorem, gd_converges, limit_on_minimiser_set


def sharpness_within_stability(c: Context):
    if c.phenomena.final_sharpness is None:
        return None, "no final sharpness (run did not settle)"
    with mpmath.workdps(c.dps):
        product = c.h * c.compiled().sharpness(c.run.final)
    c.record(h_times_final_sharpness=float(product))
    return bool(within_stability(product / 2)), f"h·S(θ∞) = {mpmath.nstr(product, 10)} (≤ 2 required)"


def bounds(loss, parameters):
    h = sympy.Symbol("h", positive=True)
    curvature = loss.at_minimiser(2)
    return {"sharpness": r"S(\theta_\infty) \le \frac{2}{h}", "norm_on_M": r"x_\infty^2+y_\infty^2 \le " + sympy.latex(2 / (h * curvature))}


THEOREM = Theorem(
    id="sharpness-bound",
    title="T2 sharpness at the limit: hS(θ∞) ≤ 2",
    statement=r"\theta_k \to \theta_\infty \in \arg\min f \text{ from a generic start} \implies h\,S(\theta_\infty) \le 2",
    provenance="derived",
    generic_start=True,
    reference="theory.md T2 (from F6, linear stability)",
    family="any",
    hypotheses=[
        Hypothesis("GD converges", r"\theta_k \to \theta_\infty", gd_converges, after_run=True),
        Hypothesis("limit is a minimiser", r"\theta_\infty \in M \ (\nabla^2 f(\theta_\infty) \succeq 0)", limit_on_minimiser_set, after_run=True),
    ],
    conclusion_name="limit sharpness within stability",
    conclusion_latex=r"h\,S(\theta_\infty) \le 2",
    conclude=sharpness_within_stability,
    proofs=lambda: [sharpness_on_minimisers(), linear_stability()],
    bounds=bounds,
    search={"losses": ("logcosh", "huber", "pseudo-huber", "quadratic"), "mu_values": (0.5, 1.0), "fraction": (0.05, 0.99), "box": ((0.05, 10.0), (0.05, 5.0))},
    cases=[
        Case(loss="logcosh", h="0.9", init=("20", "0.1")),
        Case(loss="quadratic", h="0.4", init=("3", "0.5")),
        Case(loss="huber:delta=0.5", h="0.8", init=("6", "-0.4"), mu="-1"),
        Case(objective="log(1 + x^2) + (y - 1)^2/2 + x*y/4", variables=("x", "y"), h="0.9", init=("2", "3")),
    ],
)
