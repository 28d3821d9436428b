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
    if data.get("precision_check"):
        lines.append(_precision_text(data["precision_check"], data["status"]))
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


def _version_text(data: dict) -> str:
    text = f"v{data.get('version', 1)}, {data.get('status', 'current')}"
    if data.get("kind") and data["kind"] != "pointwise":
        text += f", {data['kind']}"
    return text


def format_theorems(listing: list[dict]) -> str:
    """One line per theorem (id, provenance, version and status, title), its note, and for a refuted variant
    its counterexample and the command that reproduces it."""
    width = max(len(t["id"]) for t in listing)
    lines = []
    for item in listing:
        lines.append(f"{item['id'].ljust(width)}  {item['provenance']:<26}  {_version_text(item):<24}  {item['title']}")
        pad = " " * (width + 2)
        if item.get("note"):
            lines.append(f"{pad}note: {item['note']}")
        if item.get("replaced_by"):
            lines.append(f"{pad}replaced by: {item['replaced_by']}")
        if item.get("replaces"):
            lines.append(f"{pad}replaces: {item['replaces']}")
        if item.get("counterexample"):
            lines.append(f"{pad}counterexample: {_case_text(item['counterexample'])}")
            lines.append(f"{pad}reproduce: {item['reproduce']}")
    return "\n".join(lines)


def format_check(data: dict) -> str:
    lines = [
        f"{data['theorem']} — {data['title']}   [{data['provenance']}; {_version_text(data)}]",
    ]
    if data.get("note"):
        lines.append(f"note: {data['note']}")
    objective = (data.get("evidence") or {}).get("objective")
    if objective and "objective" in data["case"] and objective.startswith("f = ell("):
        lines.append(f"recognised as the product family: {objective}")
    lines += [
        f"case: {_case_text(data['case'])}"
        + (f"   ({', '.join(data['defaults_from_theorem'])} from the theorem's built-in case)" if data.get("defaults_from_theorem") else ""),
        f"verdict: {data['verdict'].upper()}",
        "hypotheses:",
    ]
    lines += [f"  [{'x' if f['met'] else ' ' if f['met'] is False else '?'}] {f['name']}: {f['detail']}" for f in data["hypotheses"]]
    conclusion = data["conclusion"]
    mark = {True: "holds", False: "FAILS", None: "undecided"}[conclusion["holds"]]
    lines.append(f"conclusion ({conclusion['name']}): {mark} — {conclusion['detail']}")
    for proof in data["proofs"]:
        lines.append(f"proof: {proof['name']}: {'proved (' + proof['method'] + ')' if proof['proved'] else 'NOT proved'}")
    evidence = data["evidence"]
    if evidence.get("kind") == "comparative":  # two seeded float64 samples, not one trajectory
        lines.append(f"sampled: {evidence['samples']} starts in box {evidence['box']}, seed {evidence['seed']}, restricted to {evidence['restriction']} (float64 batch engine)")
    elif evidence.get("kind") == "comparative-proved":  # two certified basins, not one trajectory
        lines.append(f"certified basins: box {evidence['box']}, depth {evidence['depth']}, " + ", ".join(
            f"{role} {len(evidence[role].get('failures') or [])} checker failures, leaves {evidence[role]['leaves']}" for role in ("good", "square")))
    elif evidence:
        lines.append(f"run: {evidence.get('status')} in {evidence.get('steps')} steps; " + _precision_text(evidence.get("precision_check"), evidence.get("status")))
    if evidence.get("established"):
        lines.append(f"established: {_established_text(evidence)}")
    return "\n".join(lines)


