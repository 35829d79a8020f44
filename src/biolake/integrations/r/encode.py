"""Python objects → specs that the R package rebuilds (plain lists, dicts and scalars only).

A spec is a dict with a ``"t"`` (type) entry: ``null``, ``vector``, ``factor``, ``datetime``,
``list``, ``data.frame``, ``matrix``, ``sparse``, ``anndata`` or ``object`` (kept in Python,
R holds a handle to it: the object itself travels beside the top-level spec, or inside the
spec as ``"obj"`` when it is an element of a list or dict).
"""

from __future__ import annotations

from typing import Any

Spec = dict[str, Any]
_INT32 = 2**31 - 1
_SCALARS = (bool, int, float, str)


def to_r(obj: Any) -> Spec:
    """The spec of ``obj`` for R; ``{"t": "object"}`` for objects R keeps as Python handles."""
    if obj is None:
        return {"t": "null"}
    if isinstance(obj, _SCALARS) or _is_numpy_scalar(obj):
        return vector([_plain(obj)])
    if isinstance(obj, (list, tuple)):
        items = [_plain(v) for v in obj]
        if items and all(v is None or isinstance(v, _SCALARS) for v in items) and _one_kind(items):
            return vector(items)
        return {"t": "list", "items": [_item(v) for v in obj], "names": None}
    if isinstance(obj, dict) and all(isinstance(k, str) for k in obj):
        return {"t": "list", "items": [_item(v) for v in obj.values()], "names": list(obj)}
    return _typed(obj)


def _item(value: Any) -> Spec:
    """An element of a list or dict: Python objects travel inside the spec (R keeps a handle)."""
    spec = to_r(value)
    if spec["t"] == "object":
        spec["obj"] = value
    return spec


def _typed(obj: Any) -> Spec:
    kind = f"{type(obj).__module__}.{type(obj).__name__}"
    if kind == "pandas.core.frame.DataFrame":
        return data_frame(obj)
    if kind == "pandas.core.series.Series":
        return column(obj)
    if kind == "numpy.ndarray":
        return array(obj)
    if kind.startswith("scipy.sparse."):
        return sparse(obj)
    if kind.startswith("anndata.") and type(obj).__name__ == "AnnData":
        return anndata(obj)
    if kind.startswith(("pathlib.", "upath.")):
        return vector([str(obj)])
    return {"t": "object"}


def _is_numpy_scalar(obj: Any) -> bool:
    return type(obj).__module__ == "numpy" and hasattr(obj, "item") and getattr(obj, "ndim", None) == 0


def _plain(value: Any) -> Any:
    return value.item() if _is_numpy_scalar(value) else value


def _one_kind(items: list[Any]) -> bool:
    kinds = {_r_type(v) for v in items if v is not None}
    return len(kinds) <= 1 or kinds == {"integer", "double"}


def _r_type(value: Any) -> str:
    if isinstance(value, bool):
        return "logical"
    if isinstance(value, int):
        return "integer" if abs(value) <= _INT32 else "double"
    if isinstance(value, float):
        return "double"
    return "character"


def vector(values: list[Any]) -> Spec:
    """An atomic R vector from Python scalars (``None`` and NaN strings → NA)."""
    kinds = {_r_type(v) for v in values if v is not None}
    r_type = "double" if "double" in kinds else (kinds.pop() if len(kinds) == 1 else "character")
    fill: Any = {"logical": False, "integer": 0, "double": 0.0, "character": ""}[r_type]
    na = [v is None for v in values]
    cast = {"logical": bool, "integer": int, "double": float, "character": str}[r_type]
    return {"t": "vector", "type": r_type, "values": [fill if v is None else cast(v) for v in values], "na": na}


