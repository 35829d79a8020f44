"""Plug-in points: behaviour that packages above ``models`` provide to records.

Maps a feature name to the module that implements it, imported on first use (the shape
of fsspec's protocol registry), so records can offer ``view_lineage()`` while imports
still flow one way: ``lineage → models``.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.db import models

PROVIDERS: dict[str, str] = {
    "view_lineage": "biolake.lineage.render",
}


def call(name: str, *args: Any, **kwargs: Any) -> Any:
    """Call the provider of ``name``."""
    module = importlib.import_module(PROVIDERS[name])
    return getattr(module, name)(*args, **kwargs)


class HasLineage(models.Model):
    """Records that take part in lineage graphs (artifacts, collections, runs, transforms).

    An abstract model rather than a plain mixin, so migrations don't name it as a base.
    """

    class Meta:
        abstract = True

    def view_lineage(self, downstream: bool = False, depth: int | None = None, format: str | None = None) -> Any:
        """Show the lineage graph upstream (or ``downstream=True``) of this record and return it.

        In Jupyter the graph is drawn inline (SVG); elsewhere its Mermaid text is printed.
        """
        return call("view_lineage", self, downstream=downstream, depth=depth, format=format)
