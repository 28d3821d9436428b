"""The LaTeX report is a standalone document that compiles (where pdflatex is installed, as in CI)."""

import re
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof import api
from llgd_proof.proofs.tex import SPECIAL, tex_text
from llgd_proof.report.latex import report_document, theorem_latex
from llgd_proof.theorems import THEOREMS


def test_text_is_escaped_and_ascii():
    escaped = tex_text("50% of θ∞ ≤ 2/h & x_1 — ok ☃")
    assert r"50\%" in escaped and r"\theta" in escaped and r"\&" in escaped and r"x\_1" in escaped
    assert escaped.isascii() and "?" in escaped


LATEX_SPECIALS = set("#$%&~_^\\{}")
"""The ten characters LaTeX gives a meaning in text mode (a bare one is a command, not a character)."""
TYPESET = re.compile(r"\\(textbackslash|textasciitilde|textasciicircum)\{\}|\\([#$%&_{}])")
"""How LaTeX typesets an escaped special character: the control words and the backslashed characters."""
_WORDS = {"textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^"}


def _typeset(tex: str) -> str:
    return TYPESET.sub(lambda m: _WORDS[m.group(1)] if m.group(1) else m.group(2), tex)


def test_the_escape_table_covers_every_latex_special_character():
    assert set(SPECIAL) == LATEX_SPECIALS


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(sorted(LATEX_SPECIALS) + list("ab1 .,-+()[]<>=*/'")) | st.characters(codec="ascii"), max_size=40))
def test_every_special_character_is_escaped(text):
    """Property: in the escaped text no special character is left bare, and LaTeX typesets exactly the input."""
    escaped = tex_text(text)
    assert not LATEX_SPECIALS & set(TYPESET.sub("", escaped)), escaped
    assert _typeset(escaped) == text


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed (CI installs texlive-latex-base)")
@settings(max_examples=5, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(sorted(LATEX_SPECIALS) + list("ab1 θ≤—")), min_size=1, max_size=30))
def test_escaped_text_compiles(tmp_path_factory, text):
    """Property: a drawn string of special characters, escaped, compiles as text and inside \\texttt."""
    directory = tmp_path_factory.mktemp("escape")
    body = tex_text(text)
    (directory / "escape.tex").write_text(f"\\documentclass{{article}}\\begin{{document}}{body} \\texttt{{{body}}}\\end{{document}}\n")
    completed = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "escape.tex"], check=False, cwd=directory, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stdout[-2000:]


def test_every_theorem_renders_with_its_provenance():
    loss = api.make_loss("logcosh")
    for theorem in THEOREMS.values():
        text = theorem_latex(theorem, loss)
        assert theorem.provenance in text and text.isascii()


def test_balancing_bound_substitutes_the_loss_curvature():
    """2/(hℓ''(μ)) − 2|μ| with the loss's own ℓ''(μ): for 2·log cosh(s − 3) (ℓ'' = 2, μ = 3): 1/h − 6."""
    text = theorem_latex(THEOREMS["balancing"], api.make_loss("2*log(cosh(s - 3))"))
    assert r"-6 + \frac{1}{h}" in text


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed (CI installs texlive-latex-base)")
def test_report_compiles(tmp_path):
    results = [THEOREMS[i].check(THEOREMS[i].cases[0]) for i in ("convergence", "balancing", "rate", "chen-bruna-two-cycle")]
    source = tmp_path / "report.tex"
    source.write_text(report_document(results, elapsed=1.0), encoding="utf-8")
    completed = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name], check=False, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stdout[-2000:]
    assert (tmp_path / "report.pdf").stat().st_size > 1000


def test_refuted_variant_shows_its_version_counterexample_and_replacement():
    text = theorem_latex(THEOREMS["convergence-v1"])
    assert "Version 1, refuted" in text and "replaced by convergence" in text
    assert "1.48" in text and "llgd check convergence-v1" in text and text.isascii()
    assert "Version 2, current" in theorem_latex(THEOREMS["convergence"])


def test_report_has_refuted_and_consistency_sections():
    data = api.verify(["balancing", "convergence-v1"], budget_seconds=0)
    text = report_document(data.results, elapsed=data.elapsed, refuted=data.refuted)
    assert "Refuted variants" in text and "still violated" in text and "Consistency checks" in text and text.isascii()
