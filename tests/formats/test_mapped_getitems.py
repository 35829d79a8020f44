"""Batched fetching: ``__getitems__`` (what torch's DataLoader calls), memory-mapped h5ad,
coalesced reads, and ``iter_batches`` over stores that are read window by window."""

from __future__ import annotations


import anndata as ad
import h5py
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import mapped_stores
from mapped_stores import make_adata, write_stores

from biolake.formats.mapped import _mmap, _windows, mapped

GENES = mapped_stores.GENES


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """A memory-mappable sparse h5ad, a gzip-compressed h5ad, a dense h5ad and a zarr store."""
    return write_stores(tmp_path_factory.mktemp("getitems"))


def _assert_items_equal(got, expected):
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert list(a) == list(b)
        for key in a:
            if isinstance(b[key], np.ndarray):
                value = a[key].numpy() if type(a[key]).__module__ == "torch" else a[key]  # torch loaded: tensor rows
                assert value.dtype == b[key].dtype and value.shape == b[key].shape
                np.testing.assert_array_equal(value, b[key])
            else:
                assert type(a[key]) is type(b[key]) and (a[key] == b[key] or (a[key] != a[key] and b[key] != b[key]))


@pytest.mark.parametrize(
    "options",
    [
        {"obs_keys": ["cell_type", "donor", "cell_id"], "encode_labels": ["cell_type"], "join": "outer"},
        {"obs_keys": ["cell_type", "donor"], "join": "inner", "layers_keys": ["X", "counts"], "dtype": "float64"},
        {
            "obs_keys": ["cell_type", "cell_id"],
            "cache_categories": False,
            "encode_labels": ["cell_type"],
            "join": "outer",
        },
        {"obs_keys": ["cell_id"], "encode_labels": False, "obs_filter": {"donor": "d2"}, "join": "outer"},
    ],
)
def test_getitems_equals_items_one_by_one(stores, options):
    ds = mapped(stores, **options)
    rng = np.random.default_rng(0)
    for size in (1, 7, 64, 300):
        indices = rng.integers(-len(ds), len(ds), size).tolist()  # duplicates, negatives, any order
        _assert_items_equal(ds.__getitems__(indices), [ds[i] for i in indices])
    everything = list(range(len(ds)))[::-1]
    _assert_items_equal(ds.__getitems__(everything), [ds[i] for i in everything])
    assert ds.__getitems__([]) == []


def test_getitems_checks_indices_like_getitem(stores):
    ds = mapped(stores)
    with pytest.raises(IndexError, match=f"cell {len(ds)} out of range"):
        ds.__getitems__([0, len(ds)])
    with pytest.raises(IndexError):
        ds.__getitems__([-len(ds) - 1])
    with pytest.raises(TypeError, match="list of ints"):
        ds.__getitems__([0.5, 1.0])
    items = ds.__getitems__(np.array([3, 3]))
    assert items[0]["X"] is not items[1]["X"]


def test_plain_h5ad_is_memory_mapped_and_compressed_is_not(stores):
    ds = mapped(stores)
    assert [source.matrix("X").mapped is not None for source in ds._sources] == [True, False, True, False]


class _CountReads:
    """Counts h5py ``Dataset`` reads (every slice or index of a dataset is one)."""

    def __init__(self, monkeypatch):
        self.n = 0
        original = h5py.Dataset.__getitem__

        def counting(dataset, key, *args, **kwargs):
            self.n += 1
            return original(dataset, key, *args, **kwargs)

        monkeypatch.setattr(h5py.Dataset, "__getitem__", counting)


def test_reads_are_coalesced_into_ranges(tmp_path, monkeypatch):
    adata = make_adata(2000, GENES, seed=5, first_id=0)
    adata.write_h5ad(tmp_path / "gzip.h5ad", compression="gzip")
    ds = mapped([tmp_path / "gzip.h5ad"], obs_keys=["cell_type"])
    ds[0]  # handles and indptr read before counting
    reads = _CountReads(monkeypatch)
    contiguous = list(range(300, 556))  # 256 cells in one range
    items = ds.__getitems__(contiguous[::-1])
    assert reads.n == 2  # one slice of data, one of indices: not 256 of each
    ranges = [*range(100), *range(700, 756), *range(1500, 1600)]  # 256 cells in three ranges
    reads.n = 0
    ds.__getitems__(np.random.default_rng(0).permutation(ranges).tolist())
    assert reads.n == 2 * 3
    monkeypatch.undo()
    _assert_items_equal(items, [ds[i] for i in contiguous[::-1]])


