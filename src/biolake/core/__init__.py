"""Core helpers that need no instance; ``biolake.core.datasets`` loads on first access.

Example:
    >>> import biolake.core
    >>> df = biolake.core.datasets.small_dataset1()  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from biolake.core import datasets

__all__ = ["datasets"]

_LAZY_SUBMODULES = frozenset(__all__)


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY_SUBMODULES])
