"""Lineage: which code (Transform) ran when (Run), with which inputs, producing which outputs.

``track()`` / ``finish()`` record scripts, notebooks and pipelines; ``@tracked()``
records functions; ``graph()`` builds lineage graphs that render as Mermaid, DOT or SVG.
"""

from __future__ import annotations

from biolake.lineage.context import finish, track
from biolake.lineage.openlineage import export as export_openlineage
from biolake.lineage.openlineage import run_events, to_json_line
from biolake.lineage.tracked import tracked
from biolake.models.lineage_graph import graph
from biolake.models.lineage_render import to_dot, to_mermaid, to_svg, view_lineage

__all__ = [
    "export_openlineage",
    "finish",
    "graph",
    "run_events",
    "to_dot",
    "to_json_line",
    "to_mermaid",
    "to_svg",
    "track",
    "tracked",
    "view_lineage",
]
