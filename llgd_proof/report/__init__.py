"""Formatting: text (:mod:`.text`), JSON (:mod:`.output`), LaTeX (:mod:`.latex`) and figures (:mod:`.plots`).
It computes nothing new: it renders what the layers below returned.
"""
