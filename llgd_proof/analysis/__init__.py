"""Closed-form analysis of an objective: regularity classes and bounds (:mod:`.regularity`), the numeric
contraction-region estimate of the rate theorem (:mod:`.contraction`), Wilson intervals for comparative
verdicts (:mod:`.proportions`), and the one start sampler: boxes of starts and the rule placing a start in one
(:mod:`.starts`). Imports only the symbolic layer.
"""
