"""The parts behind mapped(): block plans and windows, var joins, label codes, the chunk cache."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from biolake.errors import ValidationError
from biolake.formats.mapped import _blocks, _labels
from biolake.formats.mapped._chunk_cache import ChunkCache, ChunkedRows
from biolake.formats.mapped._joins import ColumnMap, joint_var_names


def test_plan_blocks_respects_block_size_and_selection():
    blocks = _blocks.plan_blocks([10, 7], [None, np.array([0, 1, 5, 6])], block_size=4)
    assert [(b.store, b.start, b.stop, len(b)) for b in blocks] == [
        (0, 0, 4, 4), (0, 4, 8, 4), (0, 8, 10, 2), (1, 0, 2, 2), (1, 5, 7, 2),
    ]
    assert blocks[-1].rows.tolist() == [0, 1]
    sparse_selection = _blocks.plan_blocks([1000], [np.array([3, 998])], block_size=100)
    assert [(b.start, b.stop) for b in sparse_selection] == [(3, 4), (998, 999)]  # never reads 3..998
    with pytest.raises(ValueError, match="block_size"):
        _blocks.plan_blocks([1], [None], 0)


def _window(n_parts: int, rows: int, sparse: bool) -> _blocks.Window:
    parts = []
    for p in range(n_parts):
        ids = np.arange(p * rows, (p + 1) * rows)
        x = np.repeat(ids[:, None], 3, axis=1).astype(np.float32)
        parts.append({"X": sp.csr_matrix(x) if sparse and p % 2 == 0 else x, "id": ids})
    return _blocks.Window(parts)


@pytest.mark.parametrize("sparse", [False, True])
def test_window_takes_rows_from_dense_sparse_and_mixed_parts(sparse):
    window = _window(3, 4, sparse)
    assert window.n == 12
    batch = window.take(np.array([11, 0, 5]))
    assert batch["id"].tolist() == [11, 0, 5]
    assert batch["X"][:, 0].tolist() == [11, 0, 5]


def test_batches_carry_rows_over_windows():
    windows = [_window(1, 5, False), _window(1, 5, False), _window(1, 3, False)]
    sizes = [len(b["id"]) for b in _blocks.batches(iter(windows), 4, drop_last=False, rng=np.random.default_rng(0))]
    assert sizes == [4, 4, 4, 1]
    dropped = _blocks.batches(iter(windows), 4, drop_last=True, rng=None)
    assert [len(b["id"]) for b in dropped] == [4, 4, 4]


def test_joint_var_names_follow_anndata_concat():
    a, b = pd.Index(["c", "a", "b"]), pd.Index(["b", "d", "c"])
    assert list(joint_var_names([a, b], "inner")) == ["c", "b"]
    assert list(joint_var_names([a, b], "outer")) == ["a", "b", "c", "d"]
    assert joint_var_names([a, a.copy()], None).equals(a)
    with pytest.raises(ValidationError, match="duplicated var names \\['a'\\]"):
        joint_var_names([pd.Index(["a", "a"]), b], "inner")
    with pytest.raises(ValueError, match="join must be"):
        joint_var_names([a, b], "left")


def test_column_map_rows():
    joint = pd.Index(["a", "b", "c", "d"])
    outer = ColumnMap.between(pd.Index(["d", "b"]), joint)
    assert outer.dense_row(np.array([4.0, 2.0]), np.float32).tolist() == [0, 2, 0, 4]
    assert outer.sparse_row(np.array([0]), np.array([4.0]), np.float32).tolist() == [0, 0, 0, 4]
    inner = ColumnMap.between(pd.Index(["x", "b", "a"]), pd.Index(["a", "b"]))
    assert inner.dense_row(np.array([9.0, 2.0, 1.0]), np.float64).tolist() == [1, 2]
    csr = inner.sparse_rows(np.array([9.0, 2.0, 9.0, 1.0]), np.array([0, 1, 0, 2]), np.array([0, 2, 4]), np.float32)
    assert csr.toarray().tolist() == [[0, 2], [1, 0]]
    assert inner.dense_rows(np.array([[9.0, 2.0, 1.0]]), np.float32).tolist() == [[1, 2]]


def test_labels_union_recode_and_weights():
    first = _labels.as_categorical(pd.Categorical(["T", None, "B"], categories=["T", "B"]))
    second = _labels.as_categorical(np.array(["NK", "T"], dtype=object))
    categories = _labels.union_categories([first, second])
    assert list(categories) == ["T", "B", "NK"]
    assert _labels.recode(first, categories).tolist() == [0, -1, 1]
    assert _labels.recode(second, categories).dtype == np.int8
    weights = _labels.inverse_frequency_weights([np.array([0, 0, 1, 0])])
    assert weights.tolist() == [1 / 3, 1 / 3, 1, 1 / 3]
    combined = _labels.inverse_frequency_weights([np.array([0, 0, 1, 1]), np.array(["x", "y", "y", "y"], dtype=object)])
    assert combined.tolist() == [1, 1, 0.5, 0.5]


def test_chunked_rows_and_cache_bound():
    cache = ChunkCache(max_bytes=2 * 16)  # two bands of 2 int32 rows of 2 columns
    array = np.arange(20, dtype=np.int32).reshape(10, 2)

    class Chunked:
        shape, dtype, chunks = array.shape, array.dtype, (2, 2)

        def __getitem__(self, item):
            return array[item]

    rows = ChunkedRows(Chunked(), key="a", cache=cache)
    assert rows[3].tolist() == [6, 7]
    assert rows[1:8].tolist() == array[1:8].tolist()
    assert rows[5:5].shape == (0, 2)
    assert len(cache._entries) == 2 and cache._nbytes <= cache.max_bytes
    assert not rows[0].flags.writeable
