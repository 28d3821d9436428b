"""Plain text in LaTeX: the one escape table, for proof certificates (:mod:`.certificate`) and every report.

:func:`tex_text` escapes the ten characters LaTeX treats specially in text (``\\ & % $ # _ { } ~ ^``), writes
Unicode maths symbols as inline maths and any other non-ASCII character as ``?``, so the result is ASCII and
compiles with a minimal pdflatex (``texlive-latex-base``). It is for text mode (also inside ``\\texttt``).
"""

from __future__ import annotations

SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
"""The characters LaTeX treats specially in text, and how each is written."""
UNICODE = {
    "θ": r"\theta", "∞": r"\infty", "≤": r"\le", "≥": r"\ge", "ℓ": r"\ell", "‖": r"\|", "μ": r"\mu", "η": r"\eta", "δ": r"\delta",
    "ρ": r"\rho", "α": r"\alpha", "λ": r"\lambda", "ε": r"\varepsilon", "√": r"\surd", "∈": r"\in", "→": r"\to", "×": r"\times",
    "−": "-", "≈": r"\approx", "≫": r"\gg", "∇": r"\nabla", "⪰": r"\succeq", "ᵀ": r"^{\top}", "²": r"^{2}", "³": r"^{3}", "⁻": r"^{-}",
    "¹": r"^{1}", "′": "'", "Θ": r"\Theta", "·": r"\cdot", "…": r"\ldots", "∂": r"\partial", "Σ": r"\Sigma", "⌈": r"\lceil", "⌉": r"\rceil",
    "—": "---", "–": "--", "’": "'", "“": "``", "”": "''", "₀": r"_{0}", "₊": r"_{+}", "↑": r"\uparrow", "↓": r"\downarrow", "∑": r"\sum", "≠": r"\neq", "±": r"\pm", "½": r"\tfrac{1}{2}",
}


def tex_text(text: str) -> str:
    """Escape plain text for LaTeX; Unicode maths symbols become inline maths, anything else a '?'."""
    out = []
    for ch in str(text):
        if ch in SPECIAL:
            out.append(SPECIAL[ch])
        elif ch in UNICODE:
            out.append(f"${UNICODE[ch]}$")
        elif ch.isascii():
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)
