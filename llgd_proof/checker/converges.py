r"""Convergence: the residual region of f = ℓ(xᵀy) (theory T6), and Banach's theorem for a general objective.

**Region** (f = ℓ(xᵀy)). μ* is the unique zero of ℓ' in the certificate's minimiser interval M (checked by
:func:`~llgd_proof.checker.balls.minimiser_failures`); r = xᵀy − μ*, q = ‖x‖² + ‖y‖². Theory F4 with
ℓ'(μ* + r) = r·m, m ∈ ℓ''([μ* − r̄, μ* + r̄]) (mean value theorem; ℓ' is C¹ there because ℓ'' evaluates with
every branch decided) gives

    r⁺ = r·g,  g = 1 − h m q + h² m² r (μ* + r);   q⁺ − q = h r m (h r m q − 4(μ* + r)).

On R = {|r| ≤ r̄, q ∈ [a, b]}: ρ ≥ sup|g|, M₂ ≥ sup|m| (``slope_bound``), c ≥ sup|h m (h r m q − 4(μ* + r))|
(``drift_rate``), D ≥ c r̄/(1 − ρ) (``drift_bound``), all by interval evaluation with μ* ranging over M. If
ρ < 1, |r_K| ≤ r̄ and q_K ∈ [a + D, b − D], then by induction every later iterate stays in R and
|r_k| ≤ ρ^(k−K) r̄. Since ‖θ_{k+1} − θ_k‖₂ = h|ℓ'(s_k)|√q_k ≤ h M₂ √b |r_k|, θ_k → θ∞ with r∞ = 0 and
‖θ∞ − θ_K‖₂ ≤ E = h M₂ √b r̄/(1 − ρ). The imbalance identity (F3) gives
‖x∞‖² − ‖y∞‖² ∈ (‖x_K‖² − ‖y_K‖²)·[1 − ε, 1], ε = (h M₂ r̄)²/(1 − ρ²) when h M₂ r̄ < 1 (every factor
1 − h²ℓ'(s_k)² lies in [0, 1], and Π(1 − a_k) ≥ 1 − Σ a_k); for n = 1 this and x∞y∞ = μ* give
x∞² = (d + √(d² + 4μ*²))/2, y∞² = (−d + √(d² + 4μ*²))/2, which narrows the box. The EoS ratio is
hℓ''(μ*)(‖x∞‖² + ‖y∞‖²)/2 (F2).

**Rate** (T6). The same inequalities at an earlier step K0 ≤ K with its own region (r̄₀, [a₀, b₀]) give
|r_k| ≤ r̄₀ ρ₀^(k−K0) for k ≥ K0, so |r_k| ≤ ε = 10⁻⁸ for every k ≥ K0 + ⌈log(r̄₀/ε)/log(1/ρ₀)⌉.

**Contraction** (a general objective, one or two variables). On the box around the Euclidean ball B(c, R):
L ≥ sup‖DF‖₂ (DF = I − h∇²f symmetric: its spectral radius), δ ≥ ‖F(c) − c‖₂. If L < 1 and δ ≤ (1 − L)R then
F maps B(c, R) into itself and contracts it; from θ_K ∈ B(c, R) the iterates converge to the unique fixed
point θ∞ ∈ B(c, R), ‖θ∞ − c‖₂ ≤ δ/(1 − L), and L < 1 puts every eigenvalue of ∇²f(θ∞) in (0, 2/h).
"""

from __future__ import annotations

import math

from flint import arb

from llgd_proof.checker.balls import norm_upper, spectral_radius, step_jacobian
from llgd_proof.checker.problem import Problem, Undecidable, from_decimal_checked
from llgd_proof.symbolic.arb import interval_strings, upper_string

EPSILON = "1e-8"
"""The residual level of the T6 step bound written into every convergence certificate."""


def _exact_upper(value: arb) -> tuple[arb, str]:
    """An upper bound as the decimal string stored in the certificate, and that exact number as a ball."""
    text = upper_string(value)
    return from_decimal_checked(text, "bound"), text


