"""Hypothesis-driven search: the strategies that draw losses, steps and starts (:mod:`.strategies`) and the
property test of a loss family against every theorem (:mod:`.families`).
"""
