"""``iter_batches`` over sparse stores: windows are read in the order their cells are served
(``ServedCsr``), so a batch is a slice of each store's rows, with no copy of its non-zeros."""

from __future__ import annotations

import numpy as np
import pytest

from mapped_stores import write_stores

from biolake.formats.mapped import _fetch, _mmap, _rows, _windows, mapped


@pytest.fixture(scope="module")
def sparse_stores(tmp_path_factory):
    """The memory-mappable h5ad, the gzip-compressed h5ad and the zarr store (no dense one)."""
    plain, gzip, _dense, zarr = write_stores(tmp_path_factory.mktemp("served"))
    return [plain, gzip, zarr]


class _Spy:
    """Counts the reads served in order, and the batch parts added slice by slice or cell by cell."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.served = self.slices = self.scattered = 0
        in_order, slice_into, take = _windows._in_order, _fetch.slice_into, _fetch.take

        def count_in_order(*args, **kwargs):
            self.served += 1
            return in_order(*args, **kwargs)

        def count_slices(*args, **kwargs):
            self.slices += 1
            return slice_into(*args, **kwargs)

        def count_scattered(*args, **kwargs):
            self.scattered += 1
            return take(*args, **kwargs)

        monkeypatch.setattr(_windows, "_in_order", count_in_order)
        monkeypatch.setattr(_fetch, "slice_into", count_slices)
        monkeypatch.setattr(_fetch, "take", count_scattered)


def _by_id(ds):
    return {item["cell_id"]: item for item in (ds[i] for i in range(len(ds)))}


def _assert_batches_hold_their_cells(batches, by_id, layers):
    ids = np.concatenate([batch["cell_id"] for batch in batches])
    assert sorted(ids.tolist()) == sorted(by_id)
    for batch in batches:
        for k, cell_id in enumerate(batch["cell_id"].tolist()):
            for layer in layers:
                assert batch[layer][k].dtype == by_id[cell_id][layer].dtype
                np.testing.assert_array_equal(batch[layer][k], by_id[cell_id][layer])
            assert batch["_store_idx"][k] == by_id[cell_id]["_store_idx"]


@pytest.mark.parametrize("join", ["outer", "inner"])
@pytest.mark.parametrize("block_size, read_cells, batch_size", [(32, 8192, 16), (3, 40, 12), (7, 1, 16), (1024, 8192, 16)])
def test_sparse_windows_are_served_in_order(sparse_stores, join, block_size, read_cells, batch_size, monkeypatch):
    """Blocks of at least ``batch_size / window`` rows: every store is read by windows, served in order."""
    monkeypatch.setattr(_windows, "READ_CELLS", read_cells)
    ds = mapped(sparse_stores, obs_keys=["cell_id"], encode_labels=False, join=join, layers_keys=["X", "counts"], dtype="float64")
    by_id = _by_id(ds)
    spy = _Spy(monkeypatch)
    batches = list(ds.iter_batches(batch_size, block_size=block_size, window=4, seed=block_size))
    _assert_batches_hold_their_cells(batches, by_id, ["X", "counts"])
    assert spy.served > 0 and spy.slices > 0 and spy.scattered == 0  # each batch part a slice


def test_batch_mixing_direct_and_served_cells(sparse_stores, monkeypatch):
    """Tiny blocks: a memory-mapped store whose indices and data are not addressed alike is gathered
    from directly, the others served in order, their cells interleaved in a batch (not runs): added
    non-zero by non-zero."""
    monkeypatch.setattr(_mmap, "paired_views", lambda *args: None)
    ds = mapped(sparse_stores, obs_keys=["cell_id"], encode_labels=False, join="outer")
    by_id = _by_id(ds)
    spy = _Spy(monkeypatch)
    batches = list(ds.iter_batches(16, block_size=1, window=2, seed=5))
    _assert_batches_hold_their_cells(batches, by_id, ["X"])
    assert spy.served > 0 and spy.scattered > 0


def test_memory_mapped_store_is_served_without_reading_its_blocks(sparse_stores, monkeypatch):
    ds = mapped(sparse_stores[:1], obs_keys=["cell_id"], encode_labels=False)
    by_id = _by_id(ds)

    def refuse(*args, **kwargs):
        raise AssertionError("blocks of a memory-mapped store copied before being served")

    monkeypatch.setattr(_rows.MappedCsr, "copy_ranges", refuse)
    batches = list(ds.iter_batches(8, block_size=4, window=2, seed=0))
    _assert_batches_hold_their_cells(batches, by_id, ["X"])


def test_drop_last_and_unshuffled_served_batches(sparse_stores):
    ds = mapped(sparse_stores, obs_keys=["cell_id"], encode_labels=False, join="outer")
    expected = np.stack([ds[i]["X"] for i in range(len(ds))])
    unshuffled = np.concatenate([batch["X"] for batch in ds.iter_batches(16, shuffle=False, block_size=5)])
    np.testing.assert_array_equal(unshuffled, expected)
    kept = list(ds.iter_batches(16, block_size=5, drop_last=True, seed=2))
    assert [len(batch["X"]) for batch in kept] == [16] * (len(ds) // 16)


def test_rows_across_gaps_of_the_file_are_served_in_order(tmp_path):
    """Tiny HDF5 chunks: some rows cross a gap between runs of chunks; they are read one by one
    and inserted among the rows copied from the memory map."""
    import anndata as ad
    import h5py
    import pandas as pd
    import scipy.sparse as sp

    matrix = sp.random(300, 40, density=0.3, format="csr", random_state=1, dtype=np.float32)
    obs = pd.DataFrame({"cell_id": np.arange(300)}, index=[f"c{i}" for i in range(300)])
    ad.AnnData(X=matrix, obs=obs).write_h5ad(tmp_path / "a.h5ad")
    with h5py.File(tmp_path / "a.h5ad", "a") as f:
        for name in ("data", "indices"):
            values = f["X"][name][:]
            del f["X"][name]
            f["X"].create_dataset(name, data=values, chunks=(29,), maxshape=(None,))
    ds = mapped([tmp_path / "a.h5ad"], obs_keys=["cell_id"], encode_labels=False)
    whole = ds._sources[0].matrix("X").mapped
    assert whole is not None and whole.paired is not None and whole.straddles.any()
    dense = matrix.toarray()
    batches = list(ds.iter_batches(8, block_size=4, window=2, seed=3))
    got_ids = np.concatenate([batch["cell_id"] for batch in batches])
    assert sorted(got_ids.tolist()) == list(range(300))
    np.testing.assert_array_equal(np.concatenate([batch["X"] for batch in batches]), dense[got_ids])
