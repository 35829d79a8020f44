"""biolake: a lakehouse for biology.

Versioned, content-hashed artifacts in any storage location, the lineage that made
them, and SQL registries of their metadata.

Example:
    >>> import biolake as ln
    >>> df = ln.core.datasets.small_dataset1()  # doctest: +SKIP
    >>> ln.Artifact.from_df(df, key="my_datasets/rnaseq1.parquet").save()  # doctest: +SKIP

Importing biolake is cheap: registries (``ln.Artifact``, ...) connect to the current
instance on first access.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name → (module, attribute); attribute None means the module itself
_LAZY: dict[str, tuple[str, str | None]] = {
    "Artifact": ("biolake.models", "Artifact"),
    "Collection": ("biolake.models", "Collection"),
    "Run": ("biolake.models", "Run"),
    "Storage": ("biolake.models", "Storage"),
    "Transform": ("biolake.models", "Transform"),
    "User": ("biolake.models", "User"),
    "ULabel": ("biolake.models", "ULabel"),
    "Feature": ("biolake.models", "Feature"),
    "Schema": ("biolake.models", "Schema"),
    "FeatureSet": ("biolake.models", "Schema"),  # the older name of Schema
    "Record": ("biolake.models.record", "Record"),  # 2.x's flexible records (ln.models.Record is the base)
    "Project": ("biolake.models", "Project"),
    "Reference": ("biolake.models", "Reference"),
    "Branch": ("biolake.models", "Branch"),
    "Space": ("biolake.models", "Space"),
    "models": ("biolake.models", None),
    "save": ("biolake.models", "save"),
    "view": ("biolake.models.overview", "view"),
    "track": ("biolake.lineage.context", "track"),
    "finish": ("biolake.lineage.context", "finish"),
    "context": ("biolake.lineage.context", "context"),
    "tracked": ("biolake.lineage.tracked", "tracked"),
    "flow": ("biolake.lineage.tracked", "flow"),  # LaminDB 2.x
    "step": ("biolake.lineage.tracked", "step"),  # LaminDB 2.x
    "examples": ("biolake.examples", None),  # LaminDB 2.x: example datasets
    "DB": ("biolake.models.db", "DB"),  # LaminDB 2.x: query another instance
    "QueryDB": ("biolake.models.db", "DB"),  # the earlier 2.x name of DB
    "lineage": ("biolake.lineage", None),
    "Q": ("django.db.models", "Q"),
    "UPath": ("biolake.storage.upath", "UPath"),
    "settings": ("biolake.setup.settings", "settings"),
    "connect": ("biolake.setup", "connect"),
    "disconnect": ("biolake.setup", "disconnect"),
    "init": ("biolake.setup", "init"),
    "bio": ("biolake.bio", None),
    "wetlab": ("biolake.wetlab", None),
    "core": ("biolake.core", None),
    "curators": ("biolake.curators", None),
    "integrations": ("biolake.integrations", None),
    "Curator": ("biolake.curators.base", "Curator"),  # LaminDB 1.x: the base of the dataset curators
    "errors": ("biolake.errors", None),
    "setup": ("biolake.setup", None),
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'biolake' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