def column(series: Any) -> Spec:
    """One pandas column (or Series): a factor for categoricals, else an atomic vector."""
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = [int(c) + 1 for c in series.cat.codes.tolist()]  # R: 1-based, 0 = NA
        levels = [str(level) for level in dtype.categories.tolist()]
        return {"t": "factor", "codes": codes, "levels": levels, "ordered": bool(dtype.ordered)}
    if pd.api.types.is_datetime64_any_dtype(dtype):
        na = series.isna().tolist()
        seconds = [0.0 if missing else value.timestamp() for value, missing in zip(series.tolist(), na)]
        return {"t": "datetime", "values": seconds, "na": na}
    values = series.astype(object).where(series.notna(), None).tolist()
    spec = vector(values)
    if pd.api.types.is_float_dtype(dtype) and spec["type"] == "integer":
        spec["type"], spec["values"] = "double", [float(v) for v in spec["values"]]
    if pd.api.types.is_bool_dtype(dtype) and spec["type"] != "logical" and not spec["values"]:
        spec["type"] = "logical"
    if not values:
        spec["type"] = _empty_type(dtype)
    return spec


def _empty_type(dtype: Any) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(dtype):
        return "logical"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    return "double" if pd.api.types.is_float_dtype(dtype) else "character"


def _index_names(index: Any) -> list[str] | None:
    import pandas as pd

    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return None
    return [str(v) for v in index.tolist()]


def data_frame(df: Any) -> Spec:
    """A pandas DataFrame → an R data.frame spec (column names kept, a non-default index as row names)."""
    return {
        "t": "data.frame",
        "names": [str(c) for c in df.columns],
        "columns": [column(df.iloc[:, i]) for i in range(df.shape[1])],
        "rownames": _index_names(df.index),
    }


def array(values: Any) -> Spec:
    """A numpy array: a vector (1-d) or a column-major matrix (2-d)."""
    if values.ndim <= 1:
        return vector(values.reshape(-1).tolist())
    if values.ndim != 2:
        return {"t": "object"}
    flat = vector(values.T.reshape(-1).tolist())
    if values.dtype.kind == "f":
        flat["type"] = "double"
    return {"t": "matrix", "nrow": int(values.shape[0]), "ncol": int(values.shape[1]), "data": flat, "dimnames": None}


def sparse(matrix: Any) -> Spec:
    """A scipy sparse matrix → the slots of a ``Matrix::dgCMatrix`` (compressed columns, 0-based i)."""
    csc = matrix.tocsc()
    csc.sort_indices()
    return {
        "t": "sparse",
        "i": [int(v) for v in csc.indices.tolist()],
        "p": [int(v) for v in csc.indptr.tolist()],
        "x": [float(v) for v in csc.data.tolist()],
        "nrow": int(csc.shape[0]),
        "ncol": int(csc.shape[1]),
        "dimnames": None,
    }


def _matrix(values: Any, rows: list[str], cols: list[str]) -> Spec:
    spec = sparse(values) if hasattr(values, "tocsc") else array(_dense(values))
    spec["dimnames"] = [rows, cols]
    return spec


def _dense(values: Any) -> Any:
    import numpy as np

    return np.asarray(values.todense() if hasattr(values, "todense") else values)


def anndata(adata: Any) -> Spec:
    """An AnnData → X (sparse or dense, obs × var), obs and var data.frames, layers and obsm."""
    obs_names, var_names = [str(v) for v in adata.obs_names], [str(v) for v in adata.var_names]
    layers = {name: _matrix(adata.layers[name], obs_names, var_names) for name in adata.layers.keys()}
    obsm = {name: array(_dense(adata.obsm[name])) for name in adata.obsm.keys() if getattr(_dense(adata.obsm[name]), "ndim", 0) == 2}
    return {
        "t": "anndata",
        "X": _matrix(adata.X, obs_names, var_names) if adata.X is not None else {"t": "null"},
        "obs": data_frame(adata.obs),
        "var": data_frame(adata.var),
        "layers": {"t": "list", "items": list(layers.values()), "names": list(layers)},
        "obsm": {"t": "list", "items": list(obsm.values()), "names": list(obsm)},
    }
