"""Turning querysets into pandas DataFrames.

Rows are fetched with the queryset's own SQL and converted column by column (vectorized)
instead of value by value through Django's converters: several times faster for the
tables ``df()`` returns.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.utils.dateparse import parse_datetime

from biolake.models.label_links import label_rows


def queryset_to_df(qs: Any, include: list[str], features: bool | list[str] | str = False) -> pd.DataFrame:
    """Concrete fields as columns (foreign keys as ``<name>_id``), ``id`` as index, plus ``include``.

    ``features``: ``True`` / ``"queryset"`` adds a column per feature the records have values
    or labels for; a list of names restricts the columns to those features.
    """
    model_fields = _ordered_fields(qs.model)
    columns = _fetch_columns(qs, model_fields)
    data = {field.attname: _column(field, values) for field, values in zip(model_fields, columns)}
    index = pd.Index(data.pop("id"), name="id")
    df = pd.DataFrame(data, index=index)
    ids = index.tolist()
    for lookup in include:
        df[lookup] = _related_column(qs.model, ids, lookup)
    if features is not False and features is not None:
        names = [features] if isinstance(features, str) and features != "queryset" else features
        wanted = None if names is True or names == "queryset" else list(names)  # type: ignore[arg-type]
        df = df.join(_feature_columns(qs.model, ids, wanted))
    return df


def _feature_columns(model: Any, ids: list[int], wanted: list[str] | None = None) -> pd.DataFrame:
    """One column per feature (values, or label names for categorical features): two queries."""
    cells: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    rows: list[tuple[Any, str, Any]] = []
    owner = model.__name__.lower()
    if any(f.name == "feature_values" for f in model._meta.get_fields()) and ids:
        link = model._meta.get_field("feature_values").remote_field.through
        values = link._default_manager.filter(**{f"{owner}_id__in": ids})
        if wanted is not None:
            values = values.filter(featurevalue__feature__name__in=wanted)
        rows = list(values.values_list(f"{owner}_id", "featurevalue__feature__name", "featurevalue__value"))
    labels = label_rows(model, ids, feature_only=True) if ids else []  # every label registry (ULabel, bio.CellType, ...)
    rows += [(pk, str(name), value) for pk, name, value, _ in labels if wanted is None or name in wanted]
    for pk, name, value in rows:
        cells[name][pk].append(value)
    order = sorted(cells) if wanted is None else [n for n in wanted if n in cells]
    columns = {
        name: [(v[0] if len(v) == 1 else v) if (v := cells[name].get(pk)) else None for pk in ids]
        for name in order
    }
    return pd.DataFrame(columns, index=pd.Index(ids, name="id"))


def _fetch_columns(qs: Any, model_fields: list[Any]) -> list[tuple[Any, ...]]:
    """The values of ``model_fields`` (in that order), column by column.

    A plain queryset (all columns of one table, no annotations) is fetched with its own SQL
    (Django's default select, cheaper to compile than ``values_list`` of every field); on
    SQLite the datetimes are then selected as their stored text (see :class:`_AsText`).
    """
    if _is_plain(qs):
        concrete = list(qs.model._meta.concrete_fields)
        position = {f.attname: i for i, f in enumerate(concrete)}
        rows = _fetch(qs, _sqlite_text_datetimes(qs, concrete))
        by_position = list(zip(*rows)) if rows else [() for _ in concrete]
        return [by_position[position[f.attname]] for f in model_fields]
    rows = _fetch(qs.values_list(*_selected(qs, model_fields)))
    return list(zip(*rows)) if rows else [() for _ in model_fields]


def _is_plain(qs: Any) -> bool:
    query = qs.query
    return (
        qs._fields is None
        and query.default_cols
        and not query.annotation_select
        and not query.extra_select
        and not query.select_related
        and not query.combinator
        and query.deferred_loading == (frozenset(), True)
        and not qs.model._meta.parents
    )


def _sqlite_text_datetimes(qs: Any, concrete: list[Any]) -> Any:
    """On SQLite, a function wrapping the queryset's SQL so datetimes come back as text."""
    if connections[qs.db].vendor != "sqlite" or not any(isinstance(f, models.DateTimeField) for f in concrete):
        return None
    quote = connections[qs.db].ops.quote_name
    outer = ", ".join(
        f"({quote(f.column)} || '')" if isinstance(f, models.DateTimeField) else quote(f.column) for f in concrete
    )
    return lambda sql: f"SELECT {outer} FROM ({sql})"  # noqa: S608 (column names are the model's)


class _AsText(models.Func):
    """A SQLite column as its stored text: the sqlite3 module then skips Django's per-value
    converter (``parse_datetime`` for every cell); :func:`_column` parses the column at once."""

    template = "(%(expressions)s || '')"
    output_field = models.TextField()


def _selected(qs: Any, model_fields: list[Any]) -> list[Any]:
    """What ``values_list`` selects: the fields' attnames; on SQLite, datetimes as their text."""
    names: list[Any] = [f.attname for f in model_fields]
    if connections[qs.db].vendor != "sqlite":
        return names
    return [_AsText(name) if isinstance(f, models.DateTimeField) else name for name, f in zip(names, model_fields)]


def _fetch(qs: Any, wrap: Any = None) -> list[tuple[Any, ...]]:
    if qs.query.is_empty():
        return []
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # e.g. ``pk__in=[]``: a condition no row can meet
        return []
    if wrap is not None:
        sql = wrap(sql)
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _column(field: Any, values: tuple[Any, ...]) -> Any:
    """One column, converted as Django would (aware datetimes, parsed JSON), but vectorized."""
    if isinstance(field, models.DateTimeField):
        if values and all(isinstance(v, str) for v in values):  # SQLite's text (naive UTC), see _AsText
            return pd.DatetimeIndex(np.array(values, dtype="datetime64[us]")).tz_localize("UTC")
        if values and any(isinstance(v, str) for v in values):  # with NULLs: parsed as Django parses them
            values = tuple(None if v is None else parse_datetime(v) for v in values)
        if values and all(v is not None and v.tzinfo is None for v in values):  # naive UTC
            return pd.DatetimeIndex(np.array(values, dtype="datetime64[us]")).tz_localize("UTC")
        return pd.to_datetime(list(values), utc=True)
    if isinstance(field, models.JSONField):
        return np.array([json.loads(v) if isinstance(v, str) else v for v in values], dtype=object)
    if isinstance(field, (models.BooleanField, models.IntegerField, models.AutoField, models.ForeignKey)) and not field.null:
        return np.array(values)
    return np.array(values, dtype=object)


def _ordered_fields(model: Any) -> list[Any]:
    """``id``, ``uid`` and the registry's own fields first; provenance columns last."""
    fields = list(model._meta.concrete_fields)
    last_names = ("space_id", "run_id", "created_by_id", "created_at", "updated_at")
    first = [f for name in ("id", "uid") for f in fields if f.attname == name]
    last = [f for name in last_names for f in fields if f.attname == name]
    return first + [f for f in fields if f not in first and f not in last] + last


def _related_column(model: Any, ids: list[int], lookup: str) -> list[Any]:
    values: dict[int, list[Any]] = defaultdict(list)
    pairs = model.objects.filter(id__in=ids).values_list("id", lookup).order_by("id")
    for pk, value in pairs:
        if value is not None and value not in values[pk]:  # a label linked twice (with and without a feature)
            values[pk].append(value)
    many = _is_many_valued(model, lookup)
    if many:
        return [values.get(pk, []) for pk in ids]
    return [values[pk][0] if values.get(pk) else None for pk in ids]


def _is_many_valued(model: Any, lookup: str) -> bool:
    current = model
    for name in lookup.split("__")[:-1]:
        field = current._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        current = field.related_model
    return False
