"""The obs index sidecar of an AnnData/MuData artifact: its obs (and var) table as plain parquet.

One row per cell: ``artifact_uid``, ``obs_name``, ``obs_row`` (the cell's row in ``X``) and
every obs column (categoricals as their string values, so validated ontology terms stay
as they are); the var table (``var_name`` and the var columns) goes to a second, small file.
They live in the artifact's storage under ``.biolake/obs_index/`` and ``.biolake/var_index/``,
so any parquet engine (DuckDB, Spark, Trino, Athena) can read the obs folder directly.

Reading obs and var of a stored file never reads ``X``. Nothing here touches the database.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from biolake.formats._paths import local_path
from biolake.storage.paths import is_local

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from upath import UPath

#: the folder of the sidecars inside a storage location's ``.biolake`` folder
SIDECAR_FOLDER = "obs_index"
#: the folder of the var sidecars (a sibling: engines reading ``obs_index/`` see only obs tables)
VAR_FOLDER = "var_index"
#: the columns every sidecar starts with
RESERVED = ("artifact_uid", "obs_name", "obs_row")
#: bumped when the layout of a sidecar changes
FORMAT_VERSION = 1
INDEXED_SUFFIXES = (".h5ad", ".zarr", ".anndata.zarr", ".h5mu")
#: text columns with at most this many distinct values have them listed on the index record
MAX_LISTED_VALUES = 64


def sidecar_keys(uid: str) -> tuple[str, str]:
    """The storage keys of an artifact's obs and var sidecars."""
    return f".biolake/{SIDECAR_FOLDER}/{uid}.parquet", f".biolake/{VAR_FOLDER}/{uid}.parquet"


def obs_var_of(obj: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(obs, var)`` of an in-memory AnnData or MuData (no copy of ``X``)."""
    return obj.obs, obj.var


def read_obs_var(path: str | os.PathLike[str] | UPath, suffix: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(obs, var)`` of a stored ``.h5ad``/``.h5mu`` file or ``.zarr`` store, local or remote, without ``X``."""
    import anndata

    if suffix.endswith(".zarr"):
        from biolake.formats.anndata import open_zarr

        group = open_zarr(path, suffix)
        return anndata.io.read_elem(group["obs"]), anndata.io.read_elem(group["var"])
    import h5py

    handle = open(local_path(path), "rb") if is_local(path) else path.open("rb")  # type: ignore[union-attr]
    with handle, h5py.File(handle, "r") as file:
        return anndata.io.read_elem(file["obs"]), anndata.io.read_elem(file["var"])


def obs_table(obs: pd.DataFrame, uid: str) -> pa.Table:
    """The obs sidecar table of the artifact ``uid``; obs columns named like a reserved column get ``obs_``."""
    import pandas as pd
    import pyarrow as pa

    columns: dict[str, Any] = {
        "artifact_uid": pa.array([uid] * len(obs), pa.string()).dictionary_encode(),
        "obs_name": pa.array(obs.index.astype(str), pa.string()),
        "obs_row": pa.array(range(len(obs)), pa.int64()),
    }
    for name, series in obs.items():
        column = f"obs_{name}" if str(name) in RESERVED else str(name)
        columns[column] = _as_arrow(series, pd, pa)
    return pa.table(columns)


def few_values(table: pa.Table, limit: int = MAX_LISTED_VALUES) -> dict[str, list[Any]]:
    """The distinct values of each text or boolean obs column that has at most ``limit`` of them.

    Kept on the index record, they let a query skip the sidecars of artifacts that cannot match
    (``tissue="blood"`` reads only the artifacts with blood cells).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    listed: dict[str, list[Any]] = {}
    for field in table.schema:
        if field.name in RESERVED:
            continue
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_boolean(kind)):
            continue
        column = table[field.name]
        if pa.types.is_dictionary(field.type):
            column = pc.cast(column, kind)
        values = pc.unique(column)
        if len(values) <= limit:
            listed[field.name] = values.to_pylist()
    return listed


def var_table(var: pd.DataFrame) -> pa.Table:
    """The var sidecar table: ``var_name`` and the var columns."""
    import pandas as pd
    import pyarrow as pa

    columns: dict[str, Any] = {"var_name": pa.array(var.index.astype(str), pa.string())}
    for name, series in var.items():
        if str(name) != "var_name":
            columns[str(name)] = _as_arrow(series, pd, pa)
    return pa.table(columns)


def _as_arrow(series: pd.Series, pd: Any, pa: Any) -> pa.Array:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return pa.array(series.astype(object).where(series.notna(), None), pa.string()).dictionary_encode()
    if series.dtype.kind in "biuf":
        return pa.array(series.to_numpy())
    if series.dtype.kind == "M":
        return pa.array(series)
    return pa.array(series.astype(object).where(series.notna(), None).map(lambda v: v if v is None else str(v)), pa.string())


def write_table(table: pa.Table, path: str | os.PathLike[str] | UPath) -> int:
    """Write ``table`` as parquet to a local or remote ``path``; returns the size in bytes."""
    import pyarrow.parquet as pq

    if is_local(path):
        target = local_path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target, compression="zstd")
        return target.stat().st_size
    with path.open("wb") as handle:  # type: ignore[union-attr]
        pq.write_table(table, handle, compression="zstd")
    return int(path.stat().st_size)  # type: ignore[union-attr]


def read_var(path: str | os.PathLike[str] | UPath) -> pd.DataFrame:
    """A var sidecar as a DataFrame indexed by ``var_name``."""
    import pyarrow.parquet as pq

    if is_local(path):
        table = pq.read_table(local_path(path))
    else:
        with path.open("rb") as handle:  # type: ignore[union-attr]
            table = pq.read_table(handle)
    return table.to_pandas().set_index("var_name")
