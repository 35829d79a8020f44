"""Registry-style lookups on obs columns (``cell_type="T cell"``, ``n_genes__gt=200``) as DuckDB SQL.

Each filter becomes one condition with bound parameters (values never enter the SQL text);
column names are quoted. ``where`` adds a raw SQL condition as written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from biolake.errors import InvalidArgument

#: lookup → SQL template over ``{c}`` (the quoted column); ``?`` is the bound value
LOOKUPS: dict[str, str] = {
    "exact": "{c} = ?",
    "iexact": "lower({c}) = lower(?)",
    "gt": "{c} > ?",
    "gte": "{c} >= ?",
    "lt": "{c} < ?",
    "lte": "{c} <= ?",
    "startswith": "starts_with({c}, ?)",
    "istartswith": "starts_with(lower({c}), lower(?))",
    "endswith": "ends_with({c}, ?)",
    "iendswith": "ends_with(lower({c}), lower(?))",
    "contains": "contains({c}, ?)",
    "icontains": "contains(lower({c}), lower(?))",
    "regex": "regexp_matches({c}, ?)",
    "in": "",  # a list of values, below
    "isnull": "",  # no value bound, below
    "ne": "{c} IS DISTINCT FROM ?",
}


@dataclasses.dataclass
class Condition:
    """One filter: an obs column, a lookup and its value."""

    column: str
    lookup: str
    value: Any

    def sql(self) -> tuple[str, list[Any]]:
        """The condition's SQL text and its parameters."""
        column = quote(self.column)
        if self.lookup == "isnull":
            return f"{column} IS {'' if self.value else 'NOT '}NULL", []
        if self.lookup == "in":
            values = list(self.value)
            if not values:
                return "FALSE", []
            return f"{column} IN ({', '.join('?' * len(values))})", values
        if self.lookup == "exact" and self.value is None:
            return f"{column} IS NULL", []
        return LOOKUPS[self.lookup].format(c=column), [self.value]


def parse(filters: dict[str, Any]) -> list[Condition]:
    """Conditions from keyword filters; an unknown lookup names the known ones."""
    conditions = []
    for key, value in filters.items():
        column, _, lookup = key.rpartition("__")
        if not column or lookup not in LOOKUPS:
            if column and "__" in key and lookup.islower() and lookup.isidentifier() and lookup not in LOOKUPS:
                raise InvalidArgument(f"Unknown lookup '__{lookup}' in {key!r}: use one of {', '.join(sorted(LOOKUPS))}.")
            column, lookup = key, "exact"
        if lookup == "in":
            if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
                raise InvalidArgument(f"{key} takes a list of values, not {value!r}.")
            value = list(value)
        conditions.append(Condition(column, lookup, value))
    return conditions


def where_sql(conditions: list[Condition], where: str | None) -> tuple[str, list[Any]]:
    """``WHERE ...`` over all conditions (and ``where``), with parameters; empty when there is none."""
    parts, params = [], []
    for condition in conditions:
        text, values = condition.sql()
        parts.append(text)
        params.extend(values)
    if where:
        parts.append(f"({where})")
    return ("WHERE " + " AND ".join(parts)) if parts else "", params


def quote(column: str) -> str:
    """A column name as a quoted SQL identifier."""
    return '"' + column.replace('"', '""') + '"'
