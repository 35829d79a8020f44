"""Keyset pagination: a page starts after the last row of the previous one, found by index, not by OFFSET.

The cursor is the sort value and the id of the last row shown (``after=<value>~<id>``), so
page 1,000 costs what page 1 costs. Sorting on a nullable column sorts on a non-null stand-in.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

PAGE_SIZE = 50


@dataclasses.dataclass(frozen=True)
class Sort:
    """One sort order: a field, its direction, and a stand-in value for nulls."""

    field: str
    descending: bool
    kind: str = "str"  # how a cursor value is parsed back: str, int, datetime
    null_as: Any = None

    @property
    def column(self) -> str:
        return "_sort" if self.null_as is not None else self.field


@dataclasses.dataclass
class Page:
    """The rows of one page and the cursor of the next (``None`` on the last page)."""

    rows: list[Any]
    next_cursor: str | None


def _parse(sort: Sort, text: str) -> Any:
    if sort.kind == "int":
        return int(text)
    if sort.kind == "datetime":
        return datetime.datetime.fromisoformat(text)
    return text


def _encode(sort: Sort, row: Any) -> str:
    value = getattr(row, sort.column)
    text = value.isoformat() if isinstance(value, datetime.datetime) else str(value)
    return f"{text}~{row.pk}"


def paginate(query: Any, sort: Sort, after: str | None, size: int | None = None) -> Page:
    """The page of ``query`` in ``sort`` order that starts after the cursor ``after``."""
    from django.db.models import Q, Value
    from django.db.models.functions import Coalesce

    size = size or PAGE_SIZE

    if sort.null_as is not None:
        query = query.annotate(_sort=Coalesce(sort.field, Value(sort.null_as)))
    sign = "-" if sort.descending else ""
    query = query.order_by(f"{sign}{sort.column}", f"{sign}pk")
    if after:
        text, _, pk = after.rpartition("~")
        try:
            value, pk_value = _parse(sort, text), int(pk)
        except ValueError:
            value = None
        if value is not None:
            op = "lt" if sort.descending else "gt"
            query = query.filter(Q(**{f"{sort.column}__{op}": value}) | Q(**{sort.column: value, f"pk__{op}": pk_value}))
    rows = list(query[: size + 1])
    next_cursor = _encode(sort, rows[size - 1]) if len(rows) > size else None
    return Page(rows=rows[:size], next_cursor=next_cursor)