def _established_text(evidence: dict) -> str:
    """"proved" (a computer-assisted proof on Arb balls) or "checked numerically", with the proof's gist."""
    proof = evidence.get("proof")
    if evidence["established"] == "proved" and evidence.get("kind") == "comparative-proved":
        return "proved (two basin certificates re-verified by the independent checker; `llgd basin` writes them)"
    if evidence["established"] == "proved":
        detail = f"{proof['outcome']}, {proof['bits']} bits, {proof['seconds']:g} s"
        if proof.get("limit_box"):
            detail += ", limit box " + " × ".join(f"[{float(lo):.12g}, {float(hi):.12g}]" for lo, hi in proof["limit_box"])
        return f"proved (computer-assisted: {detail}; `llgd prove` writes its certificate)"
    if evidence.get("proof_conflict"):
        return f"checked numerically (a proof disagrees: {evidence['proof_conflict']})"
    if proof:
        return f"checked numerically (proof not found: {proof['reason']})"
    return "checked numerically"


def _case_text(case: dict) -> str:
    what = f"loss {case['loss']}" if "loss" in case else f"f = {case.get('objective')} in {','.join(case.get('variables', []))}"
    extra = "".join(f", {k} = {case[k]}" for k in ("mu", "dim") if k in case and case[k] not in (1, None))
    return f"{what}{extra}, h = {case['h']}, start ({', '.join(case['init'])})"


def _precision_text(check, status) -> str:
    """A diverged run is compared by its status only: its escaping iterates need not agree in any digit."""
    if not check:
        return "no precision check"
    detail = "status compared" if status == "diverged" else f"{check['agreeing_digits']:g} digits agree"
    return f"precision check at {check['check_dps']} digits: {'agrees' if check['agrees'] else 'DISAGREES'} ({detail})"


