"""Whether the values of a pandas column have a feature's dtype, and converting them if asked.

Only non-missing values are checked (missing values are the business of ``nullable``).
Columns whose pandas dtype settles the question (``int64`` for ``int``, ``float64`` for
``float``, ...) are checked without looking at the values; object columns are checked with
pandas' ``infer_dtype`` first, and value by value only when that is inconclusive.

=============  ==============================================================================
dtype          values that pass
=============  ==============================================================================
``int``        integers (not booleans): numpy/pandas integer columns, Python ints
``float``      floating-point numbers
``num``        integers or floats
``str``        strings
``bool``       booleans
``date``       ``datetime.date`` (not datetimes); datetime64 columns holding midnights only
``datetime``   ``datetime.datetime`` / ``pd.Timestamp``; datetime64 columns
``dict``       dicts
``path``       strings and ``os.PathLike`` objects
``cat[...]``   anything: values are validated against their registry instead
``list[X]``    lists (tuples, arrays) whose elements pass ``X``
=============  ==============================================================================

Example:
    >>> import pandas as pd
    >>> from biolake.models.dtypes import parse
    >>> offending(pd.Series([1, 2.5, "a"]), parse("int"))
    [2.5, 'a']
    >>> convert(pd.Series(["1", "2"]), parse("int"))[0].tolist()
    [1, 2]
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from biolake.models.dtypes import Dtype

MAX_OFFENDING = 100  # distinct offending values kept per column


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_float(v: Any) -> bool:
    return isinstance(v, (float, np.floating))


def _is_date(v: Any) -> bool:
    return isinstance(v, datetime.date) and not isinstance(v, datetime.datetime)


SCALAR: dict[str, Callable[[Any], bool]] = {
    "int": _is_int,
    "float": _is_float,
    "num": lambda v: _is_int(v) or _is_float(v),
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, (bool, np.bool_)),
    "date": _is_date,
    "datetime": lambda v: isinstance(v, (datetime.datetime, np.datetime64)),
    "dict": lambda v: isinstance(v, dict),
    "path": lambda v: isinstance(v, (str, os.PathLike)),
    "url": lambda v: isinstance(v, str),
    "cat": lambda v: True,
}

# results of pandas' infer_dtype (skipping missing values) that settle an object column
_INFERRED: dict[str, set[str]] = {
    "int": {"integer", "empty"},
    "float": {"floating", "empty"},
    "num": {"integer", "floating", "mixed-integer-float", "empty"},
    "str": {"string", "empty"},
    "bool": {"boolean", "empty"},
    "date": {"date", "empty"},
    "datetime": {"datetime", "datetime64", "empty"},
    "dict": {"empty"},
    "path": {"string", "empty"},
    "url": {"string", "empty"},
}

# pandas column kinds that settle a dtype: kind → dtypes they satisfy
_KIND_OK: dict[str, set[str]] = {
    "bool": {"bool"},
    "int": {"int", "num"},
    "float": {"float", "num"},
    "datetime": {"datetime"},
    "string": {"str", "path", "url"},
}


def _kind(series: pd.Series) -> str | None:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if isinstance(dtype, pd.StringDtype):
        return "string"
    if dtype == object:
        return None
    return "other"  # timedelta, complex, interval, ...


def offending(series: pd.Series, dtype: Dtype) -> list[Any]:
    """Distinct non-missing values (list dtypes: cells or elements) that do not have ``dtype``."""
    if dtype.is_list:
        return _offending_lists(series, dtype)
    if dtype.base == "cat":
        return []
    if isinstance(series.dtype, pd.CategoricalDtype):
        used = np.unique(series.cat.codes.to_numpy())
        return offending(pd.Series(series.cat.categories[used[used >= 0]]), dtype)
    present = series[series.notna()]
    kind = _kind(present)
    if kind is None:
        return _offending_objects(present, dtype.base)
    if dtype.base in _KIND_OK.get(kind, set()):
        return []
    if kind == "datetime" and dtype.base == "date":
        return _distinct(present[present != present.dt.normalize()]) if present.dt.tz is None else _distinct(present)
    return _distinct(present)


def _offending_objects(present: pd.Series, base: str) -> list[Any]:
    if pd.api.types.infer_dtype(present, skipna=True) in _INFERRED[base]:
        return []
    ok = SCALAR[base]
    values = present.to_numpy()
    mask = np.fromiter((ok(v) for v in values), dtype=bool, count=len(values))
    return _distinct(values[~mask])


def _offending_lists(series: pd.Series, dtype: Dtype) -> list[Any]:
    ok = SCALAR[dtype.base]
    bad: list[Any] = []
    for cell in series.to_numpy():
        if isinstance(cell, (list, tuple, np.ndarray)):
            bad.extend(v for v in cell if not _missing(v) and not ok(v))
        elif not _missing(cell):
            bad.append(cell)
    return _distinct(bad)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT or value is pd.NA


def _distinct(values: Any) -> list[Any]:
    """Distinct values in order (unhashable ones compared by repr), at most MAX_OFFENDING."""
    seen: set[Any] = set()
    result: list[Any] = []
    for value in values:
        try:
            key = ("h", value)
            hash(key)
        except TypeError:
            key = ("r", repr(value))
        if key not in seen:
            seen.add(key)
            result.append(value.item() if isinstance(value, np.generic) else value)
            if len(result) == MAX_OFFENDING:
                break
    return result


def convert(series: pd.Series, dtype: Dtype) -> tuple[pd.Series, list[Any]]:
    """``series`` converted to ``dtype``, and the values that could not be converted.

    Nothing is converted when some values cannot be (the series comes back unchanged).
    List and categorical dtypes are not converted.
    """
    converter = _CONVERTERS.get(dtype.base) if not dtype.is_list else None
    if converter is None:
        return series, offending(series, dtype)
    values = series.astype(object) if isinstance(series.dtype, pd.CategoricalDtype) else series
    if dtype.base == "str" and isinstance(series.dtype, pd.CategoricalDtype):
        values = series
    converted, failed = converter(values)
    bad = _distinct(values[failed])
    return (series, bad) if bad else (converted, [])


def _numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_bool_dtype(values.dtype) or _kind(values) in ("datetime", "other"):
        return values, values.notna()
    booleans = values.map(lambda v: isinstance(v, (bool, np.bool_)))
    numbers = pd.to_numeric(values.where(~booleans), errors="coerce")
    return numbers, (values.notna() & numbers.isna()) | booleans


def _to_int(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    numbers, failed = _numbers(values)
    if failed.any():
        return values, failed
    fractional = numbers.notna() & (numbers % 1 != 0)
    if fractional.any():
        return values, fractional
    return numbers.astype("Int64" if numbers.isna().any() else "int64"), failed


def _to_float(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    numbers, failed = _numbers(values)
    return (values, failed) if failed.any() else (numbers.astype("float64"), failed)


def _to_num(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    numbers, failed = _numbers(values)
    return (values, failed) if failed.any() else (numbers, failed)


def _to_str(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    failed = pd.Series(False, index=values.index)
    if isinstance(values.dtype, pd.CategoricalDtype):
        names = [str(c) for c in values.cat.categories]
        if len(set(names)) == len(names):
            return values.cat.rename_categories(names), failed
        values = values.astype(object)
    return values.astype(object).where(values.isna(), values.astype(str)), failed


_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def _as_bool(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer, float, np.floating)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def _to_bool(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    present = values.notna()
    converted = values.map(lambda v: _as_bool(v) if not _missing(v) else None)
    failed = present & converted.isna()
    if failed.any():
        return values, failed
    return converted.astype("boolean" if (~present).any() else "bool"), failed


def _datetimes(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    if _kind(values) == "datetime":
        return values, pd.Series(False, index=values.index)
    if _kind(values) not in (None, "string"):
        return values, values.notna()
    strings = values.map(lambda v: isinstance(v, str))
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if strings.any():
        parsed[strings] = pd.to_datetime(values[strings], errors="coerce", format="ISO8601")
    others = values.notna() & ~strings
    if others.any():
        objects = values[others]
        usable = objects.map(lambda v: isinstance(v, (datetime.date, np.datetime64)))
        parsed[others & usable.reindex(values.index, fill_value=False)] = pd.to_datetime(
            objects[usable], errors="coerce"
        )
    return parsed, values.notna() & parsed.isna()


def _to_datetime(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    parsed, failed = _datetimes(values)
    return (values, failed) if failed.any() else (parsed, failed)


def _to_date(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    parsed, failed = _datetimes(values)
    failed = failed | (parsed.notna() & (parsed != parsed.dt.normalize()))
    if failed.any():
        return values, failed
    dates = parsed.dt.date.astype(object).where(parsed.notna(), None)
    return dates, failed


def _to_dict(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    def load(value: Any) -> Any:
        if isinstance(value, dict) or _missing(value):
            return value
        try:
            loaded = json.loads(value) if isinstance(value, str) else None
        except ValueError:
            return None
        return loaded if isinstance(loaded, dict) else None

    converted = values.map(load)
    failed = values.notna() & converted.isna()
    return (values, failed) if failed.any() else (converted, failed)


_CONVERTERS: dict[str, Callable[[pd.Series], tuple[pd.Series, pd.Series]]] = {
    "int": _to_int,
    "float": _to_float,
    "num": _to_num,
    "str": _to_str,
    "bool": _to_bool,
    "date": _to_date,
    "datetime": _to_datetime,
    "dict": _to_dict,
}
