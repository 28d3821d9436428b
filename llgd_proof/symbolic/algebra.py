"""Guarded simplification, and zero certificates: does a sympy expression vanish identically?

:func:`vanishes` tries, in order, ``simplify``, a rewrite through ``exp`` (which settles
hyperbolic identities ``simplify`` misses), and ``expand``; it answers with the method that
certified zero, or ``None``. A ``None`` is "not proved", never "false".
"""

from __future__ import annotations

import sympy

from llgd_proof.symbolic.timeouts import TimeLimitExceeded, time_limit


def simplify_guarded(expr: sympy.Expr, seconds: float = 4.0) -> sympy.Expr:
    """``sympy.simplify`` with a wall-clock guard; the unsimplified form if it overruns (or if sympy recurses too
    deep, as on log cosh(s − 10³⁰⁰))."""
    try:
        with time_limit(seconds):
            simpler = sympy.simplify(expr)
    except (TimeLimitExceeded, RecursionError):
        return expr
    return simpler if sympy.count_ops(simpler) <= sympy.count_ops(expr) else expr


def vanishes(expr, seconds: float = 20.0) -> str | None:
    """The name of the first method that reduces ``expr`` (scalar or Matrix) to 0, else None."""
    if isinstance(expr, sympy.MatrixBase):
        methods = {vanishes(entry, seconds) for entry in expr}
        return None if None in methods else ",".join(sorted(methods)) or "simplify"
    attempts = [
        ("expand", lambda e: sympy.expand(e)),
        ("simplify", sympy.simplify),
        ("rewrite-exp", lambda e: sympy.simplify(sympy.expand(e.rewrite(sympy.exp)))),
    ]
    for name, attempt in attempts:
        try:
            with time_limit(seconds):
                if attempt(expr) == 0:
                    return name
        except TimeLimitExceeded:
            continue
    return None