def _verdict_table(results: list[dict]) -> list[str]:
    rows = [("theorem", "provenance", "case", "verdict")]
    for result in results:
        case = result["case"]
        label = case.get("label") or _case_text(case)
        verdict = result["verdict"] + (" (proved)" if (result.get("evidence") or {}).get("established") == "proved" else "")
        rows.append((result["theorem"], result["provenance"], label[:58], verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def _count_text(counts: dict) -> str:
    return ", ".join(f"{n} {verdict}" for verdict, n in counts.items())


def format_verify(data: dict) -> str:
    substantive = [r for r in data["results"] if r.get("kind", "pointwise") != "consistency"]
    consistency = [r for r in data["results"] if r.get("kind") == "consistency"]
    lines = ["fixed cases (substantive verdicts):", *_verdict_table(substantive)]
    if consistency:
        lines += ["", "consistency checks (can fail only through arithmetic):", *_verdict_table(consistency)]
    searches = data.get("searches", [])
    if searches:
        lines += ["", f"adversarial search (seed {data['seed']}, budget {data['budget_seconds']:g} s, shared by {len(searches)} theorems):"]
        for search in searches:
            lines.append(f"  {search['theorem']:<24} {search['examples']:>5} cases: {_count_text(search['counts'])}")
            for found in search["violations"][:3]:
                lines.append(f"    COUNTEREXAMPLE: {_case_text(found['case'])} — {found['conclusion']['detail']}")
    refuted = data.get("refuted", [])
    if refuted:
        lines += ["", "refuted variants (kept with their counterexamples):"]
        for item in refuted:
            state = ("still violated (proved)" if item.get("proved") else "still violated") if item["still_violated"] else f"NO LONGER VIOLATED ({item['verdict']})"
            lines.append(f"  {item['id']} (v{item['version']}, replaced by {item['replaced_by']}): {_case_text(item['counterexample'])} — {state}")
            lines.append(f"    reproduce: {item['reproduce']}")
            if item.get("proved"):
                lines.append(f"    proved: {item['proof']['reason']} (`llgd prove` writes its certificate)")
    lines.append("")
    lines.append(f"fixed: {len(substantive)} cases: {_count_text(data.get('fixed', data['counts']))}")
    if "proved" in data:
        holds = sum(1 for r in data["results"] if (r.get("evidence") or {}).get("established"))
        lines.append(
            f"proved: {data['proved']} of {holds} holds by computer-assisted proof (Arb balls; {data.get('proof_attempts', 0)} tried), the rest checked numerically"
        )
    if consistency:
        lines.append(f"consistency: {len(consistency)} checks: {_count_text(data['consistency'])}")
    if searches:
        lines.append(f"searched: {sum(s['examples'] for s in searches)} cases: {_count_text(data['searched'])}")
    if refuted:
        proved = sum(1 for r in refuted if r.get("proved"))
        lines.append(f"refuted: {len(refuted)} variants, {sum(1 for r in refuted if r['still_violated'])} counterexamples still violate them"
                     + (f" ({proved} proved by a divergence certificate)" if proved else ""))
    lines.append(f"{data['elapsed_seconds']:.1f} s in all")
    lines.append("paper-claim = this project's formalisation of a claim of the seed paper (not its quoted constants)")
    lines.append("verdict: OK (no current formalisation violated)" if data["ok"] else "verdict: A CURRENT FORMALISATION IS VIOLATED")
    return "\n".join(lines)


def format_family(data: dict) -> str:
    counts = ", ".join(f"{n} {verdict}" for verdict, n in data["counts"].items())
    lines = [
        f"{data['theorem']}   [{data['provenance']}]   loss family: {data['loss']} {data.get('parameters') or ''}",
        f"{data['examples']} examples (seed {data['seed']}) in {data['elapsed_seconds']:.1f} s: {counts}"
        + (f" (checked on Dask: {data['chunks']} chunks, {data['workers']} workers)" if data.get("chunks") else ""),
    ]
    found = data["counterexample"]
    if found is None:
        lines.append("no counterexample found")
    else:
        lines.append(f"shrunk counterexample: {_case_text(found['case'])}")
        lines.append(f"  {found['conclusion']['name']}: {found['conclusion']['detail']}")
        confirmation = data.get("confirmation") or {}
        lines.append(f"  confirmed at {confirmation.get('dps')} digits: {'yes' if data['confirmed'] else 'NO'} ({confirmation.get('verdict')})")
    return "\n".join(lines)


def format_atlas(data: dict) -> str:
    head = ("loss", "class", "conv", "div", "per", "undec", "EoS|c", "cat|c", "bal|c", "med ratio")
    rows = [head]
    for entry in data["losses"]:
        fractions, among = entry["fractions"], entry["among_converged"]
        rows.append((
            entry["loss"][:28], entry["regularity_class"],
            *(f"{fractions[k]:.1%}" for k in ("converged", "diverged", "periodic", "undecided")),
            *("—" if among[k] is None else f"{among[k]:.1%}" for k in ("eos", "catapult", "balancing")),
            _fmt(entry["median_eos_ratio"]) if entry["median_eos_ratio"] is None else f"{entry['median_eos_ratio']:.4f}",
        ))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
    lines = [(f"atlas at h = {data['h']:g}: {data['losses'][0]['starts']} starts ({data['mode']}), box |x0|,|y0| in {data['box']}, "
             f"{'same-sign' if data['same_sign'] else 'any sign'}, budget {data['max_steps']} steps, {data['elapsed_seconds']:.1f} s")]
    lines += ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) for row in rows]
    confirms = [e["confirm"] for e in data["losses"] if e.get("confirm")]
    if confirms:
        lines.append("mpmath confirmation: " + ", ".join(f"{e['loss']}: {e['confirm']['agreement']:.0%} of {e['confirm']['checked']}" for e in data["losses"] if e.get("confirm")))
    if data.get("plot"):
        lines.append(f"plot: {data['plot']}")
    cache = data.get("cache") or {}
    if cache:
        lines.append(f"chunks: {cache.get('computed', 0)} computed, {cache.get('cached', 0)} from cache")
    return "\n".join(lines)


def format_sweep(data: dict) -> str:
    lines = [f"{data['objective']} from {tuple(data['init'])}", "h           status      period  EoS ratio  max loss ratio  final imbalance"]
    for row in data["rows"]:
        lines.append(
            f"{row['h']:<11.6g} {row['status']:<11} {row['period'] or ''!s:<7} {_short(row['eos_ratio']):<10} "
            f"{_short(row['max_loss_ratio']):<15} {_short(row['imbalance_final'])}"
        )
    if data.get("plot"):
        lines.append(f"plot: {data['plot']}")
    return "\n".join(lines)


