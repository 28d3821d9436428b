"""The prover: it proposes proof choices (:mod:`.prover`, :mod:`.certified` for Krawczyk searches) and has
:mod:`llgd_proof.checker` derive and recheck every number; :mod:`.certificate` renders a rechecked certificate
as LaTeX, with plain text escaped by :mod:`.tex` (the one escape table, which the reports use too). Imports the engines, the checker and below.
"""
