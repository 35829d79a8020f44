"""Encode an obs column consistently across stores, and weigh cells by label frequency.

Each store's column becomes a ``pandas.Categorical``; the joint categories are their union
in order of first appearance (store by store; a categorical column contributes its declared
categories in their order, any other column its sorted distinct values), so a single store
keeps its own category order. Codes are integers into the joint categories, -1 for a
missing value.

Example:
    >>> import pandas as pd
    >>> a, b = as_categorical(pd.Categorical(["T", "B"])), as_categorical(["NK", "T"])
    >>> categories = union_categories([a, b])
    >>> list(categories), recode(b, categories).tolist()
    (['B', 'T', 'NK'], [2, 1])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def as_categorical(values: Any) -> pd.Categorical:
    """``values`` as a ``pandas.Categorical`` (categoricals pass through)."""
    import pandas as pd

    if isinstance(values, pd.Categorical):
        return values
    return pd.Categorical(np.asarray(values))


def as_values(values: Any) -> np.ndarray:
    """``values`` as a numpy array; strings (any numpy string dtype) as Python ``str`` objects."""
    array = np.asarray(values)
    return array.astype(object) if array.dtype.kind in "OSUT" else array


def union_categories(columns: Sequence[pd.Categorical]) -> pd.Index:
    """The categories of all ``columns`` in order of first appearance."""
    import pandas as pd

    seen: dict[Any, None] = {}
    for column in columns:
        seen.update(dict.fromkeys(column.categories))
    return pd.Index(list(seen), dtype=object)


def code_dtype(n_categories: int) -> np.dtype:
    """The smallest signed integer type that holds codes ``-1 .. n_categories - 1``."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_categories <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.int64)


def recode(column: pd.Categorical, categories: pd.Index) -> np.ndarray:
    """The codes of ``column`` into ``categories`` (-1 for missing values)."""
    lookup = categories.get_indexer(column.categories)
    codes = np.asarray(column.codes)
    out = np.where(codes >= 0, lookup[codes], -1) if len(lookup) else np.full(len(codes), -1)
    return out.astype(code_dtype(len(categories)))


def encode_values(values: np.ndarray, categories: pd.Index) -> np.ndarray:
    """Codes of raw ``values`` into ``categories`` (-1 for missing or unknown values)."""
    codes: np.ndarray = categories.get_indexer(values).astype(np.int64)
    return codes


def inverse_frequency_weights(labels: Sequence[np.ndarray]) -> np.ndarray:
    """Per-cell weights ``1 / (cells with the same labels)``; several arrays combine into one class.

    Every class present gets the same total weight (1), so sampling with these weights
    draws each class equally often. Missing labels (-1, NaN) form their own class.
    """
    if len(labels) == 1:
        _, inverse, counts = np.unique(_factorize(labels[0]), return_inverse=True, return_counts=True)
    else:
        stacked = np.stack([_factorize(values) for values in labels], axis=1)
        _, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    return 1.0 / counts[inverse.reshape(-1)]


def _factorize(values: np.ndarray) -> np.ndarray:
    import pandas as pd

    return pd.factorize(values, use_na_sentinel=False)[0] if values.dtype == object else values

