"""The plug-in point of cell-level queries: ``Artifact.filter(...).cells(...)``, ``collection.cells(...)``.

The queries themselves live in :mod:`biolake.cells`, a layer above the registries; it
provides its query class here when Django loads the core app (``biolake.apps``), so the
registries hand off to it without importing upward.
"""

from __future__ import annotations

from typing import Any, Callable

from biolake.errors import BiolakeError

_PROVIDERS: dict[str, Callable[..., Any]] = {}


def provide(factory: Callable[..., Any]) -> None:
    """Register the factory ``factory(artifacts_queryset, **filters)`` of cell queries."""
    _PROVIDERS["cells"] = factory


def cells(artifacts: Any, *args: Any, **kwargs: Any) -> Any:
    """A cell query over the AnnData/MuData artifacts of the queryset ``artifacts``."""
    factory = _PROVIDERS.get("cells")
    if factory is None:
        raise BiolakeError("cell-level queries are not available: biolake.cells was not loaded by the core app")
    return factory(artifacts, *args, **kwargs)
