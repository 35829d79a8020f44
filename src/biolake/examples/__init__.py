"""LaminDB 2.x's ``ln.examples``: example datasets (``ln.examples.datasets``), offline.

``ln.examples.datasets`` is :mod:`biolake.core.datasets` (LaminDB 1.x's ``ln.core.datasets``).

Example:
    >>> df = ln.examples.datasets.mini_immuno.get_dataset1()  # doctest: +SKIP
"""

from __future__ import annotations

from biolake.core import datasets

__all__ = ["datasets"]
