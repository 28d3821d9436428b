"""Orchestrations built on the theorem library: ``verify`` (:mod:`.verification`), the catapult/EoS boundary
(:mod:`.boundary`, :mod:`.boundary_plots`) and the network experiments (:mod:`.networks`).
"""
