"""A backend-independent form of row values, and the content hash of a table built on it.

The same records read from SQLite, PostgreSQL or a snapshot's parquet files have the same
canonical rows, so equal hashes mean equal contents: datetimes in UTC with microseconds, JSON
with sorted keys, decimals normalized, bytes and UUIDs in hex. A table's hash is BLAKE3 over its
column header and its rows (one JSON line each) in primary-key order.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from blake3 import blake3

from biolake.setup.snapshot.tables import TableSpec

_MICROSECOND = dt.timedelta(microseconds=1)


def _datetime(value: Any) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return str(value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds"))


def canonical_json(value: Any) -> str:
    """JSON text with sorted keys and no spaces: equal for equal JSON values."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_CANONICAL: dict[str, Any] = {
    "int": int,
    "bool": bool,
    "float": float,
    "str": str,
    "text": str,
    "datetime": _datetime,
    "date": lambda v: v.isoformat(),
    "time": lambda v: v.isoformat(timespec="microseconds"),
    "duration": lambda v: v // _MICROSECOND,
    "json": canonical_json,
    "decimal": lambda v: str(decimal.Decimal(v).normalize()),
    "uuid": lambda v: uuid.UUID(str(v)).hex,
    "bytes": lambda v: bytes(v).hex(),
}


def canonical(kind: str, value: Any) -> Any:
    """The canonical form of one value of a column of ``kind`` (``None`` stays ``None``)."""
    return None if value is None else _CANONICAL[kind](value)


def sort_key(kind: str, value: Any) -> tuple[bool, Any]:
    """A key that orders primary keys the same way on every backend."""
    form = canonical(kind, value)
    return (form is None, form if kind in ("int", "float") else str(form))


class TableDigest:
    """Counts and hashes the rows of one table as they stream by (in primary-key order)."""

    def __init__(self, spec: TableSpec) -> None:
        self._forms = [_CANONICAL[column.kind] for column in spec.columns]
        self._hash = blake3(canonical_json(spec.header()).encode() + b"\n")
        self.rows = 0

    def update(self, row: tuple[Any, ...]) -> None:
        """Add one row (values in the spec's column order)."""
        line = [None if value is None else form(value) for form, value in zip(self._forms, row)]
        self._hash.update(json.dumps(line, separators=(",", ":"), ensure_ascii=False).encode() + b"\n")
        self.rows += 1

    def feed(self, rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """Pass ``rows`` through, digesting each."""
        for row in rows:
            self.update(row)
            yield row

    @property
    def hash(self) -> str:
        """``blake3:<hex>`` of the rows seen so far."""
        return f"blake3:{self._hash.hexdigest()}"
