"""``default_collate`` of ``__getitems__`` batches: built from the gathered arrays, and sent
from DataLoader workers as non-zeros when they cannot share memory; always the batch torch makes of ``ds[i]`` items."""

from __future__ import annotations

import copy
import pickle
import warnings
from multiprocessing.reduction import ForkingPickler

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import mapped_stores
from mapped_stores import write_stores

from biolake import _process
from biolake.formats.mapped import _collate, _shared, mapped

torch = pytest.importorskip("torch")
pytest.importorskip("torch.multiprocessing")  # registers torch's reducers with ForkingPickler
from torch.utils.data import DataLoader, default_collate

GENES = mapped_stores.GENES


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """A memory-mappable sparse h5ad, a gzip-compressed h5ad, a dense h5ad and a zarr store."""
    return write_stores(tmp_path_factory.mktemp("collate"))


def _assert_same_batch(got, expected):
    assert type(got) is dict and list(got) == list(expected)
    for key, value in expected.items():
        if isinstance(value, torch.Tensor):
            assert type(got[key]) is torch.Tensor
            assert got[key].dtype == value.dtype and got[key].shape == value.shape
            assert torch.equal(got[key], value), key
        else:
            assert got[key] == value, key


OPTIONS = [
    {"obs_keys": ["cell_type", "donor", "cell_id", "score"], "encode_labels": ["cell_type"], "join": "outer"},
    {"obs_keys": ["cell_type"], "layers_keys": ["X", "counts"], "dtype": "float64"},
    {"obs_keys": ["cell_type", "cell_id"], "cache_categories": False, "join": "outer", "dtype": None},
]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("which", [slice(0, 1), slice(0, 2), slice(2, 3), slice(0, 4)])
def test_default_collate_equals_collate_of_items(stores, options, which):
    ds = mapped(stores[which], **options)
    rng = np.random.default_rng(0)
    for size in (1, 5, 64):
        indices = rng.integers(-len(ds), len(ds), size).tolist()
        _assert_same_batch(default_collate(ds.__getitems__(indices)), default_collate([ds[i] for i in indices]))


def test_layer_collates_without_a_copy_and_items_are_read_only(stores):
    ds = mapped(stores[:1], obs_keys=["cell_type"])
    items = ds.__getitems__([4, 1, 4])
    batch = default_collate(items)
    assert all(not item["X"].flags.writeable for item in items)
    assert np.shares_memory(batch["X"].numpy(), items[2]["X"])  # no stacking of rows
    with pytest.raises(ValueError):
        items[0]["X"][0] = 1.0


def test_changed_or_mixed_items_collate_by_torch_rules(stores):
    ds = mapped(stores, obs_keys=["cell_type", "donor"], encode_labels=["cell_type"], join="outer")
    indices = [5, 80, 150, 3, 189]
    expected = [ds[i] for i in indices]

    items = ds.__getitems__(indices)
    items[2]["X"] = np.full(len(ds.var_joint), 7.0, np.float32)  # a value replaced
    expected_changed = [dict(item) for item in expected]
    expected_changed[2]["X"] = items[2]["X"]
    _assert_same_batch(default_collate(items), default_collate(expected_changed))

    items = ds.__getitems__(indices)
    items[1]["cell_type"] = 2  # an equal-looking label replaced by another
    expected_changed = [dict(item) for item in expected]
    expected_changed[1]["cell_type"] = 2
    _assert_same_batch(default_collate(items), default_collate(expected_changed))

    items = ds.__getitems__(indices)
    reordered = [items[0], *items[1:][::-1]]  # the first item stays, the others move
    _assert_same_batch(default_collate(reordered), default_collate([expected[0], *expected[1:][::-1]]))
    _assert_same_batch(default_collate(items[:3]), default_collate(expected[:3]))  # a prefix
    mixed = [*items, *ds.__getitems__([7])]
    _assert_same_batch(default_collate(mixed), default_collate([*expected, ds[7]]))


def test_items_copy_and_pickle_as_plain_dicts(stores):
    ds = mapped(stores[:1], obs_keys=["cell_type"])
    items = ds.__getitems__([0, 1])
    for clone in (copy.copy(items[0]), copy.deepcopy(items[0]), pickle.loads(pickle.dumps(items))[0]):
        assert type(clone) is dict and list(clone) == list(items[0])
        np.testing.assert_array_equal(clone["X"], ds[0]["X"])


def _in_a_worker(monkeypatch):
    """This process as a DataLoader worker without shared memory (tests/formats/test_mapped_shared.py
    has the batches that travel through it): batches travel as non-zeros."""
    monkeypatch.setattr(torch.utils.data, "get_worker_info", lambda: object())
    monkeypatch.setattr(_shared, "ARENA_DIR", "/nonexistent-biolake-test")
    monkeypatch.setattr(_process, "batch_arena", {})


def test_worker_batch_travels_as_non_zeros(stores, monkeypatch):
    ds = mapped(stores, obs_keys=["cell_type", "donor", "cell_id"], encode_labels=["cell_type"], join="outer")
    indices = np.random.default_rng(3).permutation(len(ds))[:64].tolist()
    expected = default_collate([ds[i] for i in indices])
    _in_a_worker(monkeypatch)
    shipped = default_collate(ds.__getitems__(indices))
    assert isinstance(shipped, _collate.Shipped)
    sent = ForkingPickler.dumps(shipped)
    _assert_same_batch(pickle.loads(sent), expected)


