"""Public ontologies and gene tables, offline: the data layer of ``biolake.bio``.

No instance and no database needed (the lookup rule and ``InspectResult`` come from
:mod:`biolake.models`, shared with registries). Each entity (CellType, Gene, ...) is backed by a source
shipped with biolake or its dependencies (:mod:`~biolake.bio.public.sources`); the first
load of a source builds a compact parquet cache (:mod:`~biolake.bio.public.cache`), later
loads read it in a fraction of a second.

Example:
    >>> from biolake.bio.public import PublicOntology, list_sources
    >>> cell_types = PublicOntology("CellType")  # doctest: +SKIP
    >>> cell_types  # doctest: +SKIP
    PublicOntology
      Entity: CellType
      Organism: all
      Source: cl, v2026-03-26
      #terms: 3324
    >>> cell_types.search("gamma-delta T cell").head(2)  # doctest: +SKIP
    >>> cell_types.inspect(["T cell", "T-cell", "foo"])  # doctest: +SKIP
"""

from __future__ import annotations

from biolake.bio.public.lookup import Lookup
from biolake.bio.public.ontology import PublicOntology
from biolake.bio.public.sources import ENTITIES, SourceSpec, add_source, default_source, get_source, list_sources
from biolake.models.validation import InspectResult

__all__ = [
    "ENTITIES",
    "InspectResult",
    "Lookup",
    "PublicOntology",
    "SourceSpec",
    "add_source",
    "default_source",
    "get_source",
    "list_sources",
]
