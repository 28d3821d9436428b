"""The symbolic layer: where an objective is born.

The expression language (:mod:`.expressions`, every literal exact), the loss catalogue and its analysis
(:mod:`.losses`, :mod:`.recognise`), sympy helpers (:mod:`.algebra`) and the exact identities of the family
f = ℓ(xy) (:mod:`.identities`), the one table of supported functions and their names in the parser, numpy,
mpmath and flint (:mod:`.functions`), the compiled objective (:mod:`.objective`, :mod:`.arb` for balls), and
sympy time limits (:mod:`.timeouts`). It imports nothing from
llgd_proof but :mod:`llgd_proof.errors`.
"""
