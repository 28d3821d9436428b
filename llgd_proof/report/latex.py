"""LaTeX output: theorem pages, loss-specific bounds, regularity reports, and the standalone verify report.

Everything mathematical comes from sympy (``sympy.latex``) or from the theorem's own statement;
plain text (labels, details) is escaped by :func:`llgd_proof.proofs.tex.tex_text` (the one escape table, shared
with the proof certificates), and its Unicode maths symbols are mapped to LaTeX so the document compiles with a
minimal pdflatex (``texlive-latex-base``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from llgd_proof.analysis.regularity import RegularityReport
from llgd_proof.proofs.tex import tex_text
from llgd_proof.symbolic.losses import Loss
from llgd_proof.theorems.base import PAPER_CLAIM_NOTE, CheckResult, Theorem


def provenance_line(theorem: Theorem) -> str:
    if theorem.provenance == "paper-claim":
        return r"\textbf{Provenance:} \texttt{paper-claim} --- " + tex_text(PAPER_CLAIM_NOTE) + "."
    if theorem.provenance == "derived":
        return r"\textbf{Provenance:} \texttt{derived} --- exact algebra, proved symbolically by sympy in the tool."
    return r"\textbf{Provenance:} \texttt{" + tex_text(theorem.provenance) + "} --- " + tex_text(theorem.reference) + "."


def theorem_latex(theorem: Theorem, loss: Loss | None = None) -> str:
    """One theorem as a LaTeX fragment: statement, provenance, hypotheses, conclusion, proofs, bounds for ``loss``."""
    lines = [
        r"\subsection*{" + tex_text(theorem.title) + r" \ (\texttt{" + tex_text(theorem.id) + "})}",
        provenance_line(theorem),
        r"\[" + theorem.statement + r"\]",
    ]
    version = f"Version {theorem.version}, {theorem.status}" + ("" if theorem.kind == "pointwise" else f", {theorem.kind} check")
    if theorem.replaces:
        version += f"; replaces {theorem.replaces}"
    if theorem.replaced_by:
        version += f"; replaced by {theorem.replaced_by}"
    lines.append(r"\textbf{" + tex_text(version) + ".}")
    if theorem.note:
        note = theorem.note.replace(PAPER_CLAIM_NOTE + "; ", "").replace(PAPER_CLAIM_NOTE, "")  # the provenance line already says it
        if note:
            lines.append(r"\emph{" + tex_text(note) + "}")
    if theorem.counterexample is not None:
        lines.append(r"\textbf{Counterexample:} " + tex_text(theorem.counterexample.describe()) + r". Reproduce: \texttt{" + tex_text(theorem.reproduce) + "}")
    lines.append(r"\textbf{Hypotheses.}\begin{itemize}")
    lines += [r"\item " + tex_text(h.name) + r": $" + h.latex + "$" for h in theorem.hypotheses] or [r"\item none"]
    lines.append(r"\end{itemize}")
    lines.append(r"\textbf{Conclusion} (" + tex_text(theorem.conclusion_name) + r"): $" + theorem.conclusion_latex + "$\n")
    proofs = list(theorem.proofs())
    if proofs:
        lines.append(r"\textbf{Symbolic proofs.}\begin{itemize}")
        for proof in proofs:
            status = f"proved by sympy ({proof.method})" if proof.proved else "NOT proved"
            lines.append(r"\item " + tex_text(proof.name) + r": $" + proof.statement + r"$ --- " + tex_text(status))
        lines.append(r"\end{itemize}")
    if loss is not None and theorem.bounds is not None:
        lines.append(r"\textbf{Bounds for } $\ell(s) = " + _sympy_latex(loss.expr) + r"$:\begin{itemize}")
        lines += [r"\item $" + value + "$" for key, value in theorem.bounds(loss, theorem.parameters).items() if key != "symbol"]
        lines.append(r"\end{itemize}")
    return "\n".join(lines)


def regularity_latex(report: RegularityReport) -> str:
    items = report.latex()
    lines = [
        r"\subsection*{Regularity of $" + items["loss"] + "$}",
        r"\textbf{Provenance:} \texttt{paper-claim} --- " + tex_text("'good regularity' formalised by this project as growth order p < 2") + ".",
        r"\begin{itemize}",
    ]
    lines += [r"\item $" + value + "$" for key, value in items.items() if key != "loss"]
    lines.append(r"\end{itemize}")
    return "\n".join(lines)


def _sympy_latex(expr) -> str:
    import sympy

    return sympy.latex(expr)


def _evidence_summary(result: CheckResult) -> str:
    evidence = result.evidence
    keys = ("eos_ratio", "max_loss_ratio", "balancing_bound", "final_balance", "rho", "predicted_steps", "actual_steps", "decay_exponent", "h_times_L0", "eta_lambda0")
    parts = [f"{k.replace('_', ' ')} = {_short(evidence[k])}" for k in keys if evidence.get(k) is not None]
    parts.insert(0, f"{evidence.get('status', '?')} in {evidence.get('steps', '?')} steps")
    check = evidence.get("precision_check")
    if check:
        agreement = "same status" if evidence.get("status") == "diverged" else f"{check['agreeing_digits']:g} digits agree"
        parts.append(f"{agreement} at {check['check_dps']} digits")
    return "; ".join(parts)


def _short(value) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def report_document(
    results: Iterable[CheckResult], *, elapsed: float | None = None, title: str = "llgd\\_proof verification report", searches=(), refuted=()
) -> str:
    """A standalone document: every theorem with provenance, version, status, note, statement, proofs, cases,
    verdicts and measured quantities; then the adversarial search (``searches``, :class:`~llgd_proof.search.families.SearchReport`)
    and the refuted variants with their counterexamples checked again (``refuted``, ``verification.RefutedCheck``)."""
    results = list(results)
    by_theorem: dict[str, list[CheckResult]] = {}
    for result in results:
        by_theorem.setdefault(result.theorem.id, []).append(result)
    counts: Mapping[str, int] = {}
    for result in results:
        counts[result.verdict.value] = counts.get(result.verdict.value, 0) + 1
    body = [
        r"\documentclass[10pt]{article}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\begin{document}",
        r"\title{" + title + "}",
        r"\date{" + datetime.date.today().isoformat() + "}",
        r"\maketitle",
        tex_text(
            "Each theorem carries a provenance label. paper-claim: a claim of Wang, Xu, Zhao, Tao (JMLR 2025) as formalised by this "
            "project — the paper's full text was not available, so no threshold below is the paper's own constant. derived: exact "
            "algebra proved by sympy. anchor: a closed-form result of another paper used as an independent check. Iterates are "
            "high-precision GD runs on Arb numbers (python-flint), each repeated on mpmath at higher precision. A holds marked "
            "proved is also established by a computer-assisted proof on Arb balls (llgd prove); every other holds is checked numerically."
        ),
        "",
        r"\textbf{Summary:} " + tex_text(", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
        + (tex_text(f"; {len(results)} checks in {elapsed:.1f} s") if elapsed is not None else "")
        + tex_text(f"; {sum(1 for r in results if r.evidence.get('established') == 'proved')} holds proved, "
                   f"{sum(1 for r in results if r.evidence.get('established') == 'checked numerically')} checked numerically"),
    ]
    for theorem_results in by_theorem.values():
        theorem = theorem_results[0].theorem
        body.append(theorem_latex(theorem))
        body.append(r"\textbf{Cases.}\begin{enumerate}")
        for result in theorem_results:
            label = f" ({result.case.label})" if result.case.label else ""
            body.append(
                r"\item " + tex_text(result.case.describe() + label) + r": \textbf{" + tex_text(result.verdict.value) + "}"
                + (r" (\emph{" + tex_text(result.evidence["established"]) + "})" if result.evidence.get("established") else "") + ". "
                + tex_text(result.conclusion.detail) + r"\\ \small " + tex_text(_evidence_summary(result)) + r"\normalsize"
            )
            unmet = [f for f in result.hypotheses if f.ok is not True]
            if unmet:
                body.append(r"\\ " + tex_text("; ".join(f"{f.name}: {f.detail}" for f in unmet)))
        body.append(r"\end{enumerate}")
    consistency = [r for r in results if r.theorem.kind == "consistency"]
    if consistency:
        body.append(r"\section*{Consistency checks}" + tex_text(
            f"{len(consistency)} of the cases above check consequences of exact identities (they can fail only through arithmetic): "
            + ", ".join(sorted({r.theorem.id for r in consistency})) + "; they are not counted as substantive verdicts."))
    if searches:
        body.append(r"\section*{Adversarial search}\begin{itemize}")
        for search in searches:
            found = "; ".join(f"counterexample: {v.case.describe()}" for v in search.violations[:3])
            body.append(r"\item " + tex_text(f"{search.theorem.id}: {search.examples} drawn cases (seed {search.seed}, {search.budget_seconds:.1f} s): "
                                                + ", ".join(f"{n} {v}" for v, n in search.counts.items()) + (f"; {found}" if found else "")))
        body.append(r"\end{itemize}")
    if refuted:
        body.append(r"\section*{Refuted variants}\begin{itemize}")
        for check in refuted:
            state = "still violated" if check.still_violated else f"no longer violated ({check.result.verdict.value})"
            body.append(r"\item " + tex_text(f"{check.theorem.id} (v{check.theorem.version}, replaced by {check.theorem.replaced_by}): "
                                                f"{check.theorem.counterexample.describe()} --- {state}. {check.result.conclusion.detail}"))
        body.append(r"\end{itemize}")
    body.append(r"\end{document}")
    return "\n".join(body) + "\n"