def _short(value) -> str:
    return "—" if value is None else f"{value:.6g}"


def format_network(data: dict) -> str:
    config = data["config"]
    lines = [
        (f"{config['loss']} loss, {config['activation']}{' + batch norm' if config['batch_norm'] else ''}, width {config['width']}, "
        f"{config['samples']} digits, {config['steps']} full-batch GD steps, start norms {config['init_norms']}"),
        f"h = {data['h']:.6g} (2/h = {data['two_over_h']:.6g}); initial sharpness S0 = {data['initial_sharpness']:.6g}",
        f"status: {data['status']}" + (f" at step {data['diverged_at']}" if data["diverged_at"] is not None else ""),
        f"final sharpness {_short(data['final_sharpness'])}; EoS ratio hS/2 = {_short(data['eos_ratio'])} (last 10%: {_short(data['tail_eos_ratio'])})",
        f"loss {data['initial_loss']:.6g} → {_short(data['final_loss'])}; largest loss / initial {_short(data['max_loss_ratio'])}",
        f"balance (‖W1‖ − ‖W2‖)²: {data['balance_initial']:.6g} → {_short(data['balance_final'])}",
        f"sharpness by Lanczos on Hessian-vector products ({data['hessian_vector_products']} products): "
        + ("converged" if data["sharpness_converged"] else "NOT always converged"),
    ]
    if data.get("plot"):
        lines.append(f"plot: {data['plot']}")
    return "\n".join(lines)


def format_proof(data: dict) -> str:
    """Text for ``llgd prove``: the outcome, its enclosures, and where the certificate went."""
    lines = [f"outcome: {data['outcome']}  ({data['reason']})"]
    if data["outcome"] == "converges":
        what = "certified region" if data["rate"] else "contraction ball, sup|DF|"
        lines.append(f"  enclosed {data['steps_enclosed']} steps at {data['bits']} bits; {what}: rho <= {data['rho'][:14]}…")
        lines += [f"  limit coordinate {i + 1} in [{lo}, {hi}]" for i, (lo, hi) in enumerate(data["limit_box"])]
        lines.append(f"  EoS ratio hS/2 in [{data['eos_ratio'][0]}, {data['eos_ratio'][1]}]")
        if data["imbalance"]:
            lines.append(f"  imbalance in [{data['imbalance'][0]}, {data['imbalance'][1]}]")
        rate = data["rate"]
        if rate:
            lines.append(f"  T6: region first reached at K0 = {rate['K0']} (rho <= {rate['rho']}); |r| <= {rate['epsilon']} after at most {rate['steps_to_epsilon']} steps")
    elif data["outcome"] == "diverges" and data.get("saturation"):
        facts = data["saturation"]
        lines.append(f"  saturation lemma at K = {data['steps_enclosed']} ({data['bits']} bits), s_min = {facts['s_min']}: |x^2 - y^2| grows by >= {facts['growth'][:10]} a step,"
                     f" drift bound {facts['drift_bound'][:10]} <= alpha = {facts['alpha'][:10]}")
    elif data["outcome"] == "diverges":
        lines.append(f"  |x_K| >= {data['threshold']} at K = {data['steps_enclosed']} ({data['bits']} bits); |F(x)| >= {data['factor']}|x| beyond")
    elif data["outcome"] == "periodic":
        lines.append(f"  period {data['period']} proved by the Krawczyk test at {data['bits']} bits")
        for i, box in enumerate(data["orbit_boxes"]):
            lines.append(f"  orbit point {i + 1}: " + " x ".join(f"[{lo}, {hi}]" for lo, hi in box))
        if data["multiplier"]:
            lines.append(f"  multiplier in [{data['multiplier'][0]}, {data['multiplier'][1]}] — " + ("stable" if data["stable"] else "not proved stable"))
    if data.get("certificate_file"):
        lines.append(f"  certificate written to {data['certificate_file']}")
    lines.append(f"  {data['seconds']:.2f} s")
    return "\n".join(lines)
