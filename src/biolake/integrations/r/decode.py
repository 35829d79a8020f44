"""Specs sent by the R package → Python objects (pandas, scipy, AnnData, plain values).

R sends every vector as a list (``as.list``) with a parallel list of NA flags, so nothing here
depends on reticulate's numpy conversion.
"""

from __future__ import annotations

from typing import Any

from biolake.errors import InvalidArgument

Spec = dict[str, Any]


def from_r(spec: Any) -> Any:
    """The Python object a spec from R describes (values that are not specs pass through)."""
    if not isinstance(spec, dict) or "t" not in spec:
        return spec
    kind = spec["t"]
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise InvalidArgument(f"biolaker sent a value of unknown type {kind!r}: update the R package biolaker.")
    return builder(spec)


def _listify(values: Any) -> list[Any]:
    return list(values) if isinstance(values, (list, tuple)) else [values]


def _values(spec: Spec) -> list[Any]:
    values, na = _listify(spec.get("values", [])), _listify(spec.get("na", []))
    if spec.get("type") == "integer":
        values = [int(v) for v in values]
    elif spec.get("type") == "double":
        values = [float(v) for v in values]
    return [None if missing else v for v, missing in zip(values, na)] if na else values


def _vector(spec: Spec) -> Any:
    values = _values(spec)
    return values[0] if spec.get("scalar") and len(values) == 1 else values


def _list(spec: Spec) -> Any:
    items = [from_r(item) for item in _listify(spec.get("items", []))]
    names = spec.get("names")
    return dict(zip(_listify(names), items)) if names is not None else items


def _factor(spec: Spec) -> Any:
    import pandas as pd

    codes = [int(c) - 1 for c in _listify(spec["codes"])]  # R: 1-based, NA → 0 → -1
    levels = [str(v) for v in _listify(spec["levels"])]
    return pd.Categorical.from_codes(codes, categories=levels, ordered=bool(spec.get("ordered")))


def _column(spec: Spec) -> Any:
    import pandas as pd

    if spec["t"] == "factor":
        return _factor(spec)
    if spec["t"] == "datetime":
        return pd.to_datetime(pd.Series(_values({**spec, "type": "double"}), dtype="float64"), unit="s", utc=True)
    values = _values(spec)
    dtype = {"integer": "Int64" if None in values else "int64", "double": "float64", "logical": "boolean" if None in values else "bool"}
    return pd.array(values, dtype=dtype.get(spec.get("type", ""), "object"))


def _data_frame(spec: Spec) -> Any:
    import pandas as pd

    names = [str(n) for n in _listify(spec.get("names", []))]
    columns = [_column(c) for c in _listify(spec.get("columns", []))]
    rownames = spec.get("rownames")
    if rownames is not None:
        index = pd.Index([str(r) for r in _listify(rownames)])
    else:
        index = pd.RangeIndex(int(spec.get("nrow", len(columns[0]) if columns else 0)))
    return pd.DataFrame({name: pd.Series(col, index=index) for name, col in zip(names, columns)}, index=index)


def _sparse(spec: Spec) -> Any:
    from scipy import sparse

    shape = (int(spec["nrow"]), int(spec["ncol"]))
    data = [float(v) for v in _listify(spec.get("x", []))]
    indices = [int(v) for v in _listify(spec.get("i", []))]
    indptr = [int(v) for v in _listify(spec["p"])]
    return sparse.csc_matrix((data, indices, indptr), shape=shape)


def _matrix(spec: Spec) -> Any:
    import numpy as np

    values = _values(spec["data"])
    dtype = {"integer": "int64", "double": "float64", "logical": "bool"}.get(spec["data"].get("type", ""), "object")
    if None in values:
        dtype, values = "float64", [float("nan") if v is None else v for v in values]
    flat = np.asarray(values, dtype=dtype)
    return flat.reshape((int(spec["ncol"]), int(spec["nrow"]))).T.copy()  # R is column-major


def _anndata(spec: Spec) -> Any:
    import anndata as ad

    obs, var = from_r(spec["obs"]), from_r(spec["var"])
    X = from_r(spec["X"])
    if X is not None and hasattr(X, "tocsr"):
        X = X.tocsr()
    layers = {k: (v.tocsr() if hasattr(v, "tocsr") else v) for k, v in (from_r(spec.get("layers")) or {}).items()}
    obsm = from_r(spec.get("obsm")) or {}
    return ad.AnnData(X=X, obs=obs, var=var, layers=layers or None, obsm=obsm or None)


def _object(spec: Spec) -> Any:
    return spec["obj"]


_BUILDERS = {
    "null": lambda spec: None,
    "vector": _vector,
    "list": _list,
    "factor": _factor,
    "datetime": _column,
    "data.frame": _data_frame,
    "sparse": _sparse,
    "matrix": _matrix,
    "anndata": _anndata,
    "object": _object,
}
