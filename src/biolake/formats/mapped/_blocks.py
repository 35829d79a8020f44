"""Block-shuffled epochs: blocks of consecutive rows, shuffled as blocks and within windows.

Random single-row reads from HDF5 or zarr pay a call (and for compressed chunks a whole
chunk's decompression) per row. Here each store's cells are cut into blocks of
``block_size`` consecutive rows, and randomness comes from two shuffles:

1. the order of all blocks (over all stores) is a uniform random permutation;
2. consecutive ``window`` blocks of that order form a window, and the cells of a window
   are uniformly permuted.

The epoch is the windows' cells one window after the other, cut into batches: a batch
that a window cannot fill is completed from the next window. So every cell appears exactly
once per epoch, and every batch draws from the cells of at most ``window`` (+1 at a
window boundary) blocks: this is not a uniform shuffle of all cells, since cells of one
block stay in one window. More randomness: a larger ``window`` or a smaller
``block_size``. Without shuffling, the epoch is the dataset order.

A store that must be read (not memory-mapped) is read one window at a time, one range
per block (:meth:`Plan.window_ranges`); a memory-mapped store is gathered from directly.

Example:
    >>> plan = plan_blocks([5, 3], [None, np.array([0, 2])], block_size=2)
    >>> plan.block_bounds().tolist()
    [[0, 0, 2], [0, 2, 4], [0, 4, 5], [1, 0, 1], [1, 2, 3]]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from biolake.formats.mapped._rows import Rows


@dataclasses.dataclass(frozen=True)
class Plan:
    """All selected cells in dataset order (``stores``, ``rows``), cut into blocks.

    Block ``b`` holds cells ``block_ptr[b]:block_ptr[b + 1]``; its rows lie in
    ``[rows[block_ptr[b]], rows[block_ptr[b + 1] - 1]]`` of one store.
    """

    stores: np.ndarray
    rows: np.ndarray
    block_ptr: np.ndarray

    @property
    def n_blocks(self) -> int:
        return len(self.block_ptr) - 1

    def block_bounds(self) -> np.ndarray:
        """One row per block: store, first file row, last file row + 1."""
        first, last = self.block_ptr[:-1], self.block_ptr[1:] - 1
        return np.stack([self.stores[first], self.rows[first], self.rows[last] + 1], axis=1)


def plan_blocks(n_obs: Sequence[int], selections: Sequence[np.ndarray | None], block_size: int) -> Plan:
    """Blocks covering every selected row once, in store and row order.

    Blocks are aligned to multiples of ``block_size`` file rows, so a block never spans more
    than ``block_size`` rows even when a filter keeps only a few of them.
    """
    if block_size < 1:
        raise ValueError(f"block_size must be at least 1, not {block_size}")
    rows = [np.arange(n, dtype=np.int64) if sel is None else np.asarray(sel, np.int64) for n, sel in zip(n_obs, selections)]
    stores = np.repeat(np.arange(len(rows), dtype=np.int64), [len(r) for r in rows])
    all_rows = np.concatenate(rows) if rows else np.empty(0, np.int64)
    block_id = stores * (int(max(n_obs, default=0)) // block_size + 1) + all_rows // block_size
    starts = np.flatnonzero(np.diff(block_id)) + 1
    ptr = np.concatenate(([0], starts, [len(all_rows)])) if len(all_rows) else np.zeros(1, np.int64)
    return Plan(stores, all_rows, ptr.astype(np.int64))


@dataclasses.dataclass(frozen=True)
class Epoch:
    """One epoch: ``cells`` (positions in the plan) in the order they are served, and the
    window of each; ``windows[w]`` lists the blocks of window ``w``."""

    cells: np.ndarray
    window_of: np.ndarray
    windows: list[np.ndarray]


def epoch(plan: Plan, window: int, rng: np.random.Generator | None) -> Epoch:
    """The order of one epoch: blocks permuted, then cells permuted within each window."""
    if window < 1:
        raise ValueError(f"window must be at least 1, not {window}")
    order = rng.permutation(plan.n_blocks) if rng is not None else np.arange(plan.n_blocks)
    sizes = np.diff(plan.block_ptr)[order]
    ends = np.cumsum(sizes)
    cells = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64) + np.repeat(
        plan.block_ptr[:-1][order] - (ends - sizes), sizes
    )
    window_of = np.repeat(np.arange(plan.n_blocks, dtype=np.int64) // window, sizes)
    if rng is not None and len(cells):
        shuffled = np.lexsort((rng.random(len(cells)), window_of))
        cells = cells[shuffled]
    windows = [order[begin : begin + window] for begin in range(0, plan.n_blocks, window)]
    return Epoch(cells, window_of, windows)


def batch_bounds(n: int, batch_size: int, drop_last: bool) -> range:
    """Start of each batch of ``batch_size`` of ``n`` cells (the last may be short unless ``drop_last``)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    stop = n - n % batch_size if drop_last else n
    return range(0, stop, batch_size)


ReadRanges = Callable[[int, str, np.ndarray, np.ndarray], Rows]


class WindowReads:
    """The reads of an epoch's batches: a memory-mapped store directly, others window by window.

    A batch's cells are grouped (:meth:`groups`) by store, and for a store that must be
    read also by window; :meth:`read` returns a group's rows for one layer, reading each
    window of a store once (one range per block) and forgetting windows already passed.

    Args:
        plan: the blocks.
        epoch: the epoch being served.
        n_stores: the number of stores.
        random_access: whether a store is gathered from directly (memory-mapped).
        read_ranges: reads ``(store, layer, starts, stops)``.
    """

    def __init__(
        self, plan: Plan, epoch: Epoch, n_stores: int, random_access: Sequence[bool], read_ranges: ReadRanges
    ) -> None:
        self._bounds = plan.block_bounds()
        self._epoch = epoch
        self._n_stores = n_stores
        self._direct = np.asarray(random_access, bool)
        self._read_ranges = read_ranges
        self._cache: dict[tuple[int, str], Rows] = {}
        self._newest = 0

    def groups(self, stores: np.ndarray, windows: np.ndarray) -> np.ndarray:
        """The group of each cell: its store, or for a store read by windows, store and window."""
        return np.where(self._direct[stores], stores, stores + self._n_stores * (windows + 1))

    def read(self, group: int, layer: str, file_rows: np.ndarray) -> Rows:
        """The rows of ``group`` for ``layer`` (they include ``file_rows``)."""
        store, slot = group % self._n_stores, group // self._n_stores
        if slot == 0:
            return self._read_ranges(store, layer, _EMPTY, _EMPTY)
        window = slot - 1
        if window > self._newest:  # the epoch moved on: drop windows before the previous one
            self._cache = {key: rows for key, rows in self._cache.items() if key[0] // self._n_stores >= window}
            self._newest = window
        if (group, layer) not in self._cache:
            bounds = self._bounds[self._epoch.windows[window]]
            bounds = bounds[bounds[:, 0] == store]
            bounds = bounds[np.argsort(bounds[:, 1])]
            self._cache[(group, layer)] = self._read_ranges(store, layer, bounds[:, 1], bounds[:, 2])
        return self._cache[(group, layer)]


_EMPTY = np.empty(0, np.int64)
