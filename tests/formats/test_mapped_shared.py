"""DataLoader workers build dense batches in shared memory and send only where they are
(``biolake.formats.mapped._shared``): same batches, none overwritten while held, no file left."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import pickle
from multiprocessing.reduction import ForkingPickler

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from biolake import _process
from biolake.formats.mapped import _collate, _shared, mapped

torch = pytest.importorskip("torch")
pytest.importorskip("torch.multiprocessing")  # registers torch's reducers with ForkingPickler
from torch.utils.data import DataLoader, default_collate

CELLS, GENES, BATCH = 1200, 600, 128  # a batch of 128 x 600 float32 is 300 KB: large enough to share


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    """An uncompressed (memory-mapped) and a gzip-compressed sparse h5ad."""
    folder = tmp_path_factory.mktemp("shared")
    out = []
    for k, compression in enumerate([None, "gzip"]):
        counts = sp.random(CELLS, GENES, density=0.05, format="csr", random_state=k, dtype=np.float32)
        obs = pd.DataFrame(
            {"cell_id": np.arange(k * CELLS, (k + 1) * CELLS), "cell_type": pd.Categorical(np.resize(["T", "B"], CELLS))},
            index=[f"c{k}-{i}" for i in range(CELLS)],
        )
        out.append(folder / f"part{k}.h5ad")
        ad.AnnData(X=counts, obs=obs, var=pd.DataFrame(index=[f"g{j}" for j in range(GENES)])).write_h5ad(
            out[-1], compression=compression
        )
    return out


def _arena_files() -> set[str]:
    return {name for name in os.listdir(_shared.ARENA_DIR) if name.startswith(_shared.PREFIX)}


def _expected(ds, indices):
    return default_collate([ds[i] for i in indices])


def _assert_same(got, expected):
    assert list(got) == list(expected)
    for key, value in expected.items():
        assert torch.equal(got[key], value), key


@pytest.fixture
def in_a_worker(monkeypatch):
    """This process as a DataLoader worker with an arena of its own (forgotten afterwards)."""
    monkeypatch.setattr(torch.utils.data, "get_worker_info", lambda: object())
    monkeypatch.setattr(_process, "batch_arena", {})
    monkeypatch.setattr(_process, "batch_arenas", {})
    yield
    for arena in _process.batch_arena.values():
        if arena is not None:
            _shared._remove(arena.path)


def test_worker_batch_travels_as_its_place_and_its_slot_comes_back(paths, in_a_worker):
    ds = mapped(paths, obs_keys=["cell_id"])
    indices = np.random.default_rng(0).permutation(len(ds))[:BATCH].tolist()
    shipped = default_collate(ds.__getitems__(indices))
    assert isinstance(shipped, _collate.Shipped)
    sent = ForkingPickler.dumps(shipped)
    assert len(sent) < 4096  # the place of 300 KB of rows, not the rows
    arena = _process.batch_arena[os.getpid()]
    slot = int(np.flatnonzero(arena.flags)[0])
    del shipped
    assert arena.flags[slot] == 1  # sent: the receiver gives it back, not the sender
    got = pickle.loads(sent)
    _assert_same(got, _expected(ds, indices))
    assert arena.path not in {os.path.join(_shared.ARENA_DIR, name) for name in _arena_files()}  # removed once mapped
    del got
    assert arena.flags[slot] == 0


def test_a_slot_is_sent_once_and_only_whole_batches_are_placed(paths, in_a_worker):
    batch = _shared.slot_zeros((BATCH, GENES), np.dtype("float32"))
    assert batch is not None and not batch.any()
    assert _shared.place_of(batch[1:]) is None  # not where a slot begins
    assert _shared.place_of(np.zeros_like(batch)) is None  # private memory
    assert _shared.place_of(batch) is not None
    assert _shared.place_of(batch) is None  # its slot is the receiver's now: a second copy is pickled


def test_full_arena_means_private_memory(paths, in_a_worker, monkeypatch):
    monkeypatch.setattr(_shared, "MAX_SLOTS", 2)
    held = [_shared.slot_zeros((BATCH, GENES), np.dtype("float32")) for _ in range(3)]
    assert held[0] is not None and held[1] is not None and held[2] is None
    held[0][:] = 7.0
    del held[0]  # never sent: the worker gives the slot back itself
    again = _shared.slot_zeros((BATCH, GENES), np.dtype("float32"))
    assert again is not None and not again.any()  # zeroed for the next batch


def test_no_dev_shm_means_non_zeros(paths, in_a_worker, monkeypatch):
    monkeypatch.setattr(_shared, "ARENA_DIR", "/nonexistent-biolake-test")
    ds = mapped(paths, obs_keys=["cell_id"])
    indices = list(range(0, 2 * CELLS, 19))[:BATCH]
    sent = ForkingPickler.dumps(default_collate(ds.__getitems__(indices)))
    assert 4096 < len(sent) < BATCH * GENES * 4 / 4  # the non-zeros
    _assert_same(pickle.loads(sent), _expected(ds, indices))


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_batches_held_by_the_training_loop_are_never_overwritten(paths, context):
    """An epoch's batches kept in a list (more than the workers' slots): each is still its own
    batch at the end, as torch makes it from ``ds[i]``; no arena file is left afterwards."""
    before = _arena_files()
    ds = mapped(paths, obs_keys=["cell_id"])
    order = np.random.default_rng(1).permutation(len(ds)).tolist()
    batches = [order[k : k + BATCH] for k in range(0, len(order), BATCH)]
    assert len(batches) > 2 * _shared.MAX_SLOTS
    loader = DataLoader(ds, batch_sampler=batches, num_workers=2, multiprocessing_context=context)
    got = list(loader)
    for batch, indices in zip(got, batches):
        _assert_same(batch, _expected(ds, indices))
    del got, loader
    assert _arena_files() == before


def test_persistent_workers_reuse_their_arena_over_epochs(paths):
    """Workers that live on over epochs keep one arena each: batches of two epochs, all held, are right."""
    before = _arena_files()
    ds = mapped(paths, obs_keys=["cell_id"])
    loader = DataLoader(ds, batch_size=BATCH, shuffle=True, num_workers=2, persistent_workers=True)
    epochs = [list(loader), list(loader)]
    seen = [torch.cat([batch["cell_id"] for batch in epoch]) for epoch in epochs]
    assert all(sorted(ids.tolist()) == list(range(2 * CELLS)) for ids in seen)
    for epoch in epochs:
        for batch in epoch:
            _assert_same(batch, _expected(ds, batch["cell_id"].tolist()))
    assert len(_process.batch_arenas) <= 2  # one per worker, mapped once (ended workers' are dropped)
    del epochs, loader
    assert _arena_files() == before


def test_a_loop_left_early_leaves_no_arena_file(paths):
    before = _arena_files()
    ds = mapped(paths, obs_keys=["cell_id"])
    iterator = iter(DataLoader(ds, batch_size=BATCH, shuffle=True, num_workers=2))
    batch = next(iterator)  # the other batches are made, never taken
    assert batch["X"].shape == (BATCH, GENES)
    del iterator  # torch stops the workers
    assert _arena_files() == before


def _make_arena(sent: multiprocessing.connection.Connection) -> None:
    batch = _shared.slot_zeros((BATCH, GENES), np.dtype("float32"))
    sent.send(_process.batch_arena[os.getpid()].path if batch is not None else None)


def test_a_worker_removes_its_arena_when_it_exits():
    """The arena of a worker whose batches the main process never mapped goes with the worker."""
    receive, send = multiprocessing.Pipe(duplex=False)
    worker = multiprocessing.get_context("fork").Process(target=_make_arena, args=(send,))
    worker.start()
    path = receive.recv()
    worker.join(30)
    assert worker.exitcode == 0 and path is not None and path.startswith(_shared.ARENA_DIR)
    assert not os.path.exists(path)


def test_a_gone_arena_is_a_storage_error_that_says_what_to_do(in_a_worker):
    from biolake.errors import StorageError

    gone = os.path.join(_shared.ARENA_DIR, f"{_shared.PREFIX}0-gone")
    with pytest.raises(StorageError, match="worker ended before this batch was taken. Iterate the DataLoader again"):
        _shared.attach(gone, 0, _shared.PAGE, 0, (1, 1), "<f4")
    with pytest.raises(StorageError, match="not a batch arena"):
        _shared.attach("/tmp/elsewhere", 0, _shared.PAGE, 0, (1, 1), "<f4")