def test_sparse_worker_batch_is_small(tmp_path, monkeypatch):
    counts = sp.random(300, 400, density=0.05, format="csr", random_state=0, dtype=np.float32)
    ad.AnnData(X=counts, obs=pd.DataFrame(index=[f"c{i}" for i in range(300)])).write_h5ad(tmp_path / "a.h5ad")
    counts_gz = sp.random(300, 400, density=0.05, format="csr", random_state=1, dtype=np.float32)
    adata = ad.AnnData(X=counts_gz, obs=pd.DataFrame(index=[f"d{i}" for i in range(300)]))
    adata.write_h5ad(tmp_path / "b.h5ad", compression="gzip")
    ds = mapped([tmp_path / "a.h5ad", tmp_path / "b.h5ad"])
    indices = np.random.default_rng(0).permutation(600)[:256].tolist()
    expected = default_collate([ds[i] for i in indices])
    _in_a_worker(monkeypatch)
    sent = ForkingPickler.dumps(default_collate(ds.__getitems__(indices)))
    assert len(sent) < expected["X"].numpy().nbytes / 4  # non-zeros (5 %), not the dense batch
    _assert_same_batch(pickle.loads(sent), expected)


def test_worker_batch_changed_in_place_travels_as_changed(stores, monkeypatch):
    ds = mapped(stores[:1], obs_keys=["cell_type"])
    _in_a_worker(monkeypatch)
    shipped = default_collate(ds.__getitems__([3, 2, 1]))
    shipped["X"].add_(1.0)  # e.g. a collate_fn that normalises in the worker
    got = pickle.loads(ForkingPickler.dumps(shipped))
    expected = torch.from_numpy(np.stack([ds[i]["X"] for i in (3, 2, 1)])) + 1.0
    assert torch.equal(got["X"], expected)


@pytest.mark.parametrize("num_workers", [0, 2])
def test_dataloader_batches_equal_per_item_batches(stores, num_workers):
    ds = mapped(stores, obs_keys=["cell_type", "donor", "cell_id"], encode_labels=["cell_type"], join="outer")
    ds[0]  # handles open in the parent before the workers fork
    order = np.random.default_rng(5).permutation(len(ds)).tolist()
    batches = [order[k : k + 32] for k in range(0, len(order), 32)]
    got = list(DataLoader(ds, batch_sampler=batches, num_workers=num_workers))
    per_item = type(ds).__getitems__  # hide it: torch then fetches ds[i] cell by cell
    try:
        type(ds).__getitems__ = None
        expected = list(DataLoader(ds, batch_sampler=batches))
    finally:
        type(ds).__getitems__ = per_item
    assert len(got) == len(expected) == len(batches)
    for a, b in zip(got, expected):
        _assert_same_batch(a, b)
    ids = torch.cat([batch["cell_id"] for batch in got]).tolist()
    assert sorted(ids) == sorted(ds[i]["cell_id"] for i in range(len(ds))) and ids != sorted(ids)


def test_worker_batch_with_tensors_numpy_lacks(stores, monkeypatch):
    """A collate_fn that turns the batch into bfloat16 in the worker: torch pickles those tensors."""
    ds = mapped(stores[:1], obs_keys=["cell_type"])
    _in_a_worker(monkeypatch)
    shipped = default_collate(ds.__getitems__([0, 1]))
    shipped["X"] = shipped["X"].to(torch.bfloat16)
    shipped["cell_type"] = shipped["cell_type"].to(torch.bfloat16)
    got = pickle.loads(ForkingPickler.dumps(shipped))
    assert got["X"].dtype == torch.bfloat16 and torch.equal(got["X"], shipped["X"])
    assert torch.equal(got["cell_type"], shipped["cell_type"])


def test_worker_batch_of_rows_in_order_travels_as_non_zeros(tmp_path, monkeypatch):
    counts = sp.random(300, 400, density=0.05, format="csr", random_state=2, dtype=np.float32)
    adata = ad.AnnData(X=counts, obs=pd.DataFrame(index=[f"c{i}" for i in range(300)]))
    adata.write_h5ad(tmp_path / "b.h5ad", compression="gzip")
    ds = mapped([tmp_path / "b.h5ad"])
    expected = default_collate([ds[i] for i in range(256)])
    _in_a_worker(monkeypatch)
    sent = ForkingPickler.dumps(default_collate(ds.__getitems__(list(range(256)))))  # one store, in order
    assert len(sent) < expected["X"].numpy().nbytes / 4
    _assert_same_batch(pickle.loads(sent), expected)


def test_layers_torch_collates_itself_raise_no_warning(stores):
    ds = mapped(stores[:1], obs_keys=["cell_type"], dtype="complex64")  # torch's rules, from read-only rows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = default_collate(ds.__getitems__([2, 0]))
    _assert_same_batch(got, default_collate([ds[2], ds[0]]))
