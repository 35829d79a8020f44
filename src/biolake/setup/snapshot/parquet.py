"""One parquet file per table: typed columns that any tool reads, values that load back exactly.

Each column's arrow type follows its kind (``tables._KINDS``): integers, booleans, floats and
strings as themselves, datetimes as UTC microsecond timestamps, JSON as its canonical text,
decimals and UUIDs as text. ``pyarrow`` is imported when a snapshot is written or read.
"""

from __future__ import annotations

import decimal
import json
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from biolake.errors import SnapshotCorruptError
from biolake.setup.snapshot.canonical import canonical_json
from biolake.setup.snapshot.tables import Column, TableSpec


def _arrow_type(kind: str) -> Any:
    import pyarrow as pa

    return {
        "int": pa.int64(),
        "bool": pa.bool_(),
        "float": pa.float64(),
        "datetime": pa.timestamp("us", tz="UTC"),
        "date": pa.date32(),
        "time": pa.time64("us"),
        "duration": pa.duration("us"),
        "bytes": pa.binary(),
    }.get(kind, pa.string())


_ENCODE: dict[str, Any] = {
    "json": canonical_json,
    "decimal": str,
    "uuid": str,
    "text": str,
    "bytes": bytes,
}
_DECODE: dict[str, Any] = {
    "json": json.loads,
    "decimal": decimal.Decimal,
    "uuid": uuid.UUID,
}


def _encode(kind: str, values: list[Any]) -> list[Any]:
    encode = _ENCODE.get(kind)
    return values if encode is None else [None if v is None else encode(v) for v in values]


def _decode(column: Column, field: Any, values: list[Any]) -> list[Any]:
    decode = field.to_python if column.kind == "text" else _DECODE.get(column.kind)
    return values if decode is None else [None if v is None else decode(v) for v in values]


def schema_of(spec: TableSpec) -> Any:
    """The arrow schema of ``spec``'s parquet file."""
    import pyarrow as pa

    return pa.schema([pa.field(c.name, _arrow_type(c.kind)) for c in spec.columns])


def write_table(spec: TableSpec, rows: Iterable[tuple[Any, ...]], path: Path) -> None:
    """Write ``rows`` (values in column order) to ``path``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    materialized = list(rows)
    columns = [[row[i] for row in materialized] for i in range(len(spec.columns))]
    arrays = [pa.array(_encode(c.kind, values), type=_arrow_type(c.kind)) for c, values in zip(spec.columns, columns)]
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema_of(spec)), path)


def read_table(spec: TableSpec, path: Path) -> Iterator[tuple[Any, ...]]:
    """The rows stored in ``path`` (values in ``spec``'s column order, as Django expects them)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        raise SnapshotCorruptError(
            f"Snapshot file {path} cannot be read ({error}); the snapshot is damaged: use another one.",
            table=spec.table,
        ) from None
    if not table.schema.equals(schema_of(spec)):
        raise SnapshotCorruptError(
            f"Snapshot file {path} does not have the columns of table {spec.table!r} "
            f"({', '.join(table.schema.names)}); the snapshot is damaged or edited: use another one.",
            table=spec.table,
        )
    fields = [spec.model._meta.get_field(c.attname) for c in spec.columns]
    columns = [_decode(c, f, table.column(c.name).to_pylist()) for c, f in zip(spec.columns, fields)]
    return iter(zip(*columns)) if columns else iter(())
