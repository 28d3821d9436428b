"""The prover: it proposes proof choices (:mod:`.prover`, :mod:`.certified` for Krawczyk searches) and has
:mod:`llgd_proof.checker` derive and recheck every number; :mod:`.certificate` renders a rechecked certificate
as LaTeX. Imports the engines, the checker and below.
"""
