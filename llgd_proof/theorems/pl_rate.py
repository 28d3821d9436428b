"""Anchor A7 — the Polyak–Łojasiewicz rate (classical).

Statement. If ∇f is L-Lipschitz and ½‖∇f‖² ≥ μ(f − f*) (PL with constant μ), then for 0 < h < 2/L
f(θ⁺) − f* ≤ (1 − 2μh(1 − Lh/2))(f(θ) − f*). L, μ and f* are parameters of the case. (Tighter
one-step PL rates exist — Abbaszadehpeivasti, de Klerk, Zamani 2023; this is the classical one, and
the test suite sweeps it densely over (h, L, μ) on quadratics.)
"""

from __future__ import annotations

import mpmath

from llgd_proof.theorems.base import Case, Context, Hypothesis, Theorem


def constants_given(c: Context):
    smoothness, pl = c.parameters.get("L"), c.parameters.get("pl")
    if not smoothness or not pl or pl > smoothness:
        return False, "need 0 < pl ≤ L (set L=... and pl=...)"
    return True, f"L = {smoothness:g}, PL constant {pl:g}, f* = {c.parameters.get('f_star', 0.0):g}"


def step_below_two_over_l(c: Context):
    return bool(0 < c.h < 2 / c.parameters["L"]), f"h = {float(c.h):g}, 2/L = {2 / c.parameters['L']:g}"


def pl_inequality_on_run(c: Context):
    compiled, pl, optimum = c.compiled(), c.parameters["pl"], c.parameters.get("f_star", 0.0)
    with mpmath.workdps(c.dps):
        worst = min(sum(g**2 for g in v[1:]) / 2 - pl * (v[0] - optimum) for v in (compiled.value_and_gradient(*p) for p in c.run.path))
    return bool(worst >= -mpmath.mpf(10) ** (-(c.dps // 2))), f"min over the run of ½‖∇f‖² − μ(f − f*) = {mpmath.nstr(worst, 4)}"


def contraction_factor(h, smoothness, pl):
    """The shipped one-step PL factor 1 − 2μh(1 − Lh/2) (μ the PL constant); valid for 0 < h < 2/L."""
    return 1 - 2 * pl * h * (1 - smoothness * h / 2)


def linear_rate(c: Context):
    smoothness, pl, optimum = (mpmath.mpf(c.parameters[k]) for k in ("L", "pl", "f_star"))
    compiled = c.compiled()
    with mpmath.workdps(c.dps):
        factor = contraction_factor(c.h, smoothness, pl)
        gaps = [compiled.value(*p) - optimum for p in c.run.path]
        tolerance = mpmath.mpf(10) ** (-(c.dps // 2))
        failures = [k for k in range(len(gaps) - 1) if gaps[k + 1] > factor * gaps[k] + tolerance]
        observed = max((gaps[k + 1] / gaps[k] for k in range(len(gaps) - 1) if gaps[k] > tolerance), default=mpmath.mpf(0))
    c.record(rate_factor=float(factor), worst_observed_ratio=float(observed))
    ok = not failures and factor < 1
    return ok, f"bound factor {float(factor):.6g} (< 1: not vacuous), worst observed ratio {float(observed):.6g}" + (f"; fails at {failures[:5]}" if failures else "")


THEOREM = Theorem(
    id="pl-rate",
    title="A7 Polyak–Łojasiewicz linear rate",
    statement=r"L\text{-smooth},\ \tfrac12\|\nabla f\|^2 \ge \mu(f-f^*),\ 0<h<\tfrac2L \implies f(\theta_+)-f^* \le \big(1-2\mu h(1-\tfrac{Lh}{2})\big)(f(\theta)-f^*)",
    provenance="anchor:polyak-lojasiewicz",
    reference="Polyak (1963); Karimi, Nutini, Schmidt (2016); tight rates: Abbaszadehpeivasti, de Klerk, Zamani (2023); theory.md A7",
    family="any",
    parameters={"f_star": 0.0},
    hypotheses=[
        Hypothesis("constants given", r"0 < \mu \le L", constants_given),
        Hypothesis("step below 2/L", r"0 < h < 2/L", step_below_two_over_l),
        Hypothesis("PL inequality on the run", r"\tfrac12\|\nabla f(\theta_k)\|^2 \ge \mu(f(\theta_k)-f^*)", pl_inequality_on_run, after_run=True),
    ],
    conclusion_name="linear rate of the optimality gap",
    conclusion_latex=r"f(\theta_{k+1})-f^* \le (1-2\mu h(1-Lh/2))(f(\theta_k)-f^*)",
    conclude=linear_rate,
    keep_path=True,
    optional_parameters=("L", "pl"),
    cases=[
        Case(objective="x^2/2 + 2*y^2", variables=("x", "y"), h="0.3", init=("2", "1"), parameters={"L": 4.0, "pl": 1.0}),
        Case(objective="x^2 + 3*sin(x)^2", variables=("x",), h="0.2", init=("3",), parameters={"L": 8.0, "pl": 1 / 32}),
    ],
)
