"""Cell-level queries across AnnData/MuData artifacts, answered from their obs index sidecars.

Every saved AnnData/MuData artifact has an obs index (``artifact.obs_index``): its obs
table as a parquet file in the same storage. A :class:`~biolake.cells.query.CellQuery`
filters those tables with DuckDB (local folders and buckets alike) and reads matrix rows
only for the cells it returns:

Example:
    >>> cells = ln.Artifact.filter(suffix=".h5ad").cells(cell_type="T cell", tissue__in=["blood", "lung"])  # doctest: +SKIP
    >>> cells.count(), cells.count_by("cell_type", "donor")  # doctest: +SKIP
    >>> adata = cells.to_anndata(genes=["CD8A", "CD4"], gene_field="symbol")  # doctest: +SKIP

Importing this package is cheap (no DuckDB, pandas or anndata); ``biolake.apps`` plugs the
queries into ``QuerySet.cells`` and ``Collection.cells`` when Django loads the registries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from biolake.models import cell_queries

if TYPE_CHECKING:
    from biolake.cells.query import CellQuery

__all__ = ["CellQuery", "build_index", "plug_in"]


def plug_in() -> None:
    """Make ``Artifact.filter(...).cells(...)`` and ``Collection.cells(...)`` return a :class:`CellQuery`."""
    cell_queries.provide(_make_query)


def _make_query(artifacts: Any, *args: Any, **kwargs: Any) -> CellQuery:
    from biolake.cells.query import CellQuery  # DuckDB and pandas load on the first query

    return CellQuery(artifacts, *args, **kwargs)


def build_index(artifacts: Any = None, force: bool = False, progress: bool = True) -> int:
    """Write the obs index of AnnData/MuData artifacts that lack one (all with ``force``); returns how many.

    Args:
        artifacts: a queryset or list of artifacts (default: every artifact).
        force: rebuild existing indexes too.
        progress: show a progress bar.
    """
    from biolake.cells import index

    return index.build(artifacts, force=force, progress=progress)


def __getattr__(name: str) -> Any:
    if name == "CellQuery":
        from biolake.cells.query import CellQuery

        return CellQuery
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
