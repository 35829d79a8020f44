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


def can_match(columns: dict[str, Any], categories: dict[str, list[Any]], uid: str, conditions: list[Condition]) -> bool:
    """Whether an artifact (its obs columns, the listed values of some, its uid) may hold matching cells.

    Only ``exact``/``in`` conditions prune: on a column the artifact lacks (NULL never equals a
    value), on a column whose listed values miss every wanted one, or on ``artifact_uid``.
    """
    for condition in conditions:
        if condition.lookup not in ("exact", "in") or condition.value is None:
            continue
        wanted = condition.value if condition.lookup == "in" else [condition.value]
        if condition.column == "artifact_uid":
            present: list[Any] | None = [uid]
        elif condition.column in ("obs_name", "obs_row"):
            continue
        elif condition.column not in columns:
            return False
        else:
            present = categories.get(condition.column)
        if present is not None and not _intersects(present, wanted):
            return False
    return True


def _intersects(present: list[Any], wanted: list[Any]) -> bool:
    if not all(isinstance(v, (str, bool)) for v in wanted):  # DuckDB may cast: do not prune
        return True
    return not set(present).isdisjoint(wanted)
