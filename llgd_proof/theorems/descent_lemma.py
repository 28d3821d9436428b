"""Anchor A6 — the descent lemma (classical).

Statement. If ∇f is L-Lipschitz (globally) and 0 < h < 2/L, every GD step decreases f by at least
h(1 − Lh/2)‖∇f(θ)‖²: f(θ⁺) ≤ f(θ) − h(1 − Lh/2)‖∇f(θ)‖². L is a parameter of the case (the user
states a global constant); as a sanity check the Hessian's spectrum along the run must lie in [−L, L].
"""

from __future__ import annotations

import mpmath

from llgd_proof.theorems.base import Case, Context, Hypothesis, Theorem


def smoothness_given(c: Context):
    smoothness = c.parameters.get("L")
    if smoothness is None or smoothness <= 0:
        return False, "no global Lipschitz constant L of ∇f given (set L=...)"
    return True, f"L = {smoothness:g} (stated for the case)"


def step_below_two_over_l(c: Context):
    smoothness = c.parameters.get("L") or float("inf")
    return bool(0 < c.h < 2 / smoothness), f"h = {float(c.h):g}, 2/L = {2 / smoothness:g}"


def curvature_within_l(c: Context):
    smoothness = c.parameters.get("L") or 0.0
    compiled = c.compiled()
    with mpmath.workdps(c.dps):
        worst = max(max(abs(e) for e in mpmath.eigsy(mpmath.matrix(compiled.hessian_matrix(p)), eigvals_only=True)) for p in c.run.path[:2000])
    c.record(max_curvature_on_run=float(worst))
    return bool(worst <= smoothness), f"max |eig ∇²f| along the run = {float(worst):.6g} ≤ L"


def every_step_descends(c: Context):
    smoothness = mpmath.mpf(c.parameters["L"])
    compiled, path = c.compiled(), c.run.path
    with mpmath.workdps(c.dps):
        tolerance = mpmath.mpf(10) ** (-(c.dps // 2))
        guaranteed = c.h * (1 - smoothness * c.h / 2)
        failures, positive = [], 0
        values = [compiled.value_and_gradient(*p) for p in path]
        for k in range(len(path) - 1):
            gradient_sq = sum(g**2 for g in values[k][1:])
            bound = values[k][0] - guaranteed * gradient_sq
            positive += guaranteed * gradient_sq > tolerance
            if values[k + 1][0] > bound + tolerance * max(1, abs(values[k][0])):
                failures.append(k)
    c.record(descent_factor=float(guaranteed), steps_with_positive_guaranteed_decrease=positive)
    ok = not failures and positive > 0
    return ok, f"checked {len(path) - 1} steps, guaranteed decrease h(1 − Lh/2) = {float(guaranteed):.4g}·‖∇f‖²" + (f"; fails at {failures[:5]}" if failures else "")


THEOREM = Theorem(
    id="descent-lemma",
    title="A6 descent lemma",
    statement=r"\nabla f\ L\text{-Lipschitz},\ 0<h<\tfrac2L \implies f(\theta_+) \le f(\theta) - h\big(1-\tfrac{Lh}{2}\big)\|\nabla f(\theta)\|^2",
    provenance="anchor:descent-lemma",
    reference="classical (e.g. Nesterov, Lectures on Convex Optimization, Lemma 1.2.3); theory.md A6",
    family="any",
    hypotheses=[
        Hypothesis("L given", r"\|\nabla f(a) - \nabla f(b)\| \le L\|a-b\|", smoothness_given),
        Hypothesis("step below 2/L", r"0 < h < 2/L", step_below_two_over_l),
        Hypothesis("curvature within L on the run", r"\|\nabla^2 f(\theta_k)\| \le L", curvature_within_l, after_run=True),
    ],
    conclusion_name="every step descends by the guaranteed amount",
    conclusion_latex=r"f(\theta_{k+1}) \le f(\theta_k) - h(1-Lh/2)\|\nabla f(\theta_k)\|^2",
    conclude=every_step_descends,
    keep_path=True,
    optional_parameters=("L",),
    cases=[
        Case(objective="log(cosh(x)) + 2*log(cosh(y - 1))", variables=("x", "y"), h="0.9", init=("3", "-2"), parameters={"L": 2.0}),
        Case(objective="log(1 + x^2)", variables=("x",), h="0.5", init=("3",), parameters={"L": 2.0}),
        Case(objective="x^2/2 + 2*y^2", variables=("x", "y"), h="0.45", init=("2", "1"), parameters={"L": 4.0}),
    ],
)
