"""Lineage: which code (Transform) ran when (Run), with which inputs, producing which outputs.

``track()`` / ``finish()`` record scripts, notebooks and pipelines; ``@tracked()``
records functions; ``graph()`` builds lineage graphs that render as Mermaid, DOT or SVG.
"""

from __future__ import annotations

import importlib
from typing import Any

from biolake.lineage.graph import graph  # cheap: imports the registries only when called

# public name → module, imported on first use (track/finish/tracked set up Django at import)
_LAZY = {
    "track": "biolake.lineage.context",
    "finish": "biolake.lineage.context",
    "tracked": "biolake.lineage.tracked",
    "view_lineage": "biolake.lineage.render",
    "to_mermaid": "biolake.lineage.render",
    "to_dot": "biolake.lineage.render",
    "to_svg": "biolake.lineage.render",
    "run_events": "biolake.lineage.openlineage",
    "export_openlineage": "biolake.lineage.openlineage",
}

__all__ = sorted([*_LAZY, "graph"])


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'biolake.lineage' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name])
    value = getattr(module, "export" if name == "export_openlineage" else name)
    globals()[name] = value
    return value
