"""How R calls into biolake: one trampoline that decodes arguments, calls, and encodes the result.

Errors do not cross as Python tracebacks: :func:`call` returns them as data (the exception's
class names and its message) and the R package raises them as R conditions.
"""

from __future__ import annotations

from typing import Any

from biolake.integrations.r.decode import from_r
from biolake.integrations.r.encode import to_r


def _error(error: BaseException) -> dict[str, Any]:
    classes = [cls.__name__ for cls in type(error).__mro__ if cls not in (BaseException, object)]
    return {"classes": classes, "message": str(error) or type(error).__name__}


def _encode(value: Any, fn: Any = None) -> tuple[str, dict[str, Any], Any]:
    if _is_rds_load(fn):
        return "value", {"t": "rds", "path": str(value)}, value
    return "value", to_r(value), value


def _is_rds_load(fn: Any) -> bool:
    owner = getattr(fn, "__self__", None)
    suffix = getattr(owner, "suffix", None)
    return getattr(fn, "__name__", None) == "load" and isinstance(suffix, str) and suffix.lower() == ".rds"


def call(fn: Any, args: Any = None, kwargs: Any = None) -> tuple[str, dict[str, Any], Any]:
    """``fn(*args, **kwargs)`` with R specs decoded; ``("value", spec, obj)`` or ``("error", info, None)``.

    Example:
        >>> call(len, [{"t": "vector", "type": "integer", "values": [1, 2], "na": [False, False]}])[1]["values"]
        [2]
    """
    try:
        positional = [from_r(a) for a in (args or [])]
        named = {str(k): from_r(v) for k, v in (kwargs or {}).items()}
        return _encode(fn(*positional, **named), fn)
    except Exception as error:  # noqa: BLE001 (every error goes back to R as a condition)
        return "error", _error(error), None


def get_attr(obj: Any, name: str) -> tuple[str, dict[str, Any], Any]:
    """``getattr(obj, name)`` encoded for R, or the error as data."""
    try:
        return _encode(getattr(obj, name))
    except Exception as error:  # noqa: BLE001
        return "error", _error(error), None
