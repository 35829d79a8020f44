"""The Python half of the R package: specs to and from R, and the call trampoline (no R needed)."""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from biolake.errors import TrackingError
from biolake.integrations.r import call, from_r, get_attr, to_r


def roundtrip(obj):
    return from_r(to_r(obj))


def test_a_dataframe_spec_is_columns_of_plain_lists_with_na_flags():
    df = pd.DataFrame({"n": [1, None, 3], "group": pd.Categorical(["b", None, "a"], categories=["b", "a"]), "s": ["u", None, "w"]})
    spec = to_r(df)
    n, group, s = spec["columns"]
    assert n == {"t": "vector", "type": "double", "values": [1.0, 0.0, 3.0], "na": [False, True, False]}
    assert group == {"t": "factor", "codes": [1, 0, 2], "levels": ["b", "a"], "ordered": False}
    assert s["values"] == ["u", "", "w"] and s["na"] == [False, True, False]
    assert all(type(v) in (int, float, str, bool) for c in spec["columns"] for v in c.get("values", c.get("codes")))


def test_dataframe_roundtrip_keeps_categoricals_index_and_missing_values():
    df = pd.DataFrame(
        {"count": pd.array([1, None, 3], dtype="Int64"), "x": [0.5, np.nan, 2.0],
         "size": pd.Categorical(["S", "L", "S"], categories=["S", "M", "L"], ordered=True), "flag": [True, False, True]},
        index=["c1", "c2", "c3"],
    )
    back = roundtrip(df)
    assert list(back.index) == ["c1", "c2", "c3"]
    assert back["size"].dtype == df["size"].dtype and list(back["size"]) == ["S", "L", "S"]
    assert back["count"].isna().tolist() == [False, True, False] and back["count"].iloc[2] == 3
    assert np.isnan(back["x"].iloc[1]) and back["flag"].tolist() == [True, False, True]


def test_sparse_dense_and_anndata_roundtrip():
    m = sparse.random(4, 3, density=0.5, format="csr", random_state=0)
    back = roundtrip(m)
    assert sparse.issparse(back) and np.allclose(back.toarray(), m.toarray())
    dense = np.arange(6, dtype="float64").reshape(2, 3)
    assert np.array_equal(roundtrip(dense), dense)
    adata = ad.AnnData(X=m, obs=pd.DataFrame({"t": pd.Categorical(list("abab"))}, index=list("wxyz")),
                       var=pd.DataFrame(index=["g1", "g2", "g3"]), obsm={"X_umap": np.ones((4, 2))})
    back = roundtrip(adata)
    assert back.shape == (4, 3) and np.allclose(back.X.toarray(), m.toarray())
    assert list(back.obs_names) == list("wxyz") and back.obs["t"].dtype == "category"
    assert list(back.var_names) == ["g1", "g2", "g3"] and back.obsm["X_umap"].shape == (4, 2)


def test_objects_stay_in_python_as_handles():
    assert to_r(object())["t"] == "object"
    nested = to_r([object(), 1])
    assert nested["t"] == "list" and nested["items"][0]["t"] == "object" and "obj" in nested["items"][0]
    assert to_r(None) == {"t": "null"} and to_r({"a": 1})["names"] == ["a"]


def test_call_returns_errors_as_data_with_class_names_and_message():
    def fail():
        raise TrackingError("ln.finish() needs a run: call ln.track() first.")

    status, info, obj = call(fail)
    assert status == "error" and obj is None
    assert info["classes"][:3] == ["TrackingError", "BiolakeError", "RuntimeError"]
    assert info["message"] == "ln.finish() needs a run: call ln.track() first."
    status, spec, _ = call(max, [{"t": "vector", "type": "integer", "values": [1, 5], "na": [False, False]}])
    assert status == "value" and spec["values"] == [5]
    status, spec, _ = get_attr("abc", "upper")
    assert status == "value" and spec["t"] == "object"
    assert get_attr("abc", "nope")[0] == "error"


def test_unknown_spec_type_is_refused():
    with pytest.raises(ValueError, match="update the R package"):
        from_r({"t": "teapot"})
