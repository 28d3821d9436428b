"""Strict JSON for every ``--json`` output, and the JSON shape of an error.

JSON has no NaN or infinity. A non-finite float anywhere in a result becomes ``null``, and the
object holding it gains a sibling string field ``<key>_text`` with what the value was
(``"Infinity"``, ``"-Infinity"``, ``"NaN"``; inside a list, a list of such strings with ``null``
where the entry was finite). Everything else is passed through unchanged, so field names and
types stay as documented.
"""

from __future__ import annotations

import json
import math

TEXT_SUFFIX = "_text"


def _non_finite(value) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _spell(value: float) -> str:
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _has_non_finite(value) -> bool:
    if _non_finite(value):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_non_finite(v) for v in value)
    return False


def _texts(value):
    if _non_finite(value):
        return _spell(value)
    if isinstance(value, (list, tuple)):
        return [_texts(v) for v in value]
    return None


def strict(data):
    """``data`` with every non-finite float replaced by ``null`` (and a ``<key>_text`` sibling in objects)."""
    if _non_finite(data):
        return None
    if isinstance(data, dict):
        result = {}
        for key, value in data.items():
            result[key] = strict(value)
            if isinstance(key, str) and _has_non_finite(value) and not isinstance(value, dict):
                result.setdefault(key + TEXT_SUFFIX, _texts(value))
        return result
    if isinstance(data, (list, tuple)):
        return [strict(v) for v in data]
    return data


def dumps(data) -> str:
    """Strict JSON text of ``data`` (``allow_nan=False`` after :func:`strict`, so a slip raises rather than prints)."""
    return json.dumps(strict(data), allow_nan=False)


def restrict(text: str) -> str:
    """Re-emit the JSON printed by a verb as strict JSON (one document, or one per line); other text unchanged."""
    stripped = text.strip()
    if not stripped:
        return text
    try:
        return dumps(json.loads(stripped)) + "\n"
    except ValueError:
        pass
    lines = []
    for line in text.splitlines():
        try:
            lines.append(dumps(json.loads(line)) if line.strip() else line)
        except ValueError:
            lines.append(line)
    return "\n".join(lines) + "\n"


def error_document(error: BaseException, kind: str | None = None) -> str:
    """``{"error": "<sentence>", "kind": "<ExceptionClassName>"}`` as strict JSON."""
    return json.dumps({"error": str(error), "kind": kind or type(error).__name__})
