"""``Feature.from_dataframe(df)``: one feature per column, its dtype inferred from the column."""

from __future__ import annotations

from typing import Any

from biolake.models.record_list import RecordList


def column_dtype(series: Any) -> str:
    """The feature dtype of a pandas column: ``int``, ``float``, ``bool``, ``datetime``, ``cat`` or ``str``."""
    import pandas as pd

    kind = series.dtype
    if isinstance(kind, pd.CategoricalDtype):
        return "cat"
    if pd.api.types.is_bool_dtype(kind):
        return "bool"
    if pd.api.types.is_integer_dtype(kind):
        return "int"
    if pd.api.types.is_float_dtype(kind):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(kind):
        return "datetime"
    return "str"


def features_from_dataframe(model: Any, df: Any) -> RecordList:
    """Unsaved features for the columns of ``df``; names that exist return the existing feature."""
    names = [str(c) for c in df.columns]
    existing = {f.name: f for f in model.filter(name__in=names)}
    records = [existing.get(name) or model(name=name, dtype=column_dtype(df[name])) for name in names]
    return RecordList(records)
