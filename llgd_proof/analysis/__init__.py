"""Closed-form analysis of an objective: regularity classes and bounds (:mod:`.regularity`), the residual
region of the rate theorem (:mod:`.contraction`: chosen here, its bounds derived by the checker's Arb region
certificate), Wilson intervals for comparative verdicts (:mod:`.proportions`), and the one start sampler: boxes
of starts and the rule placing a start in one (:mod:`.starts`). Imports the symbolic layer and the checker.
"""
