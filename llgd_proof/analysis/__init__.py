"""Closed-form analysis of an objective: regularity classes and bounds (:mod:`.regularity`), the residual
region of the rate theorem (:mod:`.contraction`: chosen here, its bounds derived by the checker's Arb region
certificate), and Wilson intervals for comparative verdicts (:mod:`.proportions`). Imports the symbolic layer
and the checker.
"""
