"""Symbolic proofs of the exact facts (theory §2, ``derived``) and of the closed forms of the anchors.

Each ``prove_*`` function builds the two sides with sympy and certifies ``lhs − rhs ≡ 0`` (or an
equivalent certificate such as a characteristic polynomial) with :func:`~llgd_proof.symbolic.algebra.vanishes`.
Within one GD step ℓ'(s) and ℓ''(s) are numbers, written ``ell1`` and ``ell2``; the derivatives
themselves come from sympy differentiating an undefined ``ell(xy)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy

from llgd_proof.symbolic.algebra import vanishes

x, y = sympy.symbols("x y", real=True)
h, eta, m = sympy.symbols("h eta m", positive=True)
mu = sympy.Symbol("mu", real=True)
mu_pos = sympy.Symbol("mu", positive=True)
ell1, ell2, lam = sympy.symbols("ell1 ell2 lambda", real=True)
ELL = sympy.Function("ell")


@dataclass(frozen=True)
class Proof:
    """A certified (or not) identity: ``statement`` in LaTeX, the ``method`` that reduced it to 0."""

    name: str
    statement: str
    method: str | None

    @property
    def proved(self) -> bool:
        return self.method is not None

    def as_json(self) -> dict:
        return {"name": self.name, "statement": self.statement, "proved": self.proved, "method": self.method}


def _prove(name: str, statement: str, difference) -> Proof:
    return Proof(name, statement, vanishes(difference))


def _prove_nonnegative(name: str, statement: str, gap, certificate, hypotheses: dict | None = None) -> Proof:
    """Certify the inequality ``gap ≥ 0``: sympy proves ``gap ≡ certificate`` and that ``certificate`` is
    manifestly non-negative (a square of reals, or a quotient of non-negative symbols) — an SOS-style
    certificate. ``hypotheses`` maps each non-negative symbol of the certificate to the quantity it stands for
    (e.g. σ ↦ 2 − hS, non-negative by hypothesis), substituted before the identity is checked.
    """
    if certificate.is_nonnegative is not True:
        return Proof(name, statement, None)
    method = vanishes(gap - certificate.subs(hypotheses or {}))
    if method is None:
        return Proof(name, statement, None)
    return Proof(name, statement, f"{method}; certificate {sympy.sstr(certificate)} >= 0")


def _with_slopes(expr: sympy.Expr) -> sympy.Expr:
    """Replace ell'(xy), ell''(xy) by the symbols ell1, ell2."""
    replacements = {}
    for subs in expr.atoms(sympy.Subs):
        order = subs.args[0].derivative_count
        replacements[subs] = {1: ell1, 2: ell2}[order]
    return expr.xreplace(replacements)


def gd_step(slope=ell1):
    """One GD step on ℓ(xy): x⁺ = x − hℓ'(s)y, y⁺ = y − hℓ'(s)x (from sympy's gradient of ell(xy))."""
    gradient = [_with_slopes(sympy.diff(ELL(x * y), v)).subs(ell1, slope) for v in (x, y)]
    return x - h * gradient[0], y - h * gradient[1]


@cache
def hessian_structure() -> Proof:
    """F1: ∇²f = ℓ''(s)[y, x]ᵀ[y, x] + ℓ'(s)[[0, 1], [1, 0]]."""
    hessian = sympy.hessian(ELL(x * y), (x, y)).applyfunc(_with_slopes)
    v = sympy.Matrix([y, x])
    claimed = ell2 * v * v.T + ell1 * sympy.Matrix([[0, 1], [1, 0]])
    return _prove("F1 Hessian", r"\nabla^2 f = \ell''(s)\,[y,x]^\top[y,x] + \ell'(s)\begin{pmatrix}0&1\\1&0\end{pmatrix}", hessian - claimed)


@cache
def sharpness_on_minimisers() -> Proof:
    """F2: on M (ℓ'(μ) = 0) the Hessian's characteristic polynomial is λ(λ − ℓ''(μ)(x² + y²))."""
    hessian = sympy.hessian(ELL(x * y), (x, y)).applyfunc(_with_slopes).subs(ell1, 0)
    return _prove(
        "F2 sharpness on M",
        r"\text{on } M:\ \operatorname{spec}\nabla^2 f = \{0,\ \ell''(\mu)(x^2+y^2)\}",
        (lam * sympy.eye(2) - hessian).det() - lam * (lam - ell2 * (x**2 + y**2)),
    )


