"""The symbolic layer: where an objective is born.

The expression language (:mod:`.expressions`, every literal exact), the loss catalogue and its analysis
(:mod:`.losses`, :mod:`.recognise`), sympy helpers (:mod:`.algebra`) and the exact identities of the family
f = ℓ(xy) (:mod:`.identities`), the compiled objective (:mod:`.objective`) and its one translation of sympy to
code per backend (:mod:`.arb` for balls), and sympy time limits (:mod:`.timeouts`). It imports nothing from
llgd_proof but :mod:`llgd_proof.errors`.
"""
