"""DuckDB over obs sidecars: local files directly, buckets through their fsspec filesystem.

One in-memory DuckDB connection per query; each remote filesystem (s3, gcs, ...) is
registered with it, so ``read_parquet('s3://...')`` reads through the same credentials and
endpoint as the storage location. Sidecars with different columns are read by name
(``union_by_name``): a column an artifact lacks is NULL for its cells.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from biolake import _process
from biolake.errors import InvalidArgument, StorageError

from biolake.cells.filters import quote

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from biolake.models.obs_index import ObsIndex


def sidecar_sources(indexes: list[ObsIndex]) -> tuple[list[str], list[Any]]:
    """The URLs of the obs sidecars DuckDB reads, and the remote filesystems they need.

    Each storage location is resolved once (a root joined with a key per artifact would cost
    a path object each).
    """
    urls, filesystems, roots = [], [], {}
    for idx in indexes:
        storage = idx.artifact.storage
        if storage.pk not in roots:
            root = storage.location.path
            protocol = _protocol(root)
            base = str(getattr(root, "path", root)) if protocol == "file" else f"{protocol}://{root.path}"
            roots[storage.pk] = base.rstrip("/")
            if protocol != "file":
                filesystems.append(root.fs)
        urls.append(f"{roots[storage.pk]}/{idx.obs_key}")
    return urls, filesystems


def connect(filesystems: list[Any]) -> duckdb.DuckDBPyConnection:
    """A DuckDB cursor that can read through ``filesystems`` (fsspec, registered by protocol).

    The process keeps one connection (a new one after a fork); each call returns a cursor of it.
    """
    connection, registered = _process_connection()
    for fs in filesystems:
        protocol = _protocol(fs)
        if registered.get(protocol) is fs:
            continue
        if protocol in registered:
            connection.unregister_filesystem(protocol)
        connection.register_filesystem(fs)
        registered[protocol] = fs
    return connection.cursor()


def _process_connection() -> tuple[duckdb.DuckDBPyConnection, dict[str, Any]]:
    try:
        import duckdb
    except ImportError as error:  # pragma: no cover - duckdb is in the ``cells`` extra
        raise ImportError("cell queries need DuckDB: pip install 'biolake[cells]'") from error
    held = _process.duckdb_connection
    if not held or held[0] != os.getpid():
        held[:] = [os.getpid(), duckdb.connect(), {}]
    return held[1], held[2]


def source_sql(urls: list[str]) -> str:
    """The ``read_parquet([...])`` table expression over the sidecars."""
    listed = ", ".join(_literal(url) for url in urls)
    return f"read_parquet([{listed}], union_by_name = true)"


def _protocol(path: Any) -> str:
    protocol = getattr(path, "protocol", "") or "file"
    protocol = protocol[0] if isinstance(protocol, (tuple, list)) else protocol
    return "file" if protocol in ("", "file", "local") else str(protocol)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def select_sql(source: str, columns: list[str] | None, where: str, group_by: list[str] | None = None) -> str:
    """A SELECT over ``source``: ``columns`` (all when ``None``), or counts grouped by ``group_by``."""
    if group_by is not None:
        keys = ", ".join(quote(c) for c in group_by)
        head = f"SELECT {keys + ', ' if keys else ''}count(*) AS count FROM {source} {where}"
        return head + (f" GROUP BY {keys} ORDER BY count DESC, {keys}" if keys else "")
    listed = "*" if columns is None else ", ".join(quote(c) for c in columns)
    return f"SELECT {listed} FROM {source} {where}"


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> pa.Table:
    """Run a query; DuckDB's errors become biolake errors that say what to fix."""
    import duckdb

    try:
        return con.sql(sql, params=params).to_arrow_table()
    except duckdb.IOException as error:
        raise StorageError(
            f"Cannot read an obs index sidecar ({str(error).splitlines()[0]}): rebuild it with `biolake index build --force`"
        ) from error
    except (duckdb.BinderException, duckdb.ParserException, duckdb.ConversionException) as error:
        raise InvalidArgument(f"The cell query is not valid SQL over the obs columns: {str(error).splitlines()[0]}") from error
