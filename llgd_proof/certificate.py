"""Proof certificates: what a checker needs, the checker itself, and the LaTeX write-up.

A certificate is strict JSON. Inputs are the exact strings the user gave; every number is a decimal
string, intervals are [lo, hi] rounded outward, upper bounds are rounded up. The checker
:func:`recheck` is a small, separate path:

1. rebuild the objective from the input strings and check with sympy that ℓ'(μ) = 0;
2. recompute the enclosure of θ_K with its own K-step ball loop (θ ← θ − h∇f(θ) on Arb balls at the
   certificate's precision; for two variables the certificate may name the ``centred`` scheme of
   :class:`~llgd_proof.certified.CentredEnclosure`, which is then re-run) and require the stored enclosure
   to be exactly that (so one changed digit fails);
3. re-evaluate every inequality from the stored numbers (:func:`derive_converges`): |r_K| ≤ r̄,
   ρ = sup_R |g| < 1, the drift bound D, q_K ∈ [a + D, b − D], the limit box — and require the stored
   ρ, bounds and boxes to be the recomputed ones.

For an orbit it re-runs the Krawczyk test on the stored box and recomputes the orbit boxes and the
multiplier. The prover calls :func:`derive_converges` itself, so it only writes certificates that
this checker accepts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from flint import arb

from .arb_backend import from_decimal, interval_from_strings, interval_strings, upper_string, working_bits
from .contraction import BallRegion, region_factors
from .errors import LlgdInputError

KIND = "llgd-proof-certificate"


class CertificateError(LlgdInputError):
    """A certificate file is not valid JSON or lacks a field the checker needs."""


@dataclass
class RecheckResult:
    valid: bool
    failures: list[str]
    outcome: str

    def as_json(self) -> dict:
        return {"valid": self.valid, "outcome": self.outcome, "failures": self.failures}


# -- converges: the inequalities, from the stored strings -------------------------------------------
def derive_converges(objective, data: dict) -> tuple[dict, list[str]]:
    """Every derived number of a convergence certificate, and the inequalities that fail.

    Works only from ``data``'s strings: inputs, bits, enclosure of θ_K, r̄ and the q-window [a, b].
    """
    from .prove import limit_enclosure, strict_curvature

    failures: list[str] = []
    dim = objective.dim or 1
    compiled = objective.compiled("arb")
    with working_bits(int(data["bits"])):
        h = arb(data["inputs"]["h"])
        mu = compiled.minimiser()
        theta = [interval_from_strings(pair) for pair in data["enclosure"]]
        r_bar = from_decimal(data["region"]["r_bar"])
        a, b = (from_decimal(v) for v in data["region"]["q_window"])
        residual = sum((theta[i] * theta[dim + i] for i in range(dim)), arb(0)) - mu
        if not abs(residual) <= r_bar:
            failures.append("the enclosure of θ_K does not satisfy |x^T y − μ| ≤ r̄")
        factors = region_factors(strict_curvature(objective), h, mu, r_bar, a, b)
        if factors is None:
            return {}, failures + ["ℓ'' cannot be enclosed on [μ − r̄, μ + r̄] (a branch point is inside)"]
        rho, slope, rate = (from_decimal(upper_string(v)) for v in factors)
        if not rho < 1:
            return {"rho": upper_string(rho)}, failures + [f"the contraction factor ρ = {rho.upper().str(8, radius=False)} is not below 1"]
        drift = from_decimal(upper_string(rate * r_bar / (1 - rho)))
        norms = sum((t * t for t in theta), arb(0))
        if not (norms >= a + drift and norms <= b - drift):
            failures.append("q_K = ‖x_K‖² + ‖y_K‖² is not inside [a + D, b − D]: invariance of R is not certified")
        region = BallRegion(r_bar=r_bar, q_low=a, q_high=b, rho=rho, slope=slope, drift_rate=rate, drift=drift)
        box, imbalance = limit_enclosure(theta, h, mu, region, dim)
        if not all(c.is_finite() for c in box):
            failures.append("the limit box is empty or infinite")
            return {}, failures
        eos = h * compiled.curvature_at(mu) * sum((c * c for c in box), arb(0)) / 2
        derived = {
            "rho": upper_string(rho),
            "slope_bound": upper_string(slope),
            "drift_rate": upper_string(rate),
            "drift_bound": upper_string(drift),
            "limit_box": [interval_strings(c) for c in box],
            "eos_ratio": interval_strings(eos),
            "imbalance": interval_strings(imbalance),
        }
    return derived, failures


# -- diverges: an expanding region, checked by sympy -------------------------------------------------
def expansion_holds(objective, h_text: str, threshold: str, factor: str) -> bool:
    """True when sympy proves |F(x)| ≥ c|x| for every |x| ≥ A (one variable, f' a polynomial).

    P(x) = F(x)² − c²x² with F(x) = x − hf'(x); substituting x = ±(A + u) gives polynomials in u whose
    coefficients are exact rationals; if every coefficient is ≥ 0 then P ≥ 0 for u ≥ 0.
    """
    import sympy
    from fractions import Fraction

    (x,) = objective.variables
    h, a, c = (sympy.Rational(str(Fraction(v))) for v in (h_text, threshold, factor))
    step = x - h * objective.gradient[0]
    u = sympy.Symbol("u", nonnegative=True)
    polynomial = sympy.expand(step**2 - c**2 * x**2)
    if not polynomial.is_polynomial(x):
        return False
    for sign in (1, -1):
        shifted = sympy.Poly(sympy.expand(polynomial.subs(x, sign * (a + u))), u)
        if any(coefficient < 0 for coefficient in shifted.all_coeffs()):
            return False
    return True


def check_divergence(objective, data: dict) -> list[str]:
    """|x_K| ≥ A and |F(x)| ≥ c|x| on |x| ≥ A with c > 1, so |x_k| ≥ c^(k−K) A → ∞."""
    failures = []
    if objective.n_variables != 1:
        raise CertificateError("divergence certificates are for one variable")
    if not from_decimal(data["factor"]) > 1 or not from_decimal(data["threshold"]) > 0:
        failures.append("the expansion factor must exceed 1 and the threshold be positive")
    elif not expansion_holds(objective, data["inputs"]["h"], data["threshold"], data["factor"]):
        failures.append("sympy cannot prove |F(x)| ≥ c|x| for |x| ≥ A")
    with working_bits(int(data["bits"])):
        theta = interval_from_strings(data["enclosure"][0])
        if not abs(theta) >= from_decimal(data["threshold"]):
            failures.append("the enclosure of x_K is not outside [−A, A]")
    return failures


# -- the checker -----------------------------------------------------------------------------------
def load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise CertificateError(f"no certificate file {path!r}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CertificateError(f"{path!r} is not a readable JSON certificate ({error.__class__.__name__})") from None
    return data


def write(path: str, certificate: dict) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(certificate, handle, indent=1)
        handle.write("\n")


def _require(data: dict, *keys: str) -> None:
    missing = [k for k in keys if k not in data]
    if missing:
        raise CertificateError(f"the certificate lacks the field(s) {', '.join(missing)}")


def recheck(data: dict) -> RecheckResult:
    """Re-verify a certificate from scratch (module doc). Malformed input raises CertificateError."""
    from .prove import build_objective, certified_minimiser, validate_inputs

    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise CertificateError(f"not an llgd proof certificate (expected \"kind\": \"{KIND}\")")
    _require(data, "outcome", "inputs", "bits")
    outcome = data["outcome"]
    inputs = data["inputs"]
    if not isinstance(inputs, dict) or not isinstance(data["bits"], int) or not 64 <= data["bits"] <= 1_000_000:
        raise CertificateError("the certificate's inputs must be an object and bits an integer between 64 and 1000000")
    try:
        objective = build_objective(inputs)
        validate_inputs(objective, inputs["h"], inputs["init"])
        if outcome == "converges" and data.get("method") == "contraction":
            _require(data, "steps_enclosed", "enclosure", "ball", "rho", "defect", "limit_box", "eos_ratio")
            failures = _recheck_converges(objective, data, True)
        elif outcome == "converges":
            _require(data, "steps_enclosed", "enclosure", "region", "rho", "slope_bound", "drift_rate", "drift_bound", "limit_box", "eos_ratio", "imbalance")
            failures = _recheck_converges(objective, data, certified_minimiser(objective))
        elif outcome == "diverges":
            _require(data, "steps_enclosed", "enclosure", "threshold", "factor")
            failures = _recheck_enclosure(objective, data) + check_divergence(objective, data)
        elif outcome == "periodic":
            _require(data, "period", "box", "orbit_boxes", "multiplier")
            failures = _recheck_periodic(objective, data)
        else:
            raise CertificateError(f"cannot check a certificate with outcome {outcome!r} (converges, periodic or diverges)")
    except (KeyError, TypeError, ValueError, IndexError, ArithmeticError) as error:
        if isinstance(error, LlgdInputError):
            raise
        raise CertificateError(f"the certificate is malformed ({error.__class__.__name__}: {str(error)[:120]})") from None
    return RecheckResult(valid=not failures, failures=failures, outcome=outcome)


def _recheck_converges(objective, data: dict, minimiser_ok: bool) -> list[str]:
    method = data.get("method", "region")
    if method not in ("region", "contraction"):
        raise CertificateError(f"unknown proof method {method!r} (region or contraction)")
    failures = [] if minimiser_ok or method == "contraction" else ["sympy cannot prove ℓ'(μ) = 0: μ does not anchor the region"]
    failures += _recheck_enclosure(objective, data)
    derive = derive_converges if method == "region" else derive_contraction
    derived, inequality_failures = derive(objective, data)
    failures += inequality_failures
    for key, value in derived.items():
        if data.get(key) != value:
            failures.append(f"{key} is {data.get(key)!r} but the checker computes {value!r}")
    return failures


def _recheck_enclosure(objective, data: dict) -> list[str]:
    """Recompute θ_K from the exact inputs with the certificate's scheme; the stored enclosure must be it."""
    failures = []
    inputs = data["inputs"]
    steps = int(data["steps_enclosed"])
    if not 0 <= steps <= 10_000_000 or len(data["enclosure"]) != objective.n_variables:
        raise CertificateError("steps_enclosed or the enclosure's length does not fit the objective")
    compiled = objective.compiled("arb")
    gradient = compiled.gradient
    scheme = data.get("enclosure_scheme", "naive")
    if scheme not in ("naive", "centred") or (scheme == "centred" and objective.n_variables != 2):
        raise CertificateError(f"unknown enclosure scheme {scheme!r} for this objective")
    with working_bits(data["bits"]):
        h = arb(inputs["h"])
        theta = [arb(v) for v in inputs["init"]]
        if scheme == "naive":
            for _ in range(steps):
                theta = [t - h * g for t, g in zip(theta, gradient(*theta))]
        else:  # the two-enclosure scheme of certified.CentredEnclosure (its docstring says why it is sound)
            from .certified import CentredEnclosure

            enclosure = CentredEnclosure(compiled, compiled.strict_hessian, h, theta)
            for _ in range(steps):
                theta = enclosure.advance()
        recomputed = [interval_strings(t) if t.is_finite() else None for t in theta]
    for i, (mine, stored) in enumerate(zip(recomputed, data["enclosure"])):
        if mine != list(stored):
            failures.append(f"coordinate {i + 1} of the enclosure of θ_K is not the recomputed enclosure {mine}")
    return failures


def derive_contraction(objective, data: dict) -> tuple[dict, list[str]]:
    """A general objective (1 or 2 variables): F(θ) = θ − h∇f(θ) is a contraction of the ball B(c, R).

    From the stored strings (inputs, bits, enclosure of θ_K, centre c as dyadic numbers, radius R):
    L ≥ sup_{box(c, R)} ‖DF‖₂ (DF symmetric: its spectral radius; Hessian with branches decided),
    δ ≥ ‖F(c) − c‖₂. If L < 1 and δ ≤ (1 − L)R then F maps B(c, R) into itself and contracts it
    (Banach): from θ_K ∈ B(c, R) the iterates converge to the unique fixed point θ∞ in B(c, R), with
    ‖θ∞ − c‖₂ ≤ δ/(1 − L). L < 1 also gives 0 < λ(∇²f(θ∞)) < 2/h: a strict local minimiser.
    """
    from .arb_backend import Undecidable
    from .certified import _norm_upper, from_dyadic, spectral_radius

    failures: list[str] = []
    compiled = objective.compiled("arb")
    n = objective.n_variables
    with working_bits(int(data["bits"])):
        h = arb(data["inputs"]["h"])
        theta = [interval_from_strings(pair) for pair in data["enclosure"]]
        centre = [from_dyadic(pair) for pair in data["ball"]["centre"]]
        radius = from_decimal(data["ball"]["radius"])
        if len(centre) != n or n > 2 or not radius > 0:
            raise CertificateError("the contraction ball does not fit the objective (1 or 2 variables)")
        box = [c + arb(0, 1) * radius for c in centre]
        try:
            hessian = compiled.strict_hessian(*box)
        except Undecidable:
            return {}, failures + ["a branch of the Hessian is undecided on the ball: F is not known to be C¹ there"]
        spectral = spectral_radius(_jacobian_matrix(hessian, h, n))
        defect = _norm_upper([t - c for t, c in zip(compiled.step(centre, h), centre)])
        if not (spectral.is_finite() and defect.is_finite()):
            return {}, failures + ["‖DF‖ or ‖F(c) − c‖ cannot be bounded on the ball"]
        lipschitz = from_decimal(upper_string(spectral))
        defect = from_decimal(upper_string(defect))
        if not lipschitz < 1:
            failures.append("sup ‖DF‖₂ on the ball is not below 1")
        if not defect <= (1 - lipschitz) * radius:
            failures.append("‖F(c) − c‖ > (1 − L)R: F is not shown to map the ball into itself")
        if not _norm_upper([t - c for t, c in zip(theta, centre)]) <= radius:
            failures.append("the enclosure of θ_K is not inside the contraction ball")
        if failures:
            return {"rho": upper_string(lipschitz)}, failures
        bound = (defect / (1 - lipschitz)).upper()
        limit = [c + arb(0, 1) * bound for c in centre]
        limit_hessian = compiled.hessian_entries(*limit)
        sharpness = limit_hessian[0] if n == 1 else (limit_hessian[0] + limit_hessian[2]) / 2 + (
            ((limit_hessian[0] - limit_hessian[2]) / 2) * ((limit_hessian[0] - limit_hessian[2]) / 2) + limit_hessian[1] * limit_hessian[1]
        ).sqrt()
        derived = {
            "rho": upper_string(lipschitz),
            "defect": upper_string(defect),
            "limit_box": [interval_strings(c) for c in limit],
            "eos_ratio": interval_strings(h * sharpness / 2),
        }
    return derived, failures


def _jacobian_matrix(hessian, h, n):
    from flint import arb_mat

    if n == 1:
        return arb_mat([[1 - h * hessian[0]]])
    a, b, d = hessian
    return arb_mat([[1 - h * a, -h * b], [-h * b, 1 - h * d]])


def _recheck_periodic(objective, data: dict) -> list[str]:
    from .certified import from_dyadic, krawczyk

    failures = []
    compiled = objective.compiled("arb")
    with working_bits(data["bits"]):
        h = arb(data["inputs"]["h"])
        centre = [from_dyadic(pair) for pair in data["box"]["centre"]]
        radius = from_dyadic(data["box"]["radius"])
        if len(centre) != objective.n_variables or not radius > 0:
            raise CertificateError("the orbit box does not fit the objective")
        result = krawczyk(compiled, h, centre, int(data["period"]), radius=radius, newton_steps=0)
        if not result.proved:
            return [f"the Krawczyk test fails on the stored box: {result.reason}"]
        boxes = [[interval_strings(c) for c in box] for box in result.boxes]
        multiplier = interval_strings(result.multiplier) if result.multiplier is not None else None
    if boxes != data["orbit_boxes"]:
        failures.append("the orbit boxes are not the recomputed ones")
    if multiplier != data["multiplier"]:
        failures.append(f"the multiplier is {data['multiplier']!r} but the checker computes {multiplier!r}")
    return failures


# -- LaTeX --------------------------------------------------------------------------------------------
def _tex_number(text: str, digits: int = 16, upward: bool = True) -> str:
    """A decimal string as LaTeX, rounded to ``digits`` significant digits (up by default: an upper bound stays one)."""
    from decimal import Decimal, localcontext
    from fractions import Fraction

    from .arb_backend import _decimal

    value = Decimal(_decimal(Fraction(text), digits, upward) if Fraction(text) != 0 else "0")
    with localcontext() as context:
        context.prec = digits + 10
        return _tex_decimal(value)


def _tex_decimal(value) -> str:
    exponent = value.adjusted()
    if -4 <= exponent <= 4:
        return format(value, "f")
    mantissa = value.scaleb(-exponent)
    return rf"{format(mantissa.normalize(), 'f')}\times 10^{{{exponent}}}"


def _tex_interval(pair: Sequence[str]) -> str:
    return rf"[{_tex_number(pair[0], 22, upward=False)},\ {_tex_number(pair[1], 22, upward=True)}]"


def _tex_escape(text: str) -> str:
    return "".join({"_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "{": r"\{", "}": r"\}", "^": r"\^{}", "~": r"\~{}", "\\": r"\textbackslash{}"}.get(c, c) for c in text)


def latex_document(result) -> str:
    """A standalone LaTeX document: the proposition and its computer-assisted proof."""
    inputs = result.inputs
    if inputs.get("loss") is not None:
        what = rf"$f(x, y) = \ell(x^\top y)$ with the loss \texttt{{{_tex_escape(inputs['loss'])}}}" + (
            rf" ($\mu = {_tex_escape(inputs['mu'])}$)" if inputs.get("mu") else ""
        ) + (rf", $x, y \in \mathbb{{R}}^{{{inputs['dim']}}}$" if inputs.get("dim", 1) > 1 else "")
    else:
        what = rf"$f({_tex_escape(', '.join(inputs['variables']))}) = $ \texttt{{{_tex_escape(inputs['objective'])}}}"
    start = ", ".join(_tex_escape(v) for v in inputs["init"])
    lines = [
        r"\documentclass{article}",
        r"\usepackage{amsmath,amssymb,amsthm}",
        r"\newtheorem{proposition}{Proposition}",
        r"\begin{document}",
        r"\begin{proposition}",
        rf"Let {what}, and let $\theta_{{k+1}} = \theta_k - h\nabla f(\theta_k)$ with $h = {_tex_escape(inputs['h'])}$ and $\theta_0 = ({start})$.",
    ]
    if result.outcome == "converges" and result.certificate.get("method") == "contraction":
        box = r" \times ".join(_tex_interval(pair) for pair in result.limit_box)
        enclosure = r" \times ".join(_tex_interval(pair) for pair in result.certificate["enclosure"])
        lines += [
            rf"Then $\theta_k \to \theta_\infty$, a strict local minimiser of $f$, with $\theta_\infty \in {box}$ and",
            rf"$\tfrac{{h S(\theta_\infty)}}{{2}} \in {_tex_interval(result.eos_ratio)}$.",
            r"\end{proposition}",
            r"\begin{proof}[Computer-assisted proof]",
            rf"All numbers are rigorous Arb ball enclosures at {result.bits} bits from the exact decimal inputs.",
            rf"Iterating $F(\theta) = \theta - h\nabla f(\theta)$ on balls for $K = {result.steps_enclosed}$ steps encloses $\theta_K$ in ${enclosure}$,",
            rf"which lies in the Euclidean ball $B(c, R)$ with $R = {_tex_number(result.certificate['ball']['radius'])}$ around the centre $c$ of the certificate.",
            rf"On $B(c, R)$, interval evaluation of the symmetric Jacobian $I - h\nabla^2 f$ gives $\sup\|DF\|_2 \le L = {_tex_number(result.rho)} < 1$,",
            rf"and $\|F(c) - c\|_2 \le \delta = {_tex_number(result.certificate['defect'])} \le (1 - L)R$; so $F$ maps $B(c, R)$ into itself and contracts it.",
            r"By Banach's fixed-point theorem the iterates converge to the unique fixed point $\theta_\infty \in B(c, R)$, with",
            r"$\|\theta_\infty - c\|_2 \le \delta/(1 - L)$, which gives the box above; $L < 1$ means every eigenvalue of $\nabla^2 f(\theta_\infty)$ lies in $(0, 2/h)$.",
            r"The certificate is re-checked by \texttt{llgd recheck}.",
            r"\end{proof}",
        ]
    elif result.outcome == "converges":
        box = r" \times ".join(_tex_interval(pair) for pair in result.limit_box)
        enclosure = r" \times ".join(_tex_interval(pair) for pair in result.certificate["enclosure"])
        lines += [
            r"Then $\theta_k \to \theta_\infty$ with $\theta_\infty \in M = \{x^\top y = \mu\}$, and",
            rf"\[ \theta_\infty \in {box}, \]",
            rf"\[ \tfrac{{h S(\theta_\infty)}}{{2}} \in {_tex_interval(result.eos_ratio)}, \qquad \|x_\infty\|^2 - \|y_\infty\|^2 \in {_tex_interval(result.imbalance)}. \]",
            r"\end{proposition}",
            r"\begin{proof}[Computer-assisted proof]",
            rf"All numbers below are rigorous Arb ball enclosures at {result.bits} bits, computed from the exact decimal inputs.",
            rf"Iterating the GD map on balls for $K = {result.steps_enclosed}$ steps encloses $\theta_K$ in",
            rf"\[ {enclosure}. \]",
            r"With $r = x^\top y - \mu$ and $q = \|x\|^2 + \|y\|^2$, theory F4 gives $r^+ = r\,g$ with",
            r"$g = 1 - h m q + h^2 m^2 r(\mu + r)$, $m \in \ell''([\mu - \bar r, \mu + \bar r])$ (mean-value theorem).",
            rf"On $R = \{{|r| \le \bar r,\ q \in [a, b]\}}$ with $\bar r = {_tex_number(result.certificate['region']['r_bar'])}$ and",
            rf"$[a, b] = {_tex_interval(result.certificate['region']['q_window'])}$ interval evaluation gives",
            rf"$\rho = \sup_R |g| \le {_tex_number(result.rho)} < 1$ and a total drift of $q$ of at most $D = {_tex_number(result.certificate['drift_bound'])}$;",
            r"$\theta_K$ satisfies $|r_K| \le \bar r$ and $q_K \in [a + D, b - D]$, so $R$ is invariant and $|r_k| \le \rho^{k-K}\bar r$ for $k \ge K$.",
            r"Since $\|\theta_{k+1} - \theta_k\| \le h \sup|\ell''| \sqrt{b}\,|r_k|$, the iterates converge to a point with $r = 0$;",
            r"the box above combines this bound with the imbalance identity $x_{k+1}^2 - y_{k+1}^2 = (1 - h^2\ell'(s_k)^2)(x_k^2 - y_k^2)$ (F3).",
            rf"The first certified region is reached at step $K_0 = {result.rate['K0']}$ with $\rho_0 \le {_tex_number(result.rate['rho'])}$, so $|r_k| \le 10^{{-8}}$ after at most {result.rate['steps_to_epsilon']} steps (T6).",
            r"The certificate is re-checked by \texttt{llgd recheck}.",
            r"\end{proof}",
        ]
    elif result.outcome == "diverges":
        lines += [
            r"Then $|\theta_k| \to \infty$: gradient descent diverges.",
            r"\end{proposition}",
            r"\begin{proof}[Computer-assisted proof]",
            rf"With $F(x) = x - h f'(x)$, sympy expands $P(x) = F(x)^2 - c^2 x^2$ for $c = {_tex_escape(result.factor)}$ at $x = \pm(A + u)$, $A = {_tex_escape(result.threshold)}$,",
            r"and finds every coefficient of the resulting polynomials in $u$ non-negative; so $|F(x)| \ge c|x|$ whenever $|x| \ge A$.",
            rf"Iterating $F$ on Arb balls at {result.bits} bits from the exact inputs encloses $x_K$, $K = {result.steps_enclosed}$, in ${_tex_interval(result.certificate['enclosure'][0])}$, so $|x_K| \ge A$",
            r"and by induction $|x_k| \ge c^{k-K} A \to \infty$.",
            r"\end{proof}",
        ]
    elif result.outcome == "periodic":
        orbit = ",\\ ".join(r" \times ".join(_tex_interval(p) for p in box) for box in result.orbit_boxes)
        lines += [
            rf"Then GD has an orbit of exact period {result.period} with points in the boxes",
            rf"\[ {orbit}, \]",
            rf"and its multiplier (spectral radius of $D(F^{{{result.period}}})$) lies in ${_tex_interval(result.multiplier)}$"
            + (", so the orbit is linearly stable." if result.stable else "."),
            r"\end{proposition}",
            r"\begin{proof}[Computer-assisted proof]",
            rf"With $F(\theta) = \theta - h\nabla f(\theta)$ and $G = F^{{{result.period}}} - \mathrm{{id}}$, the Krawczyk operator",
            r"$K(X) = c - Y G(c) + (I - Y\,DG(X))(X - c)$, evaluated in Arb ball arithmetic at " + f"{result.bits} bits,",
            r"maps the box $X$ of the certificate into its interior; hence $G$ has exactly one zero in $X$ (Krawczyk's theorem).",
            r"Its images under $F^d$ for the proper divisors $d$ of the period are disjoint from $X$, so the period is exact.",
            r"The multiplier is enclosed by the product of $I - h\nabla^2 f$ over the orbit boxes.",
            r"\end{proof}",
        ]
    else:
        lines += [r"\end{proposition}", rf"Not proved: {_tex_escape(result.reason)}."]
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"
