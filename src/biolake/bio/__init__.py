"""Biological registries backed by public ontologies that ship with the package.

``from biolake import bio as bt`` gives ``bt.CellType``, ``bt.Gene``, ... for instances made
with ``biolake init --modules bio``. The offline data layer (sources, cache,
:class:`~biolake.bio.public.PublicOntology`) lives in :mod:`biolake.bio.public` and needs
no instance and no Django. Importing this package is cheap: Django imports
``biolake.bio.models`` when it sets up, and registries are resolved on first access.
"""

from __future__ import annotations

from typing import Any

from biolake.setup.lifecycle import require_module as _require_module

REGISTRIES = (
    "Source", "Organism", "Gene", "Protein", "CellMarker", "CellType", "Tissue", "Disease",
    "ExperimentalFactor", "Phenotype", "Pathway", "CellLine", "DevelopmentalStage", "Ethnicity",
)

__all__ = sorted(REGISTRIES)


def __getattr__(name: str) -> Any:
    if name not in REGISTRIES:
        raise AttributeError(f"module 'biolake.bio' has no attribute {name!r}")
    _require_module("bio")  # the current instance enables this module (Django has loaded its models)
    from biolake.bio import models  # not at import: Django imports this package before its models

    return getattr(models, name)