@cache
def flattest_minimiser() -> Proof:
    """F2: on M, S − 2|μ|ℓ''(μ) = ℓ''(μ)(x² + y² − 2|xy|) = ℓ''(μ)(|x| − |y|)² ≥ 0: the flattest minimiser has S = 2|μ|ℓ''(μ).

    The inequality is certified: the gap equals ℓ''(μ) times the square of a real number.
    """
    curvature = sympy.Symbol("c", positive=True)  # ℓ''(μ) > 0
    return _prove_nonnegative(
        "F2 flattest minimiser: S ≥ 2|μ|ℓ''(μ) on M",
        r"xy=\mu \implies S - 2|\mu|\ell''(\mu) = \ell''(\mu)\big(x^2+y^2-2|xy|\big) = \ell''(\mu)(|x|-|y|)^2 \ge 0",
        curvature * (x**2 + y**2 - 2 * sympy.Abs(x * y)),
        curvature * (sympy.Abs(x) - sympy.Abs(y)) ** 2,
    )


@cache
def imbalance_identity() -> Proof:
    """F3: x⁺² − y⁺² = (1 − h²ℓ'²)(x² − y²)."""
    xp, yp = gd_step()
    return _prove("F3 imbalance", r"x_+^2 - y_+^2 = (1 - h^2\ell'(s)^2)(x^2 - y^2)", xp**2 - yp**2 - (1 - h**2 * ell1**2) * (x**2 - y**2))


@cache
def product_and_norm_updates() -> tuple[Proof, Proof]:
    """F4: x⁺y⁺ = s(1 + h²ℓ'²) − hℓ'(x² + y²) and x⁺² + y⁺² = (x² + y²)(1 + h²ℓ'²) − 4hℓ's."""
    xp, yp = gd_step()
    s, q = x * y, x**2 + y**2
    return (
        _prove("F4 product", r"x_+y_+ = s(1+h^2\ell'^2) - h\ell'(x^2+y^2)", xp * yp - (s * (1 + h**2 * ell1**2) - h * ell1 * q)),
        _prove("F4 norm", r"x_+^2+y_+^2 = (x^2+y^2)(1+h^2\ell'^2) - 4h\ell' s", xp**2 + yp**2 - (q * (1 + h**2 * ell1**2) - 4 * h * ell1 * s)),
    )


@cache
def linear_stability() -> Proof:
    """F6: on M the GD Jacobian I − h∇²f has eigenvalues 1 (along M) and 1 − hS (across)."""
    gd_map = sympy.Matrix([x, y]) - h * sympy.Matrix([sympy.diff(ELL(x * y), v) for v in (x, y)])
    jacobian = gd_map.jacobian([x, y]).applyfunc(_with_slopes).subs(ell1, 0)  # on M: ℓ'(μ) = 0
    sharpness = ell2 * (x**2 + y**2)
    return _prove(
        "F6 linear stability",
        r"\text{on } M:\ \operatorname{spec}(I - h\nabla^2 f) = \{1,\ 1 - hS\}",
        (lam * sympy.eye(2) - jacobian).det() - (lam - 1) * (lam - (1 - h * sharpness)),
    )


@cache
def gradient_flow_invariant() -> tuple[Proof, Proof]:
    """F7: gradient flow conserves x² − y²; on M, x² + y² = √((x² − y²)² + 4μ²)."""
    flow = [-_with_slopes(sympy.diff(ELL(x * y), v)) for v in (x, y)]  # ẋ, ẏ
    derivative = 2 * x * flow[0] - 2 * y * flow[1]
    return (
        _prove("F7 conserved imbalance", r"\tfrac{d}{dt}(x^2 - y^2) = 0 \text{ under } \dot\theta = -\nabla f", derivative),
        _prove("F7 norm from imbalance and product", r"(x^2+y^2)^2 = (x^2-y^2)^2 + 4(xy)^2", (x**2 + y**2) ** 2 - ((x**2 - y**2) ** 2 + 4 * (x * y) ** 2)),
    )


