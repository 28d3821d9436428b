"""The independent proof checker: re-derives every number of a certificate from its exact strings.

It imports nothing from the prover (:mod:`llgd_proof.proofs.prover`, :mod:`llgd_proof.proofs.certified`,
:mod:`llgd_proof.analysis.contraction`, :mod:`llgd_proof.proofs.certificate`) and no clock enters its decisions; the prover
uses it, so every certificate the prover writes is one this package derived. Its trusted base is:

* Arb ball arithmetic (python-flint) and the sympy → Arb translator :func:`llgd_proof.symbolic.arb.compile_arb`
  (with exact decimal reading and outward-rounded decimal writing);
* the expression parser :func:`llgd_proof.symbolic.expressions.parse_expression` (every literal an exact rational) and
  the catalogue's formulas :func:`llgd_proof.symbolic.losses.spec_formula`;
* sympy's derivatives and exact rational polynomial arithmetic; for :mod:`.saturation` also sympy's limits (Gruntz),
  ``continuous_domain``, ``simplify`` and its sign assumptions;
* the mathematics written in the module docs: :mod:`.balls` (enclosures, the minimiser interval),
  :mod:`.converges` (theory F2–F4, T6, Banach), :mod:`.orbits` (Krawczyk), :mod:`.diverges`, :mod:`.saturation`;
  for sets of starts :mod:`.enclosure` (the (s, d) and (u, v) forms), :mod:`.basins` (the escape and attracting-box
  lemmas) and :mod:`.reduction` (ℓ(xᵀy) to two variables), and the narrowings of ℓ', ℓ'' in :mod:`.problem`.

``recheck(load(path))`` is what ``llgd recheck`` runs; :func:`derive` is what the prover calls to write a
certificate from its choices. See docs/proofs.md.
"""

from llgd_proof.checker.kernel import KIND, VERSION, RecheckResult, derive, load, loads, recheck, write
from llgd_proof.checker.problem import CertificateError

__all__ = ["KIND", "VERSION", "CertificateError", "RecheckResult", "derive", "load", "loads", "recheck", "write"]