def region_bounds(problem: Problem, h: arb, mu: arb, theta, r_bar: arb, a: arb, b: arb) -> tuple[dict, list[str]]:
    """ρ, M₂, c, D for the region (module doc) and the inequalities that fail at θ (a list of balls).

    The returned dict holds balls (``rho``, ``slope``, ``rate``, ``drift``) and their certificate strings.
    """
    return region_bounds_at(problem, h, mu, problem.product(theta), sum((t * t for t in theta), arb(0)), r_bar, a, b)


def region_bounds_at(problem: Problem, h: arb, mu: arb, product: arb, norms_k: arb, r_bar: arb, a: arb, b: arb) -> tuple[dict, list[str]]:
    """:func:`region_bounds` for an iterate known only through balls of s_K = xᵀy and q_K = ‖x‖² + ‖y‖²."""
    failures: list[str] = []
    if not (r_bar > 0 and a < b):
        return {}, ["the region needs r̄ > 0 and a < b"]
    if not abs(product - mu) <= r_bar:
        failures.append("the enclosure of θ_K does not satisfy |x^T y − μ*| ≤ r̄")
    residual = arb(0).union(r_bar).union(-r_bar)
    norms = a.union(b)
    try:
        _, m = problem.strict_slope_and_curvature(mu + residual)
    except Undecidable:
        return {}, failures + ["a branch of ℓ' or ℓ'' is undecided on [μ* − r̄, μ* + r̄]: the mean-value step needs ℓ' to be C¹ there"]
    if not m.is_finite():
        return {}, failures + ["ℓ'' cannot be bounded on [μ* − r̄, μ* + r̄]"]
    g = 1 - h * m * norms + (h * m) * (h * m) * residual * (mu + residual)
    rho, rho_text = _exact_upper(abs(g))
    slope, slope_text = _exact_upper(abs(m))
    rate, rate_text = _exact_upper(abs(h * m * (h * residual * m * norms - 4 * (mu + residual))))
    bounds = {"rho": rho, "slope": slope, "rate": rate, "strings": {"rho": rho_text, "slope_bound": slope_text, "drift_rate": rate_text}}
    if not rho < 1:
        return bounds, failures + [f"the contraction factor ρ = {rho_text[:12]} is not below 1"]
    drift, drift_text = _exact_upper(rate * r_bar / (1 - rho))
    bounds["drift"], bounds["strings"]["drift_bound"] = drift, drift_text
    if not (norms_k >= a + drift and norms_k <= b - drift):
        failures.append("q_K = ‖x_K‖² + ‖y_K‖² is not inside [a + D, b − D]: the invariance of R is not certified")
    return bounds, failures


def region_derivation(problem: Problem, h: arb, mu: arb, theta, r_bar: arb, a: arb, b: arb) -> tuple[dict, list[str]]:
    """Every derived field of a region certificate (strings), and the inequalities that fail."""
    bounds, failures = region_bounds(problem, h, mu, theta, r_bar, a, b)
    if failures or "drift" not in bounds:  # the limit box is derived only from inequalities that hold
        return dict(bounds.get("strings", {})), failures
    rho, slope = bounds["rho"], bounds["slope"]
    n = problem.dim
    radius = (h * slope * b.sqrt() * r_bar / (1 - rho)).upper()
    box = [t + arb(0, 1) * radius for t in theta]
    imbalance = sum((c * c for c in box[:n]), arb(0)) - sum((c * c for c in box[n:]), arb(0))
    tail = (h * slope * r_bar) * (h * slope * r_bar)
    if tail < 1:
        epsilon = (tail / (1 - rho * rho)).upper()
        at_k = sum((t * t for t in theta[:n]), arb(0)) - sum((t * t for t in theta[n:]), arb(0))
        imbalance = imbalance.intersection(at_k * (1 - epsilon).union(arb(1)))
        if n == 1:
            box = [c.intersection(v) for c, v in zip(box, _balanced_point(imbalance, mu, box))]
    if not all(c.is_finite() for c in box):
        return dict(bounds["strings"]), failures + ["the limit box is empty or infinite"]
    _, curvature = problem.strict_slope_and_curvature(mu)
    eos = h * curvature * sum((c * c for c in box), arb(0)) / 2
    derived = dict(bounds["strings"])
    derived.update(limit_box=[interval_strings(c) for c in box], eos_ratio=interval_strings(eos), imbalance=interval_strings(imbalance))
    return derived, failures