def test_memory_mapped_batch_needs_no_h5py_read(stores, monkeypatch):
    ds = mapped(stores[:1], obs_keys=["cell_type"])
    ds[0]
    reads = _CountReads(monkeypatch)
    ds.__getitems__(list(range(64)))
    batch = next(ds.iter_batches(32, block_size=4))
    assert reads.n == 0 and batch["X"].shape == (32, 10)


@pytest.mark.parametrize("paired", [True, False])
def test_rows_across_gaps_between_chunk_runs(tmp_path, paired, monkeypatch):
    """Small chunks: HDF5 puts its chunk index between runs of chunks, and some rows cross a gap;
    with indices and data addressed alike (one copy per store) and without (a segment per row)."""
    if not paired:
        monkeypatch.setattr(_mmap, "paired_views", lambda *args: None)
    matrix = sp.random(400, 50, density=0.3, format="csr", random_state=0, dtype=np.float32)
    adata = ad.AnnData(X=matrix, obs=pd.DataFrame(index=[f"c{i}" for i in range(400)]))
    adata.write_h5ad(tmp_path / "a.h5ad")
    with h5py.File(tmp_path / "a.h5ad", "a") as f:  # rewrite X/data and X/indices with tiny chunks
        for name in ("data", "indices"):
            values = f["X"][name][:]
            del f["X"][name]
            f["X"].create_dataset(name, data=values, chunks=(37,), maxshape=(None,))
    ds = mapped([tmp_path / "a.h5ad"])
    mapped_rows = ds._sources[0].matrix("X")._mapped
    assert mapped_rows is not None and mapped_rows.straddles.any()
    assert (mapped_rows.paired is not None) == paired
    with h5py.File(tmp_path / "a.h5ad") as f:
        assert len(_mmap.dataset_runs(f["X/data"], _mmap.open_map(tmp_path / "a.h5ad")).first) > 1
    dense = matrix.toarray()
    order = np.random.default_rng(1).permutation(400)
    got = np.stack([item["X"] for item in ds.__getitems__(order.tolist())])
    np.testing.assert_array_equal(got, dense[order])
    np.testing.assert_array_equal(np.stack([ds[i]["X"] for i in range(400)]), dense)
    batches = list(ds.iter_batches(64, shuffle=False, block_size=16))
    np.testing.assert_array_equal(np.concatenate([b["X"] for b in batches]), dense)


@pytest.mark.parametrize("read_cells", [1, 40, 8192])
@pytest.mark.parametrize("block_size", [1, 3, 32, 1024])
def test_iter_batches_right_rows_for_every_kind_of_store(stores, block_size, read_cells, monkeypatch):
    monkeypatch.setattr(_windows, "READ_CELLS", read_cells)  # windows read one by one, a few or all at once
    ds = mapped(stores, obs_keys=["cell_id"], encode_labels=False, join="outer", layers_keys=["X", "counts"])
    by_id = {item["cell_id"]: item for item in (ds[i] for i in range(len(ds)))}
    batches = list(ds.iter_batches(16, block_size=block_size, window=2, seed=block_size))
    ids = np.concatenate([batch["cell_id"] for batch in batches])
    assert sorted(ids.tolist()) == sorted(by_id)
    for batch in batches:
        for k, cell_id in enumerate(batch["cell_id"]):
            np.testing.assert_array_equal(batch["X"][k], by_id[cell_id]["X"])
            np.testing.assert_array_equal(batch["counts"][k], by_id[cell_id]["counts"])
            assert batch["_store_idx"][k] == by_id[cell_id]["_store_idx"]


@pytest.mark.parametrize("num_workers", [0, 2])
def test_shuffled_dataloader_serves_every_cell_once(stores, num_workers):
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader

    ds = mapped(stores, obs_keys=["cell_id", "cell_type"], encode_labels=["cell_type"], join="outer")
    ds[0]  # handles open in the parent before the workers fork
    expected = {ds[i]["cell_id"]: ds[i] for i in range(len(ds))}
    torch.manual_seed(0)
    loader = DataLoader(ds, batch_size=32, shuffle=True, num_workers=num_workers)
    seen = []
    for batch in loader:
        assert batch["X"].dtype == torch.float32 and batch["cell_type"].dtype == torch.int64
        for k, cell_id in enumerate(batch["cell_id"].tolist()):
            seen.append(cell_id)
            np.testing.assert_array_equal(batch["X"][k].numpy(), expected[cell_id]["X"])
            assert batch["cell_type"][k].item() == expected[cell_id]["cell_type"]
            assert batch["_store_idx"][k].item() == expected[cell_id]["_store_idx"]
    assert sorted(seen) == sorted(expected)
    assert seen != sorted(seen)


