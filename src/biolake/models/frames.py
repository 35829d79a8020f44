"""Turning querysets into pandas DataFrames."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd


def queryset_to_df(qs: Any, include: list[str]) -> pd.DataFrame:
    """Concrete fields as columns (foreign keys as ``<name>_id``), ``id`` as index, plus ``include``."""
    fields = _ordered_fields(qs.model)
    rows = list(qs.values_list(*fields))
    df = pd.DataFrame.from_records(rows, columns=fields)
    df = df.set_index("id")
    if include:
        ids = df.index.tolist()
        for lookup in include:
            df[lookup] = _related_column(qs.model, ids, lookup)
    return df


def _ordered_fields(model: Any) -> list[str]:
    """``id``, ``uid`` and the registry's own fields first; provenance columns last."""
    names = [f.attname for f in model._meta.concrete_fields]
    last = [n for n in ("run_id", "created_by_id", "created_at", "updated_at") if n in names]
    first = [n for n in ("id", "uid") if n in names]
    return first + [n for n in names if n not in first and n not in last] + last


def _related_column(model: Any, ids: list[int], lookup: str) -> list[Any]:
    values: dict[int, list[Any]] = defaultdict(list)
    pairs = model.objects.filter(id__in=ids).values_list("id", lookup).order_by("id")
    for pk, value in pairs:
        if value is not None:
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
