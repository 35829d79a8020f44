"""Biological registries backed by public ontologies that ship with the package.

``from biolake import bio as bt`` gives ``bt.CellType``, ``bt.Gene``, ... for instances made
with ``biolake init --modules bio``. The offline data layer (sources, cache,
:class:`~biolake.bio.public.PublicOntology`) lives in :mod:`biolake.bio.public` and needs
no instance and no Django. Importing this package is cheap: Django loads
``biolake.bio.models`` when an instance that enables ``bio`` is activated (or when something
imports them), and registries are resolved on first access.
"""

from __future__ import annotations

from typing import Any

from biolake import _process
from biolake.setup.lifecycle import require_module as _require_module

REGISTRIES = (
    "Source", "Organism", "Gene", "Protein", "CellMarker", "CellType", "Tissue", "Disease",
    "ExperimentalFactor", "Phenotype", "Pathway", "CellLine", "DevelopmentalStage", "Ethnicity",
)

__all__ = sorted([*REGISTRIES, "settings"])


class Settings:
    """Settings of the bio registries: ``bt.settings``.

    Example:
        >>> bt.settings.organism = "mouse"  # doctest: +SKIP
        >>> bt.Gene.from_source(symbol="Cd4").organism.name  # doctest: +SKIP
        'mouse'
    """

    @property
    def organism(self) -> Any:
        """The default organism (an ``Organism`` record, or None): used by registries that need one
        (Gene, Protein, CellMarker) when no ``organism=`` is passed. Set it by common name or record."""
        name = _process.organism.get()
        if name is None:
            return None
        # not at import: public_records loads biolake.models (Django), which importing this package does not
        from biolake.bio import public_records

        return public_records.organism_record(__getattr__("Gene"), name)

    @organism.setter
    def organism(self, value: Any) -> None:
        name = getattr(value, "name", value)
        _process.organism.set_process(None if name is None else str(name).strip().lower())

    def __repr__(self) -> str:
        return f"Settings(organism={_process.organism.get()!r})"


settings = Settings()


def __getattr__(name: str) -> Any:
    if name not in REGISTRIES:
        raise AttributeError(f"module 'biolake.bio' has no attribute {name!r}")
    _require_module("bio")  # the current instance enables this module (its activation loaded the models)
    from biolake.bio import models  # not at import: the models need Django, importing this package does not

    return getattr(models, name)