def test_dataloader_fetches_a_batch_with_one_call(stores, monkeypatch):
    pytest.importorskip("torch")
    from torch.utils.data import DataLoader

    ds = mapped(stores, obs_keys=["cell_type"], join="outer")
    calls = []
    original = type(ds).__getitems__
    monkeypatch.setattr(
        type(ds), "__getitems__", lambda self, indices: calls.append(len(indices)) or original(self, indices)
    )
    monkeypatch.setattr(type(ds), "__getitem__", lambda self, idx: pytest.fail("fetched one cell at a time"))
    batches = list(DataLoader(ds, batch_size=64, shuffle=True))
    assert calls == [64, 64, 62] and sum(len(batch["cell_type"]) for batch in batches) == len(ds)


def test_default_collate_of_getitems_equals_collate_of_items(stores):
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate

    ds = mapped(stores, obs_keys=["cell_type", "donor"], encode_labels=["cell_type"])
    indices = np.random.default_rng(1).permutation(len(ds))[:50].tolist()
    batched = ds.__getitems__(indices)
    assert isinstance(batched[0]["X"], np.ndarray) and not batched[0]["X"].flags.writeable  # views of one array
    got, expected = default_collate(batched), default_collate([ds[i] for i in indices])
    assert list(got) == list(expected)
    for key in expected:
        if isinstance(expected[key], torch.Tensor):
            assert got[key].dtype == expected[key].dtype and torch.equal(got[key], expected[key])
        else:
            assert got[key] == expected[key]


def test_duplicate_entries_of_a_row_add_up_on_every_path(tmp_path):
    """A CSR row may list a column twice (not canonical): like scipy, every path sums them."""
    data = np.array([1.0, 2.0, 5.0, 3.0, 4.0], np.float32)
    indices = np.array([3, 1, 3, 0, 0], np.int32)  # row 0: column 3 twice; row 1: column 0 twice, unsorted
    matrix = sp.csr_matrix((data, indices, np.array([0, 3, 5, 5])), shape=(3, 5))
    assert not matrix.has_canonical_format
    expected = matrix.toarray()
    adata = ad.AnnData(X=matrix, obs=pd.DataFrame(index=["a", "b", "c"]), var=pd.DataFrame(index=list("vwxyz")))
    adata.write_h5ad(tmp_path / "plain.h5ad")
    adata.write_h5ad(tmp_path / "gzip.h5ad", compression="gzip")
    for name in ("plain.h5ad", "gzip.h5ad"):
        with h5py.File(tmp_path / name) as f:
            np.testing.assert_array_equal(f["X/indices"][:], indices)  # written as given
        ds = mapped([tmp_path / name])
        np.testing.assert_array_equal(np.stack([ds[i]["X"] for i in range(3)]), expected)
        np.testing.assert_array_equal(np.stack([item["X"] for item in ds.__getitems__([1, 0, 2, 0])]), expected[[1, 0, 2, 0]])
        batch = next(ds.iter_batches(3, shuffle=False))
        np.testing.assert_array_equal(batch["X"], expected)


def test_paired_views_only_within_one_mapping(tmp_path):
    """Indices and data are addressed alike only as views of one mapping of the file."""
    matrix = sp.random(50, 20, density=0.3, format="csr", random_state=0, dtype=np.float32)
    ad.AnnData(X=matrix, obs=pd.DataFrame(index=[f"c{i}" for i in range(50)])).write_h5ad(tmp_path / "a.h5ad")
    with h5py.File(tmp_path / "a.h5ad") as f:
        one = _mmap.open_map(tmp_path / "a.h5ad")
        data, indices = _mmap.dataset_runs(f["X/data"], one), _mmap.dataset_runs(f["X/indices"], one)
        other = _mmap.dataset_runs(f["X/indices"], _mmap.open_map(tmp_path / "a.h5ad"))
        indptr = f["X/indptr"][:]
    starts, lengths = indptr[:-1], np.diff(indptr)
    indices_view, data_view, at = _mmap.paired_views(data, indices, data.translate(starts), indices.translate(starts), lengths)
    for row in range(50):
        span = slice(int(at[row]), int(at[row] + lengths[row]))
        np.testing.assert_array_equal(indices_view[span], matrix[row].indices)
        np.testing.assert_array_equal(data_view[span], matrix[row].data)
    assert _mmap.paired_views(data, other, data.translate(starts), other.translate(starts), lengths) is None
