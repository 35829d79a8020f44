"""The parts behind mapped(): block plans and windows, var joins, label codes, the chunk cache."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from biolake.errors import ValidationError
from biolake.formats.mapped import _blocks, _fetch, _labels, _rows
from biolake.formats.mapped._chunk_cache import ChunkCache, ChunkedRows
from biolake.formats.mapped._joins import ColumnMap, joint_var_names


def test_plan_blocks_respects_block_size_and_selection():
    plan = _blocks.plan_blocks([10, 7], [None, np.array([0, 1, 5, 6])], block_size=4)
    assert plan.block_bounds().tolist() == [[0, 0, 4], [0, 4, 8], [0, 8, 10], [1, 0, 2], [1, 5, 7]]
    assert np.diff(plan.block_ptr).tolist() == [4, 4, 2, 2, 2]
    assert plan.rows[plan.stores == 1].tolist() == [0, 1, 5, 6]
    sparse_selection = _blocks.plan_blocks([1000], [np.array([3, 998])], block_size=100)
    assert sparse_selection.block_bounds().tolist() == [[0, 3, 4], [0, 998, 999]]  # never reads 3..998
    with pytest.raises(ValueError, match="block_size"):
        _blocks.plan_blocks([1], [None], 0)


def test_epoch_keeps_cells_of_a_window_together():
    plan = _blocks.plan_blocks([40, 24], [None, None], block_size=8)
    epoch = _blocks.epoch(plan, window=3, rng=np.random.default_rng(0))
    assert sorted(epoch.cells.tolist()) == list(range(64))
    block_of_cell = np.repeat(np.arange(plan.n_blocks), np.diff(plan.block_ptr))
    for w, blocks in enumerate(epoch.windows):
        assert set(block_of_cell[epoch.cells[epoch.window_of == w]]) == set(blocks.tolist())
    assert [len(blocks) for blocks in epoch.windows] == [3, 3, 2]
    assert epoch.cells.tolist() != list(range(64))
    ordered = _blocks.epoch(plan, window=3, rng=None)
    assert ordered.cells.tolist() == list(range(64))
    assert list(_blocks.batch_bounds(10, 4, drop_last=False)) == [0, 4, 8]
    assert list(_blocks.batch_bounds(10, 4, drop_last=True)) == [0, 4]


def test_coalesce_and_row_index():
    starts, stops = _rows.coalesce(np.array([0, 1, 2, 5, 40, 41]), max_gap=2)
    assert (starts.tolist(), stops.tolist()) == ([0, 40], [6, 42])
    assert _rows.coalesce(np.array([], np.int64))[0].size == 0
    index = _rows.RowIndex.of_ranges(starts, stops)
    assert index.local(np.array([41, 0, 5])).tolist() == [7, 0, 5]


def test_dense_batch_mixes_sparse_dense_and_joins():
    csr = sp.csr_matrix(np.array([[1, 0, 2], [0, 0, 0], [0, 3, 0]], np.float32))
    rows = _rows.CsrRows(csr.data, csr.indices, csr.indptr.astype(np.int64))
    dropping = ColumnMap(np.array([1, -1, 0]), 2)  # store column 1 is not in the join
    dense = _rows.DenseRows(np.array([[7.0, 8.0], [9.0, 10.0]]))
    parts = [
        _fetch.Part(rows, dropping, np.array([0, 2, 1]), np.array([3, 0, 4])),
        _fetch.Part(dense, ColumnMap(None, 2), np.array([1]), np.array([1])),
        _fetch.Part(rows, dropping, np.array([0]), np.array([2])),
    ]
    out = _fetch.dense_batch(parts, 5, 2, np.dtype("float64"))
    assert out.tolist() == [[0, 0], [9, 10], [2, 1], [2, 1], [0, 0]]


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


def test_scipy_toarray_out_overwrites_garbage():
    """_fetch densifies windows with toarray(out=np.empty(...)): scipy must zero `out` first."""
    matrix = sp.csr_matrix(np.array([[0, 1.5], [2.0, 0]], np.float32))
    out = np.full((2, 2), np.nan, np.float32)
    matrix.toarray(out=out)
    assert out.tolist() == [[0, 1.5], [2.0, 0]]


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_rows_into_equals_scipy_indexing(compiled, index_dtype, monkeypatch):
    from biolake.formats.mapped import _densify

    if not compiled:
        monkeypatch.setattr(_densify, "_kernels", lambda: None)
    matrix = sp.random(50, 30, density=0.2, format="csr", random_state=3, dtype=np.float32)
    matrix.indptr, matrix.indices = matrix.indptr.astype(index_dtype), matrix.indices.astype(index_dtype)
    rows = np.array([49, 0, 7, 7, 20])
    out = np.zeros((5, 30), np.float32)
    _densify.rows_into(matrix, rows, out)
    np.testing.assert_array_equal(out, matrix.toarray()[rows])
    wide = np.zeros((5, 30), np.float64)  # another dtype than the data: the public path
    _densify.rows_into(matrix, rows, wide)
    np.testing.assert_array_equal(wide, matrix.toarray()[rows])


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.float16, np.uint8])
def test_segments_and_pairs_copy_row_extents(compiled, dtype, monkeypatch):
    from biolake.formats.mapped import _densify

    if not compiled:
        monkeypatch.setattr(_densify, "_kernels", lambda: None)
    values = (np.arange(200) % 97).astype(dtype)
    starts, lengths = np.array([150, 0, 7, 7, 199, 30]), np.array([10, 3, 0, 5, 1, 0])
    expected = np.concatenate([values[a : a + k] for a, k in zip(starts, lengths)])
    got = _densify.segments(values, starts, lengths)
    assert got.dtype == values.dtype
    np.testing.assert_array_equal(got, expected)
    columns = np.arange(200, dtype=np.int32) * 3
    first, second = _densify.pairs(columns, values, starts, lengths)
    assert first.dtype == np.int32 and second is not None and second.dtype == values.dtype
    np.testing.assert_array_equal(first, np.concatenate([columns[a : a + k] for a, k in zip(starts, lengths)]))
    np.testing.assert_array_equal(second, expected)
    empty = _densify.segments(values, np.empty(0, np.int64), np.empty(0, np.int64))
    assert empty.shape == (0,) and empty.dtype == values.dtype


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_add_into_sums_repeated_positions(compiled, index_dtype, dtype, monkeypatch):
    from biolake.formats.mapped import _densify

    if not compiled:
        monkeypatch.setattr(_densify, "_kernels", lambda: None)
    flat = np.zeros(10, dtype)
    _densify.add_into(flat, np.array([9, 2, 2, 0], index_dtype), np.array([1.0, 2.0, 3.0, 4.0], np.float32))
    np.testing.assert_array_equal(flat, np.array([4, 0, 5, 0, 0, 0, 0, 0, 0, 1], dtype))


def test_batch_buffers_are_zeroed_and_reused_only_when_unreferenced():
    from biolake import _process
    from biolake.formats.mapped import _buffers

    _process.batch_buffers.clear()
    shape, dtype = (64, 2048), np.dtype("float32")  # 512 KiB: pooled
    first = _buffers.zeros(shape, dtype)
    assert type(first) is np.ndarray and first.flags.c_contiguous and first.flags.writeable
    first[3, 7] = 5.0
    row = first[3]  # a view keeps the memory leased
    address = first.__array_interface__["data"][0]
    del first
    second = _buffers.zeros(shape, dtype)
    assert second.__array_interface__["data"][0] != address and not second.any()
    assert row[7] == 5.0
    del row
    third = _buffers.zeros(shape, dtype)  # the first batch's memory, zeroed again
    assert third.__array_interface__["data"][0] == address and not third.any()
    small = _buffers.zeros((4, 4), dtype)
    assert not small.any() and small.shape == (4, 4)
    _process.batch_buffers.clear()


def test_batch_buffers_kept_are_bounded(monkeypatch):
    from biolake import _process
    from biolake.formats.mapped import _buffers

    _process.batch_buffers.clear()
    monkeypatch.setattr(_buffers, "KEEP_BYTES", 3 * 512 * 1024)
    arrays = [_buffers.zeros((64, 2048 + k), np.dtype("float32")) for k in range(8)]  # 8 sizes of ~512 KiB
    arrays += [_buffers.zeros((64, 2048), np.dtype("float32")) for _ in range(6)]
    del arrays
    held = sum(size * len(buffers) for size, buffers in _process.batch_buffers.items())
    assert 0 < held <= 3 * 512 * 1024 + 8 * 64 * 4
    assert all(len(buffers) <= _buffers.KEEP for buffers in _process.batch_buffers.values())
    _process.batch_buffers.clear()


def test_batch_buffer_held_by_a_tensor_is_not_reused():
    torch = pytest.importorskip("torch")
    from biolake import _process
    from biolake.formats.mapped import _buffers

    _process.batch_buffers.clear()
    batch = _buffers.zeros((64, 2048), np.dtype("float32"))
    tensor = torch.from_numpy(batch)
    rows = list(tensor.unbind(0))
    del batch, tensor
    other = _buffers.zeros((64, 2048), np.dtype("float32"))
    other[:] = 1.0
    assert float(rows[5].sum()) == 0.0  # the tensor's memory was not handed out again
    del rows
    assert len(_process.batch_buffers[64 * 2048 * 4]) == 1
    _process.batch_buffers.clear()
