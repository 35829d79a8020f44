"""Sheets: records of a record type built from a DataFrame, one per row, a feature per column."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from biolake import _logging as log
from biolake.models import feature_inference
from biolake.models.feature import Feature

if TYPE_CHECKING:
    import pandas as pd


def column_dtype(series: pd.Series) -> str:
    """The feature dtype of a sheet column: as :func:`feature_inference.column_dtype`, with
    categoricals as ``str`` (a sheet's values are not labels of a registry)."""
    dtype = feature_inference.column_dtype(series)
    return "str" if dtype == "cat" else dtype


def _python(value: Any) -> Any:
    """A plain Python value (numpy scalars and timestamps converted); ``None`` for missing values."""
    import pandas as pd

    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def _features_of(df: pd.DataFrame, columns: list[str]) -> None:
    """Create the features of columns that no feature names yet (announced)."""
    existing = set(Feature.objects.filter(name__in=columns).values_list("name", flat=True))
    missing = [c for c in columns if c not in existing]
    for column in missing:
        Feature(name=column, dtype=column_dtype(df[column])).save()
    if missing:
        log.info(f"created feature(s) {', '.join(map(repr, missing))} from the DataFrame's columns")


def records_from_dataframe(model: Any, df: pd.DataFrame, type: Any, name_column: str) -> list[Any]:
    """Unsaved records of ``model`` (of record type ``type``), one per row, with their feature values."""
    columns = [str(c) for c in df.columns if c != name_column]
    _features_of(df, columns)
    names = df[name_column].tolist() if name_column in df.columns else [None] * len(df)
    cells = {column: df[column].tolist() for column in columns}  # per column: no upcasting across columns
    records = []
    for i, name in enumerate(names):
        values = {column: v for column in columns if (v := _python(cells[column][i])) is not None}
        records.append(model(name=None if name is None else str(name), type=type, features=values))
    return records