@cache
def imbalance_non_increasing() -> Proof:
    """T4(b): (x² − y²)² − (x⁺² − y⁺²)² = a(2 − a)(x² − y²)² ≥ 0 with a = h²ℓ'² ≥ 0 and 2 − a ≥ 0 (h|ℓ'| ≤ √2)."""
    xp, yp = gd_step()
    square, slack = sympy.Symbol("a", nonnegative=True), sympy.Symbol("sigma", nonnegative=True)
    return _prove_nonnegative(
        "T4(b) |x² − y²| non-increasing when h|ℓ'| ≤ √2",
        r"h|\ell'| \le \sqrt2 \implies (x^2-y^2)^2 - (x_+^2-y_+^2)^2 = h^2\ell'^2\,(2 - h^2\ell'^2)\,(x^2-y^2)^2 \ge 0",
        (x**2 - y**2) ** 2 - (xp**2 - yp**2) ** 2,
        square * slack * (x**2 - y**2) ** 2,
        {square: h**2 * ell1**2, slack: 2 - h**2 * ell1**2},
    )


@cache
def gf_sharpness_monotone() -> tuple[Proof, Proof]:
    """A8: S_GF(θ⁺)² − S_GF(θ)² = ℓ''(μ)²((1 − h²ℓ'²)² − 1)(x² − y²)² (an identity), hence S_GF(θ⁺) ≤ S_GF(θ) when
    h|ℓ'| ≤ √2 (an inequality, certified: S_GF(θ)² − S_GF(θ⁺)² = ℓ''(μ)²·a(2 − a)(x² − y²)², a = h²ℓ'²)."""
    xp, yp = gd_step()
    curvature = sympy.Symbol("c", positive=True)
    square, slack = sympy.Symbol("a", nonnegative=True), sympy.Symbol("sigma", nonnegative=True)

    def squared(a, b):
        return curvature**2 * ((a**2 - b**2) ** 2 + 4 * mu**2)

    return (
        _prove(
            "A8 S_GF update",
            r"S_{GF}(\theta_+)^2 - S_{GF}(\theta)^2 = \ell''(\mu)^2\big((1-h^2\ell'^2)^2-1\big)(x^2-y^2)^2",
            squared(xp, yp) - squared(x, y) - curvature**2 * ((1 - h**2 * ell1**2) ** 2 - 1) * (x**2 - y**2) ** 2,
        ),
        _prove_nonnegative(
            "A8 S_GF non-increasing when h|ℓ'| ≤ √2",
            r"h|\ell'| \le \sqrt2 \implies S_{GF}(\theta)^2 - S_{GF}(\theta_+)^2 = \ell''(\mu)^2 h^2\ell'^2(2-h^2\ell'^2)(x^2-y^2)^2 \ge 0",
            squared(x, y) - squared(xp, yp),
            curvature**2 * square * slack * (x**2 - y**2) ** 2,
            {square: h**2 * ell1**2, slack: 2 - h**2 * ell1**2},
        ),
    )


@cache
def residual_recursion() -> tuple[Proof, Proof]:
    """T6: with r = xy − μ, r⁺ = r(1 + h²ℓ'²) + μh²ℓ'² − hℓ'(x² + y²); with ℓ' = r·m, r⁺ = r(1 − hmq + h²m²r(μ + r)).

    (The first version of theory.md's T6 left out the μh²ℓ'² term; sympy shows it is needed when μ ≠ 0.)
    """
    xp, yp = gd_step()
    r, slope_ratio, q = sympy.symbols("r m q", real=True)
    residual_next = xp * yp - mu
    claimed = (x * y - mu) * (1 + h**2 * ell1**2) + mu * h**2 * ell1**2 - h * ell1 * (x**2 + y**2)
    first = _prove("T6 residual recursion", r"r_+ = r(1+h^2\ell'^2) + \mu h^2\ell'^2 - h\ell'(x^2+y^2)", residual_next - claimed)
    generic = r * (1 + h**2 * ell1**2) + mu * h**2 * ell1**2 - h * ell1 * q
    factored = r * (1 - h * slope_ratio * q + h**2 * slope_ratio**2 * r * (mu + r))
    second = _prove(
        "T6 contraction factor",
        r"\ell'(s) = r\,m \implies r_+ = r\,\big(1 - h m q + h^2 m^2 r(\mu + r)\big),\ q = x^2+y^2",
        generic.subs(ell1, r * slope_ratio) - factored,
    )
    return first, second


