"""Curation: validate datasets against schemas before saving them, and standardize their values.

Curators check every column of a dataset at once against a :class:`~biolake.models.Schema`
(dtypes, required and extra columns, categorical values against registries), raise one
:class:`~biolake.errors.ValidationError` listing every failure, register missing labels,
and save the dataset with its schemas and labels linked.

=================  ============================================================
``DataFrameCurator``  a pandas DataFrame; schema slot ``columns``
``AnnDataCurator``    an AnnData; schema components ``obs`` and ``var``
``MuDataCurator``     a MuData; components ``obs``, ``<modality>:obs``, ``<modality>:var``
=================  ============================================================

The registry validation API (``ln.ULabel.validate/inspect/standardize/from_values``)
lives in :mod:`biolake.models.validation`; curators build on it.

Example:
    >>> curator = ln.curators.DataFrameCurator(df, schema)  # doctest: +SKIP
    >>> curator.validate()  # doctest: +SKIP
    >>> artifact = curator.save_artifact(key="my_curated_dataset.parquet")  # doctest: +SKIP

Importing this package is cheap: pandas, Django and the curators load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name → module, imported on first use
_LAZY = {
    "Curator": "biolake.curators.base",
    "DataFrameCurator": "biolake.curators.dataframe",
    "AnnDataCurator": "biolake.curators.anndata",
    "MuDataCurator": "biolake.curators.mudata",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'biolake.curators' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
