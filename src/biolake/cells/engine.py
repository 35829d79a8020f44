"""DuckDB over obs sidecars: local files directly, buckets through their fsspec filesystem.

One in-memory DuckDB connection per query; each remote filesystem (s3, gcs, ...) is
registered with it, so ``read_parquet('s3://...')`` reads through the same credentials and
endpoint as the storage location. Sidecars with different columns are read by name
(``union_by_name``): a column an artifact lacks is NULL for its cells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from biolake.cells.filters import quote

if TYPE_CHECKING:
    import duckdb
    from upath import UPath


def connect(paths: list[UPath]) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that can read ``paths`` (remote filesystems registered)."""
    try:
        import duckdb
    except ImportError as error:  # pragma: no cover - duckdb is in the ``cells`` extra
        raise ImportError("cell queries need DuckDB: pip install 'biolake[cells]'") from error
    con = duckdb.connect()
    registered: set[str] = set()
    for path in paths:
        protocol = _protocol(path)
        if protocol != "file" and protocol not in registered:
            con.register_filesystem(path.fs)
            registered.add(protocol)
    return con


def source_sql(paths: list[UPath]) -> str:
    """The ``read_parquet([...])`` table expression over the sidecars."""
    listed = ", ".join(_literal(_url(path)) for path in paths)
    return f"read_parquet([{listed}], union_by_name = true)"


def _url(path: UPath) -> str:
    protocol = _protocol(path)
    if protocol == "file":
        return str(getattr(path, "path", path))
    return f"{protocol}://{path.path}"


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