@cache
def balancing_bound() -> Proof:
    """T4(d): on M with hS ≤ 2, (|x| − |y|)² ≤ 2/(hℓ''(μ)) − 2|μ|.

    Certificate: 2/(hℓ''(μ)) − 2|xy| − (|x| − |y|)² = σ/(hℓ''(μ)) with σ = 2 − hℓ''(μ)(x² + y²) = 2 − hS ≥ 0
    (the hypothesis hS ≤ 2, and S = ℓ''(μ)(x² + y²) on M by F2); h, ℓ''(μ) > 0.
    """
    curvature = sympy.Symbol("c", positive=True)  # ℓ''(μ) > 0
    slack = sympy.Symbol("sigma", nonnegative=True)  # 2 − hS ≥ 0 by hypothesis
    return _prove_nonnegative(
        "T4(d) balancing bound",
        r"xy=\mu,\ h\ell''(\mu)(x^2+y^2)\le 2 \implies \frac{2}{h\ell''(\mu)} - 2|\mu| - (|x|-|y|)^2 = \frac{2 - hS}{h\ell''(\mu)} \ge 0",
        2 / (h * curvature) - 2 * sympy.Abs(x * y) - (sympy.Abs(x) - sympy.Abs(y)) ** 2,
        slack / (h * curvature),
        {slack: 2 - h * curvature * (x**2 + y**2)},
    )


@cache
def no_global_lipschitz_gradient() -> tuple[Proof, Proof]:
    """F5: along the witness θ_t = (t, μ/t) ∈ M the Hessian is ℓ''(μ)vvᵀ, v = (μ/t, t), so
    ‖∇²f(θ_t)‖ = ℓ''(μ)(t² + μ²/t²) (its characteristic polynomial is λ(λ − ℓ''(μ)(t² + μ²/t²))),
    and this tends to ∞ as t → ∞ when ℓ''(μ) ≠ 0: no global Lipschitz constant for ∇f.
    """
    t, curvature = sympy.Symbol("t", positive=True), sympy.Symbol("c", positive=True)
    hessian = sympy.hessian(ELL(x * y), (x, y)).applyfunc(_with_slopes).subs({ell1: 0, ell2: curvature}).subs({x: t, y: mu / t})
    norm = curvature * (t**2 + mu**2 / t**2)
    spectrum = _prove(
        "F5 Hessian along the witness",
        r"\theta_t=(t,\mu/t):\ \operatorname{spec}\nabla^2 f(\theta_t) = \{0,\ \ell''(\mu)(t^2+\mu^2/t^2)\},\ \|\nabla^2 f(\theta_t)\| = \ell''(\mu)(t^2+\mu^2/t^2)",
        (lam * sympy.eye(2) - hessian).det() - lam * (lam - norm),
    )
    limit = sympy.limit(norm, t, sympy.oo)
    unbounded = Proof(
        "F5 witness unbounded",
        r"\ell''(\mu) > 0 \implies \lim_{t\to\infty} \ell''(\mu)(t^2+\mu^2/t^2) = \infty",
        "sympy.limit" if limit == sympy.oo else None,
    )
    return spectrum, unbounded


@cache
def uv_model_updates() -> tuple[Proof, Proof]:
    """A2 (Lewkowycz et al.): for f = vᵀu/√m, loss ½(f − y)², NTK λ = (|u|² + |v|²)/m, any width m.

    Written with the Gram quantities A = |u|², B = |v|², C = uᵀv, which is valid in every dimension:
    u⁺ = u − η(f − y)v/√m, v⁺ = v − η(f − y)u/√m.
    """
    A, B, C, target = sympy.symbols("A B C y_target", real=True)
    f = C / sympy.sqrt(m)
    error = f - target
    c = eta * error / sympy.sqrt(m)
    # u⁺ = u − c v, v⁺ = v − c u: Gram quantities after the step
    A_next = A - 2 * c * C + c**2 * B
    B_next = B - 2 * c * C + c**2 * A
    C_next = C - c * (A + B) + c**2 * C
    ntk = (A + B) / m
    f_next = C_next / sympy.sqrt(m)
    ntk_next = (A_next + B_next) / m
    return (
        _prove("A2 output update", r"f_+ = f - \eta\lambda(f-y) + \tfrac{\eta^2}{m}(f-y)^2 f", f_next - (f - eta * ntk * error + eta**2 / m * error**2 * f)),
        _prove("A2 NTK update", r"\lambda_+ = \lambda + \tfrac{\eta(f-y)}{m}\big(\eta\lambda(f-y) - 4f\big)", ntk_next - (ntk + eta * error / m * (eta * ntk * error - 4 * f))),
    )


