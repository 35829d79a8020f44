"""DataFrames: parquet (lossless for dtypes, index and ``attrs``), csv and tsv."""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biolake import _logging
from biolake.errors import UnknownFormatError
from biolake.formats._paths import as_upath, local_path
from biolake.storage.paths import is_local

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow.dataset as pads
    from upath import UPath

# --- parquet ----------------------------------------------------------------------------------


def write_parquet(df: pd.DataFrame, path: Path, suffix: str, **kwargs: Any) -> None:
    """Write with pyarrow; categoricals, nullable dtypes, the index and ``df.attrs`` round-trip.

    pandas stores ``attrs`` as JSON in the file's metadata; values JSON cannot hold
    (numpy scalars, timestamps, ...) are converted first so they are not dropped.
    """
    if df.attrs:
        safe_attrs = _json_safe_attrs(df.attrs)
        if safe_attrs is not df.attrs:
            df = df.copy(deep=False)
            df.attrs = safe_attrs
    if not kwargs and isinstance(path, Path) and not hasattr(path, "protocol"):  # a plain local path
        _write_parquet_file(df, os.fspath(path))
        return
    kwargs.setdefault("engine", "pyarrow")
    df.to_parquet(path, **kwargs)


def _write_parquet_file(df: pd.DataFrame, path: str) -> None:
    """``df.to_parquet(path)`` to a local file without pandas' dispatch (the same bytes).

    pandas' pyarrow writer makes the table with ``Table.from_pandas``, adds ``df.attrs`` as
    ``PANDAS_ATTRS`` to the schema's metadata and writes it with snappy compression; for a
    local file it also opens the file once itself, then lets pyarrow open it again. Here the
    file is written into memory first and then in one system call (pyarrow writes each
    page header and page separately, about 25 calls for a small table).
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not isinstance(df, pd.DataFrame):
        raise ValueError("to_parquet only supports IO with DataFrames")
    table = pa.Table.from_pandas(df, schema=None)
    if df.attrs:
        table = table.replace_schema_metadata({**table.schema.metadata, "PANDAS_ATTRS": json.dumps(df.attrs)})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="snappy")
    with open(path, "wb") as handle:
        handle.write(sink.getvalue())


def load_parquet(path: Path, suffix: str, **kwargs: Any) -> pd.DataFrame:
    """Read a parquet file or a folder of parquet files into a DataFrame.

    A local file read without options goes straight through pyarrow, memory-mapped (no copy
    into a read buffer), converted as ``pandas.read_parquet`` converts it (same dtypes,
    index and ``attrs``); anything else is ``pandas.read_parquet(path, **kwargs)``.
    """
    import pandas as pd

    if not kwargs and is_local(path) and not pd.get_option("future.infer_string"):
        local = local_path(path)
        if local.is_file():
            return _read_parquet_file(local)
    kwargs.setdefault("engine", "pyarrow")
    return pd.read_parquet(path, **kwargs)


def _read_parquet_file(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    table = pq.read_table(str(path), use_pandas_metadata=True, memory_map=True)
    df = table.to_pandas()
    metadata = table.schema.metadata or {}
    if b"PANDAS_ATTRS" in metadata:  # where pandas keeps ``df.attrs``
        df.attrs = json.loads(metadata[b"PANDAS_ATTRS"])
    return df


def open_parquet(path: str | os.PathLike[str] | UPath, suffix: str, **kwargs: Any) -> pads.Dataset:
    """A lazy ``pyarrow.dataset.Dataset`` over a parquet file or a folder of parquet files."""
    import pyarrow.dataset as pads

    kwargs.setdefault("format", "parquet")
    if is_local(path):
        local = local_path(path)
        source, filesystem = str(local), None
        files = _listed_files_local(local) if suffix == "" else None
    else:
        upath = as_upath(path)
        source, filesystem = upath.path, upath.fs
        files = _listed_files_remote(upath) if suffix == "" else None
    if files is not None and (not files or not all(f.endswith(".parquet") for f in files)):
        raise UnknownFormatError(
            f"Cannot open folder '{path}': open() needs a folder that holds only parquet files",
            suffix=suffix,
        )
    if filesystem is not None:
        kwargs["filesystem"] = filesystem
    return pads.dataset(source, **kwargs)


def _listed_files_local(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.is_file() and not _is_hidden(p.name)]


def _listed_files_remote(upath: UPath) -> list[str]:
    return [f.rsplit("/", 1)[-1] for f in upath.fs.find(upath.path) if not _is_hidden(f.rsplit("/", 1)[-1])]


def _is_hidden(name: str) -> bool:
    # Spark and Dask write markers such as _SUCCESS and _metadata beside the data.
    return name.startswith((".", "_"))


def _json_safe_attrs(attrs: dict[Any, Any]) -> dict[Any, Any]:
    """``attrs`` itself if JSON can hold it, else a converted copy."""
    try:
        json.dumps(attrs)
        return attrs
    except (TypeError, ValueError):
        converted: dict[Any, Any] = json.loads(json.dumps(attrs, default=_to_json))
        return converted


def _to_json(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    _logging.warning(f"df.attrs value of type {type(value).__name__} is stored as its string form")
    return str(value)


# --- csv / tsv --------------------------------------------------------------------------------


def write_csv(df: pd.DataFrame, path: Path, suffix: str, **kwargs: Any) -> None:
    """Write csv (or tsv); the index is written unless it is the default ``0..n-1`` range."""
    kwargs.setdefault("sep", _separator(suffix))
    kwargs.setdefault("index", not _is_default_index(df.index))
    kwargs.setdefault("compression", _compression(suffix))
    df.to_csv(path, **kwargs)


def load_csv(path: Path, suffix: str, **kwargs: Any) -> pd.DataFrame:
    """Read csv (or tsv); a first column with an empty header becomes the index.

    An empty first header cell is what pandas writes for an unnamed index, so
    tables written by :func:`write_csv` come back with their index. Column dtypes
    other than numbers and strings, and a named index, do not survive csv; use
    parquet for a lossless table.
    """
    import pandas as pd

    kwargs.setdefault("sep", _separator(suffix))
    kwargs.setdefault("compression", _compression(suffix))
    if "index_col" not in kwargs and _first_header_cell(path, kwargs["sep"], kwargs["compression"]) == "":
        kwargs["index_col"] = 0
    return pd.read_csv(path, **kwargs)


def _separator(suffix: str) -> str:
    return "\t" if suffix.startswith(".tsv") else ","


def _compression(suffix: str) -> str | None:
    return "gzip" if suffix.endswith(".gz") else None


def _first_header_cell(path: Path, sep: str, compression: str | None) -> str | None:
    raw = gzip.open(path, "rb") if compression == "gzip" else io.open(path, "rb")
    with raw, io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="") as text:
        row = next(csv.reader(text, delimiter=sep), None)
    return row[0] if row else None


def _is_default_index(index: pd.Index) -> bool:
    import pandas as pd

    return (
        isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
        and index.name is None
    )


# --- counting ---------------------------------------------------------------------------------


def count_rows(df: pd.DataFrame) -> int:
    """Number of rows."""
    return len(df)
