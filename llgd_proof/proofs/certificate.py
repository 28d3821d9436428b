"""The LaTeX write-up of a proof: a proposition and its computer-assisted proof.

Every sentence states a fact that :mod:`llgd_proof.checker` re-derives from the certificate: the enclosure
of θ_K, the minimiser interval, the region's ρ, drift and slope bounds, the limit box, the T6 step bound,
the Krawczyk box, the orbit boxes and the multiplier. The proposition claims nothing else (a periodic orbit
is stated for the map F, not for the orbit of θ0, which is only observed numerically). Certificates are read,
written and re-checked by :mod:`llgd_proof.checker` (``load``, ``write``, ``recheck``).
"""

from __future__ import annotations

from collections.abc import Sequence

from llgd_proof.checker import CertificateError, recheck
from llgd_proof.proofs.tex import tex_text


# -- LaTeX --------------------------------------------------------------------------------------------
def _tex_number(text: str, digits: int = 16, upward: bool = True) -> str:
    """A decimal string as LaTeX, rounded to ``digits`` significant digits (up by default: an upper bound stays one)."""
    from decimal import Decimal, localcontext
    from fractions import Fraction

    from llgd_proof.symbolic.arb import _decimal

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


def latex_document(result) -> str:
    """A standalone LaTeX document: the proposition and its computer-assisted proof.

    A proof's certificate is re-checked first (CertificateError when it fails), so every number printed is one
    the checker derived."""
    if result.certificate is not None:
        checked = recheck(result.certificate)
        if not checked.valid:
            raise CertificateError(f"the certificate does not recheck ({checked.failures[0]}); no LaTeX proof is written for it")
    inputs = result.inputs
    if inputs.get("loss") is not None:
        what = rf"$f(x, y) = \ell(x^\top y)$ with the loss \texttt{{{tex_text(inputs['loss'])}}}" + (
            rf" ($\mu = {tex_text(inputs['mu'])}$)" if inputs.get("mu") else ""
        ) + (rf", $x, y \in \mathbb{{R}}^{{{inputs['dim']}}}$" if inputs.get("dim", 1) > 1 else "")
    else:
        what = rf"$f({tex_text(', '.join(inputs['variables']))}) = $ \texttt{{{tex_text(inputs['objective'])}}}"
    start = ", ".join(tex_text(v) for v in inputs["init"])
    attraction = (result.certificate or {}).get("attraction")
    iteration = (
        rf"and let $F(\theta) = \theta - h\nabla f(\theta)$ with $h = {tex_text(inputs['h'])}$."
        if result.outcome == "periodic" and attraction is None
        else rf"and let $\theta_{{k+1}} = \theta_k - h\nabla f(\theta_k)$ with $h = {tex_text(inputs['h'])}$ and $\theta_0 = ({start})$."
    )
    lines = [
        r"\documentclass{article}",
        r"\usepackage{amsmath,amssymb,amsthm}",
        r"\newtheorem{proposition}{Proposition}",
        r"\begin{document}",
        r"\begin{proposition}",
        rf"Let {what}, {iteration}",
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
        certificate, rate = result.certificate, result.rate
        box = r" \times ".join(_tex_interval(pair) for pair in result.limit_box)
        enclosure = r" \times ".join(_tex_interval(pair) for pair in certificate["enclosure"])
        lines += [
            rf"Let $\mu^*$ be the zero of $\ell'$ in $[\mu_-, \mu_+] = {_tex_interval(certificate['minimiser'])}$.",
            r"Then $\theta_k \to \theta_\infty$ with $x_\infty^\top y_\infty = \mu^*$, and",
            rf"\[ \theta_\infty \in {box}, \]",
            rf"\[ \tfrac{{h S(\theta_\infty)}}{{2}} \in {_tex_interval(result.eos_ratio)}, \qquad \|x_\infty\|^2 - \|y_\infty\|^2 \in {_tex_interval(result.imbalance)}; \]",
            rf"moreover $|x_k^\top y_k - \mu^*| \le 10^{{-8}}$ for every $k \ge {rate['steps_to_epsilon']}$.",
            r"\end{proposition}",
            r"\begin{proof}[Computer-assisted proof]",
            rf"Every number below is a rigorous Arb ball enclosure at {result.bits} bits, computed from the exact inputs (each literal an exact rational),",
            r"and every inequality is re-derived from the certificate by \texttt{llgd recheck}.",
            r"Interval evaluation gives $\ell'(\mu_-) < 0 < \ell'(\mu_+)$ and $\ell'' > 0$ on $[\mu_-, \mu_+]$, so $\ell'$ has exactly one zero $\mu^*$ there.",
            rf"Iterating the GD map on balls for $K = {result.steps_enclosed}$ steps encloses $\theta_K$ in",
            rf"\[ {enclosure}. \]",
            r"With $r = x^\top y - \mu^*$ and $q = \|x\|^2 + \|y\|^2$, theory F4 gives $r^+ = r\,g$ and $q^+ - q = h r m (h r m q - 4(\mu^* + r))$ with",
            r"$g = 1 - h m q + h^2 m^2 r(\mu^* + r)$ and $m \in \ell''([\mu^* - \bar r, \mu^* + \bar r])$ (mean-value theorem).",
            rf"On $R = \{{|r| \le \bar r,\ q \in [a, b]\}}$ with $\bar r = {_tex_number(certificate['region']['r_bar'])}$ and",
            rf"$[a, b] = {_tex_interval(certificate['region']['q_window'])}$, interval evaluation over $\mu^* \in [\mu_-, \mu_+]$ gives",
            rf"$\sup_R |g| \le \rho = {_tex_number(result.rho)} < 1$, $\sup |m| \le M = {_tex_number(certificate['slope_bound'])}$,",
            rf"$|q^+ - q| \le c\,|r|$ with $c = {_tex_number(certificate['drift_rate'])}$, and $c\,\bar r/(1 - \rho) \le D = {_tex_number(certificate['drift_bound'])}$.",
            r"The enclosure of $\theta_K$ satisfies $|r_K| \le \bar r$ and $q_K \in [a + D, b - D]$, so by induction every later iterate stays in $R$ and $|r_k| \le \rho^{k-K}\bar r$.",
            r"Since $\|\theta_{k+1} - \theta_k\|_2 = h|\ell'(s_k)|\sqrt{q_k} \le h M \sqrt{b}\,|r_k|$, the iterates converge to a point with $r = 0$ within",
            r"$h M \sqrt{b}\,\bar r/(1 - \rho)$ of $\theta_K$; the imbalance identity (F3) puts $\|x_\infty\|^2 - \|y_\infty\|^2$ in $(\|x_K\|^2 - \|y_K\|^2)[1 - \varepsilon, 1]$,",
            r"$\varepsilon = (h M \bar r)^2/(1 - \rho^2)$" + (r", and with $x_\infty y_\infty = \mu^*$ this gives the box above." if (inputs.get("dim") or 1) == 1 else r"; the box above is the first bound."),
            r"The EoS ratio is $h\ell''(\mu^*)(\|x_\infty\|^2 + \|y_\infty\|^2)/2$ (F2) over the box.",
            rf"The same inequalities hold at step $K_0 = {rate['K0']}$ on the region with $\bar r_0 = {_tex_number(rate['r_K0'])}$ and $q \in {_tex_interval(rate['q_window'])}$,",
            rf"with $\rho_0 \le {_tex_number(rate['rho'])}$; so $|r_k| \le \bar r_0\,\rho_0^{{k - K_0}} \le 10^{{-8}}$ for $k \ge K_0 + \lceil \log(\bar r_0/10^{{-8}})/\log(1/\rho_0) \rceil = {rate['steps_to_epsilon']}$ (T6).",
            r"\end{proof}",
        ]
    elif result.outcome == "diverges" and result.saturation:
        facts = result.saturation
        enclosure = r" \times ".join(_tex_interval(pair) for pair in result.certificate["enclosure"])
        lines += [
            r"Then $x_k^2 + y_k^2 \to \infty$: gradient descent diverges.",
            r"\end{proposition}",
            r"\begin{proof}[Computer-assisted proof]",
            rf"For $|s| \ge s_{{\min}} = {_tex_escape(facts['s_min'])}$ sympy proves that $\ell, \ell', \ell''$ are continuous, $\ell'' \ge 0$, $\ell'(\pm\infty) = \pm G$ with one finite $G > 0$,",
            r"and that $G|s| - \ell(s)$ has finite limits at $\pm\infty$; so $\varepsilon_\pm(r) = G \mp \ell'(\pm r) \ge 0$ decrease on $[s_{\min}, \infty)$ with finite integrals $J_\pm(r)$.",
            rf"Iterating GD on Arb balls at {result.bits} bits from the exact inputs encloses $(x_K, y_K)$, $K = {result.steps_enclosed}$, in ${enclosure}$.",
            rf"Interval evaluation gives $T = h\min(\ell'(s_{{\min}}), -\ell'(-s_{{\min}})) \ge {_tex_number(facts['slope_low'], upward=False)}$, so $g = T^2 - 1 \ge {_tex_number(facts['growth'], upward=False)} > 1$;",
            rf"with $u = x + y$, $v = x - y$ and $C^* = \log\frac{{hG + 1}}{{hG - 1}} \in {_tex_interval(facts['jump'])}$, the folded angle $b_K$ ($\log|u_K/v_K|$, plus $C^*$ when $x_K y_K < 0$)",
            rf"lies in ${_tex_interval(facts['folded_angle'])}$, at least $2\alpha$ inside $(0, C^*)$ with $\alpha = {_tex_number(facts['alpha'], upward=False)}$;",
            rf"$r_0 = \inf|x_K^2 - y_K^2|\sinh(\alpha)/2 \ge {_tex_number(facts['r0'], upward=False)} \ge s_{{\min}}$, and the drift bound",
            rf"$\Delta = \frac{{2h}}{{g}}\bigl(\varepsilon_+(r_0) + \varepsilon_-(r_0) + \frac{{J_+(r_0) + J_-(r_0)}}{{r_0(g - 1)}}\bigr) \le {_tex_number(facts['drift_bound'])} \le \alpha$.",
            r"By the saturation lemma (\texttt{llgd\_proof.checker.saturation}: $u^+ = u(1 - t)$, $v^+ = v(1 + t)$, $t = h\ell'(xy)$; the angle alternates in sign",
            r"with total drift at most $\Delta$, so $|xy| \ge s_{\min}$ and $|t| \ge T$ forever), $|x_k^2 - y_k^2| \ge g^{k-K}|x_K^2 - y_K^2| \to \infty$, and $x_k^2 + y_k^2 \ge |x_k^2 - y_k^2|$.",
            r"The certificate is re-checked by \texttt{llgd recheck}.",
            r"\end{proof}",
        ]
    elif result.outcome == "diverges":
        lines += [
            r"Then $|\theta_k| \to \infty$: gradient descent diverges.",
            r"\end{proposition}",
            r"\begin{proof}[Computer-assisted proof]",
            rf"With $F(x) = x - h f'(x)$, sympy expands $P(x) = F(x)^2 - c^2 x^2$ for $c = {tex_text(result.factor)}$ at $x = \pm(A + u)$, $A = {tex_text(result.threshold)}$,",
            r"and finds every coefficient of the resulting polynomials in $u$ non-negative; so $|F(x)| \ge c|x|$ whenever $|x| \ge A$.",
            rf"Iterating $F$ on Arb balls at {result.bits} bits from the exact inputs encloses $x_K$, $K = {result.steps_enclosed}$, in ${_tex_interval(result.certificate['enclosure'][0])}$, so $|x_K| \ge A$",
            r"and by induction $|x_k| \ge c^{k-K} A \to \infty$.",
            r"\end{proof}",
        ]
    elif result.outcome == "periodic":
        orbit = ",\\ ".join(r" \times ".join(_tex_interval(p) for p in box) for box in result.orbit_boxes)
        stability = {True: ", so the orbit is linearly stable", False: ", so the orbit is linearly unstable", None: "; its stability is not decided"}
        lines += [
            rf"Then $F$ has an orbit of exact period {result.period}, with one point in each of the boxes",
            rf"\[ {orbit}; \]",
            rf"its first point is the only fixed point of $F^{{{result.period}}}$ in the box $X$ of the certificate, and its multiplier",
            rf"(the spectral radius of $D(F^{{{result.period}}})$ on the orbit) lies in ${_tex_interval(result.multiplier)}${stability[result.stable]}.",
        ]
        if attraction is not None:
            lines.append(rf"Gradient descent from $\theta_0$ converges to this orbit: $\theta_{{K + {result.period}j + i}}$ tends to its $i$-th point as $j \to \infty$, with $K = {attraction['steps_enclosed']}$.")
        lines += [
            r"\end{proposition}",
            r"\begin{proof}[Computer-assisted proof]",
            rf"With $G = F^{{{result.period}}} - \mathrm{{id}}$, the Krawczyk operator",
            r"$K(X) = c - Y G(c) + (I - Y\,DG(X))(X - c)$, evaluated in Arb ball arithmetic at " + f"{result.bits} bits,",
            r"maps $X$ into its interior; hence $G$ has exactly one zero in $X$, and it lies in $K(X)$ (Krawczyk's theorem).",
            r"The images of $K(X)$ under $F^d$ for the proper divisors $d$ of the period miss $K(X)$, so the period is exact.",
            r"The orbit boxes are the images of $K(X)$ under $F^i$, and the multiplier is enclosed over them through the product of $I - h\nabla^2 f$.",
        ]
        if attraction is not None:
            enclosure = r" \times ".join(_tex_interval(pair) for pair in attraction["enclosure"])
            lines += [
                rf"On the box $X' = c \pm R$, $R = {_tex_number(attraction['radius'])}$ (max-norm), the interval product of the Jacobians over $F^i(X')$ gives",
                rf"$\|D(F^{{{result.period}}})\|_\infty \le L = {_tex_number(attraction['lipschitz'])} < 1$, and $\|F^{{{result.period}}}(c) - c\|_\infty \le \delta = {_tex_number(attraction['defect'])} \le (1 - L)R$;",
                rf"so $F^{{{result.period}}}$ maps $X'$ into itself as a contraction, its unique fixed point there is the orbit's first point (whose box lies in $X'$),",
                rf"and iterating $F$ on balls from $\theta_0$ encloses $\theta_K$ in ${enclosure} \subset X'$; hence $F^{{{result.period}j}}(\theta_K)$ converges to it, and by continuity",
                r"$\theta_{K + pj + i} = F^i(F^{pj}(\theta_K))$ converges to the $i$-th point.",
            ]
        else:
            lines.append(r"(That gradient descent from a given start approaches this orbit is observed numerically only; it is not part of this proposition.)")
        lines += [r"Every number is re-derived from the certificate by \texttt{llgd recheck}.", r"\end{proof}"]
    else:
        lines += [r"\end{proposition}", rf"Not proved: {tex_text(result.reason)}."]
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"