@cache
def zhu_eos_minimum() -> tuple[Proof, Proof, Proof]:
    """A3: ℓ = (s² − 1)²/4 has ℓ''(1) = 2, so on M S = 2(x² + y²); the η-EoS minimum {xy = 1, x² + y² = 1/η}
    exists iff η ≤ 1/2: "only if" by x² + y² − 2 = (x − y)² ≥ 0 on xy = 1 (a certified inequality), "if" by the
    explicit point x² = (1/η + √(1/η² − 4))/2, y = 1/x (an identity)."""
    s = sympy.Symbol("s", real=True)
    curvature = sympy.diff((s**2 - 1) ** 2 / 4, s, 2).subs(s, 1)
    inverse = sympy.Symbol("a", positive=True)  # 1/η
    slack = sympy.Symbol("sigma", nonnegative=True)  # 1/η² − 4 ≥ 0, i.e. η ≤ 1/2
    x_squared = (inverse + sympy.sqrt(slack)) / 2
    return (
        _prove("A3 sharpness on M", r"\ell''(1) = 2 \implies S|_M = 2(x^2+y^2)", curvature - 2),
        _prove_nonnegative(
            "A3 EoS minimum needs η ≤ 1/2",
            r"xy = 1 \implies x^2+y^2-2 = (x-y)^2 \ge 0,\ \text{so } x^2+y^2 = \tfrac1\eta \text{ needs } \eta \le \tfrac12",
            (x**2 + y**2 - 2 * x * y),
            (x - y) ** 2,
        ),
        _prove(
            "A3 EoS minimum exists for η ≤ 1/2",
            r"\eta \le \tfrac12,\ x^2 = \tfrac12\big(\tfrac1\eta + \sqrt{\tfrac1{\eta^2}-4}\big),\ y = \tfrac1x \implies xy = 1,\ x^2+y^2 = \tfrac1\eta",
            (x_squared + 1 / x_squared - inverse).subs(slack, inverse**2 - 4),
        ),
    )


@cache
def two_cycles() -> tuple[Proof, ...]:
    """A4 (Chen & Bruna): the 2-cycle of GD on ¼(x² − μ)² and its multiplier; the 2-cycle ±√(h − 1) of log(1 + x²)."""
    g = sympy.Lambda(x, x - eta * x * (x**2 - mu_pos))
    root_plus, root_minus = sympy.sqrt(mu_pos + 3 / eta), sympy.sqrt(mu_pos - 1 / eta)
    p_plus, p_minus = (root_plus + root_minus) / 2, (root_plus - root_minus) / 2
    slope = sympy.Lambda(x, sympy.diff(g(x), x))
    log_map = sympy.Lambda(x, x - h * sympy.diff(sympy.log(1 + x**2), x))
    return (
        _prove("A4 2-cycle (+)", r"g(p_+) = p_-,\ g(x) = x - \eta x(x^2-\mu),\ p_\pm = \tfrac12\big(\sqrt{\mu+3/\eta} \pm \sqrt{\mu-1/\eta}\big)", g(p_plus) - p_minus),
        _prove("A4 2-cycle (-)", r"g(p_-) = p_+", g(p_minus) - p_plus),
        _prove("A4 multiplier", r"g'(p_+)g'(p_-) = 9 - 2(1+\eta\mu)^2", slope(p_plus) * slope(p_minus) - (9 - 2 * (1 + eta * mu_pos) ** 2)),
        _prove("A4 log 2-cycle", r"x - h\tfrac{2x}{1+x^2}\Big|_{x=\sqrt{h-1}} = -\sqrt{h-1}", log_map(sympy.sqrt(h - 1)) + sympy.sqrt(h - 1)),
    )


def all_proofs() -> list[Proof]:
    """Every identity above, for the LaTeX report and the test suite."""
    return [
        hessian_structure(),
        sharpness_on_minimisers(),
        flattest_minimiser(),
        imbalance_identity(),
        *product_and_norm_updates(),
        linear_stability(),
        *gradient_flow_invariant(),
        imbalance_non_increasing(),
        *gf_sharpness_monotone(),
        *residual_recursion(),
        balancing_bound(),
        *no_global_lipschitz_gradient(),
        *uv_model_updates(),
        *zhu_eos_minimum(),
        *two_cycles(),
    ]
