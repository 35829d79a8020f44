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

Stores are read a few windows at a time, one range per block, and batches are gathered
from those rows in memory (:mod:`._windows`).

Example:
    >>> plan = plan_blocks([5, 3], [None, np.array([0, 2])], block_size=2)
    >>> plan.block_bounds().tolist()
    [[0, 0, 2], [0, 2, 4], [0, 4, 5], [1, 0, 1], [1, 2, 3]]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from biolake.formats.mapped._rows import ranges_positions


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
    cells = ranges_positions(plan.block_ptr[:-1][order], plan.block_ptr[1:][order])
    window_of = np.repeat(np.arange(plan.n_blocks, dtype=np.int64) // window, sizes)
    if rng is not None and len(cells):
        # A uniform permutation within each window: shuffle everything, then a stable sort by
        # window (a radix sort when the window numbers fit 16 bits).
        shuffled = rng.permutation(len(cells))
        keys = window_of[shuffled]
        if int(window_of[-1]) < 2**16:  # window_of is sorted: its last value is the largest
            keys = keys.astype(np.uint16)
        cells = cells[shuffled[np.argsort(keys, kind="stable")]]
    windows = [order[begin : begin + window] for begin in range(0, plan.n_blocks, window)]
    return Epoch(cells, window_of, windows)


def batch_bounds(n: int, batch_size: int, drop_last: bool) -> range:
    """Start of each batch of ``batch_size`` of ``n`` cells (the last may be short unless ``drop_last``)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    stop = n - n % batch_size if drop_last else n
    return range(0, stop, batch_size)

