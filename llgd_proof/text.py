"""Human-readable renderings of the JSON results (the CLI's default output)."""

from __future__ import annotations


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, list):
        return "(" + ", ".join(_fmt(v) for v in value) + ")"
    return str(value)


def format_run(data: dict) -> str:
    lines = [
        f"{data['objective']}",
        f"h = {_fmt(data['h'])}, start {_fmt(data['init'])}, {data['dps']} digits",
        f"status: {data['status']} after {data['steps']} steps ({data['reason']})",
        f"limit: {_fmt(data['limit'])}" + (f"  (period {data['period']})" if data["period"] else ""),
        f"sharpness: initial {_fmt(data['initial_sharpness'])}, final {_fmt(data['final_sharpness'])}, 2/h = {_fmt(2 / data['h'])}",
        f"EoS ratio hS/2: {_fmt(data['eos_ratio'])}; largest loss / initial loss: {_fmt(data['max_loss_ratio'])}",
    ]
    if "imbalance_initial" in data:
        lines.append(
            f"imbalance x²−y²: {_fmt(data['imbalance_initial'])} → {_fmt(data['imbalance_final'])}; "
            f"gradient-flow limit sharpness S_GF = {_fmt(data['gf_sharpness'])}"
        )
    flags = [name for name in ("catapult", "progressive_sharpening", "balancing") if data.get(name)]
    lines.append("phenomena: " + (", ".join(flags) if flags else "none flagged"))
    check = data.get("precision_check")
    if check:
        verdict = "agrees" if check["agrees"] else "DISAGREES"
        lines.append(f"precision check at {check['check_dps']} digits: {verdict} ({check['agreeing_digits']} digits agree)")
    return "\n".join(lines)


def format_regularity(data: dict) -> str:
    sup = "unbounded" if not data["lprime_bounded"] else f"bounded, sup|ℓ'| = {_fmt(data['lprime_sup'])} ({data['lprime_sup_method']})"
    return "\n".join(
        [
            f"loss ℓ(s) = {data['loss']}   [{data['provenance']}: this project's formalisation of 'good regularity']",
            f"minimiser μ = {_fmt(data['mu'])} ({data['mu_method']})",
            f"growth order p = {_fmt(data['growth_order'])} ({data['growth_order_method']})  →  class: {data['class']}",
            f"ℓ': {sup}",
            f"ℓ''(μ) = {_fmt(data['curvature_at_minimum'])};  α(μ) = 3ℓ'''² − ℓ''ℓ'''' = {_fmt(data['alpha'])}",
            (f"∇f globally Lipschitz: {'yes' if data['globally_lipschitz_gradient'] else 'no'} "
             f"(witness θ_t = ({', '.join(data['witness']['point'])}), ‖∇²f(θ_t)‖ = {data['witness']['hessian_norm']})"),
            f"maximal stable step 1/(|μ|ℓ''(μ)) = {_fmt(data['max_stable_h'])}",
        ]
    )
