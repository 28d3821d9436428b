"""Closed-form analysis of an objective: regularity classes and bounds (:mod:`.regularity`), the numeric
contraction-region estimate of the rate theorem (:mod:`.contraction`), and Wilson intervals for comparative
verdicts (:mod:`.proportions`). Imports only the symbolic layer.
"""