def _balanced_point(d: arb, mu: arb, box) -> list[arb]:
    """(x, y) with x² − y² = d, xy = μ*: x² = (d + √(d² + 4μ*²))/2, y² = (−d + √(d² + 4μ*²))/2, signs from ``box``."""
    root = (d * d + 4 * mu * mu).sqrt()
    squares = [((d + root) / 2).nonnegative_part(), ((root - d) / 2).nonnegative_part()]
    point = []
    for square, coordinate in zip(squares, box):
        value = square.sqrt()
        point.append(value if coordinate > 0 else (-value if coordinate < 0 else (-value).union(value)))
    return point


def rate_derivation(problem: Problem, h: arb, mu: arb, theta, r_bar: arb, a: arb, b: arb, first_step: int) -> tuple[dict, list[str]]:
    """The T6 block: ρ₀, D₀ and the step bound K0 + ⌈log(r̄₀/ε)/log(1/ρ₀)⌉ (module doc)."""
    bounds, failures = region_bounds(problem, h, mu, theta, r_bar, a, b)
    derived = {key: bounds.get("strings", {}).get(key) for key in ("rho", "drift_bound")}
    if failures or "drift" not in bounds:
        return derived, failures
    epsilon, rho = from_decimal_checked(EPSILON, "epsilon"), bounds["rho"]
    if r_bar <= epsilon:
        steps = 0
    elif not rho > 0:
        steps = 1
    else:
        ratio = (r_bar / epsilon).log() / (1 / rho).log()
        steps = math.ceil(float(ratio.upper())) if ratio.upper().is_finite() else None
        if steps is None or not arb(steps) >= ratio:
            return derived, ["the T6 step bound cannot be computed"]
    derived["steps_to_epsilon"] = first_step + steps
    return derived, []


def contraction_derivation(problem: Problem, h: arb, theta, centre, radius: arb) -> tuple[dict, list[str]]:
    """Every derived field of a contraction certificate (module doc), and the inequalities that fail."""
    n = problem.n_variables
    if n > 2 or not radius > 0:
        return {}, ["the contraction ball must have a positive radius (one or two variables)"]
    box = [c + arb(0, 1) * radius for c in centre]
    try:
        spectral = spectral_radius(step_jacobian(problem, h, box))
    except Undecidable:
        return {}, ["a branch of the Hessian is undecided on the ball: F is not known to be C¹ there"]
    defect = norm_upper([t - c for t, c in zip(problem.step(centre, h), centre)])
    if not (spectral.is_finite() and defect.is_finite()):
        return {}, ["‖DF‖ or ‖F(c) − c‖ cannot be bounded on the ball"]
    lipschitz, lipschitz_text = _exact_upper(spectral)
    defect, defect_text = _exact_upper(defect)
    failures = []
    if not lipschitz < 1:
        failures.append("sup ‖DF‖₂ on the ball is not below 1")
    elif not defect <= (1 - lipschitz) * radius:
        failures.append("‖F(c) − c‖ > (1 − L)R: F is not shown to map the ball into itself")
    if not norm_upper([t - c for t, c in zip(theta, centre)]) <= radius:
        failures.append("the enclosure of θ_K is not inside the contraction ball")
    derived = {"rho": lipschitz_text, "defect": defect_text}
    if failures:
        return derived, failures
    bound = (defect / (1 - lipschitz)).upper()
    limit = [c + arb(0, 1) * bound for c in centre]
    hessian = problem.hessian_upper(limit)  # inside the ball (δ/(1 − L) ≤ R), so every branch is decided
    if n == 1:
        sharpness = hessian[0]
    else:
        half_gap = (hessian[0] - hessian[2]) / 2
        sharpness = (hessian[0] + hessian[2]) / 2 + (half_gap * half_gap + hessian[1] * hessian[1]).sqrt()
    derived.update(limit_box=[interval_strings(c) for c in limit], eos_ratio=interval_strings(h * sharpness / 2))
    return derived, []
