"""Block-shuffled batches: read contiguous blocks of rows, shuffle blocks and rows in windows.

Random single-row reads from HDF5 or zarr pay a call (and for compressed chunks a whole
chunk's decompression) per row. Here each store's cells are cut into blocks of
``block_size`` consecutive rows, each block is read with one slice (for CSR: one ``indptr``
range of ``data`` and ``indices``), and randomness comes from two shuffles:

1. the order of all blocks (over all stores) is a uniform random permutation;
2. consecutive ``window`` blocks of that order are pooled, and the rows of the pool are
   uniformly permuted and cut into batches; a batch that a window cannot fill is completed
   from the next window.

So every cell appears exactly once per epoch, and every batch draws from the rows of at
most ``window`` (+1 at a window boundary) blocks: this is not a uniform shuffle of all
cells, since cells of one block stay in one window. More randomness: a larger ``window``
or a smaller ``block_size`` (more reads, more memory: a window holds ``window *
block_size`` rows, sparse rows stay sparse until a batch is cut). Without shuffling,
batches follow the dataset order.

Example:
    >>> blocks = plan_blocks([5, 3], [None, np.array([0, 2])], block_size=2)
    >>> [(b.store, b.start, b.stop, len(b)) for b in blocks]
    [(0, 0, 2, 2), (0, 2, 4, 2), (0, 4, 5, 1), (1, 0, 1, 1), (1, 2, 3, 1)]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

Batch = dict[str, np.ndarray]


@dataclasses.dataclass(frozen=True)
class Block:
    """Rows ``start:stop`` of store ``store``, read in one slice; ``rows`` (relative to
    ``start``) are the ones kept after a filter, ``None`` for all of them."""

    store: int
    start: int
    stop: int
    rows: np.ndarray | None = None

    def __len__(self) -> int:
        return self.stop - self.start if self.rows is None else len(self.rows)


def plan_blocks(n_obs: Sequence[int], selections: Sequence[np.ndarray | None], block_size: int) -> list[Block]:
    """Blocks covering every selected row once, in store and row order.

    Blocks are aligned to multiples of ``block_size`` file rows, so a read never spans more
    than ``block_size`` rows even when a filter keeps only a few of them.
    """
    if block_size < 1:
        raise ValueError(f"block_size must be at least 1, not {block_size}")
    blocks = []
    for store, (n, selection) in enumerate(zip(n_obs, selections)):
        if selection is None:
            blocks += [Block(store, start, min(start + block_size, n)) for start in range(0, n, block_size)]
            continue
        block_of = selection // block_size
        bounds = np.flatnonzero(np.diff(block_of)) + 1
        for rows in np.split(selection, bounds):
            if len(rows):
                start = int(rows[0])
                blocks.append(Block(store, start, int(rows[-1]) + 1, rows - start))
    return blocks


def group_windows(
    blocks: Sequence[Block], window: int, rng: np.random.Generator | None
) -> Iterator[list[Block]]:
    """Consecutive groups of ``window`` blocks, in a random block order when ``rng`` is given."""
    if window < 1:
        raise ValueError(f"window must be at least 1, not {window}")
    order = rng.permutation(len(blocks)) if rng is not None else np.arange(len(blocks))
    for begin in range(0, len(blocks), window):
        yield [blocks[i] for i in order[begin : begin + window]]


class Window:
    """Rows of several blocks pooled; :meth:`take` cuts dense batches from them in any order.

    Args:
        parts: one dict per block, mapping a key to the block's rows: a 1-D array (labels),
            a 2-D numpy array (dense rows) or a ``scipy.sparse.csr_matrix`` (sparse rows).
    """

    def __init__(self, parts: Sequence[dict[str, Any]]) -> None:
        self._columns = {key: _Pooled([part[key] for part in parts]) for key in parts[0]}
        self.n = sum(_n_rows(next(iter(part.values()))) for part in parts)

    def take(self, positions: np.ndarray) -> Batch:
        """The pooled rows at ``positions``, dense, as a dict of arrays."""
        return {key: column.take(positions) for key, column in self._columns.items()}


class _Pooled:
    """One key's rows from all parts, taken by pool position without copying the parts.

    Sparse parts are stacked into one CSR matrix (cheap); dense 2-D parts stay separate,
    since concatenating them would copy the whole window once more.
    """

    def __init__(self, pieces: list[Any]) -> None:
        import scipy.sparse

        is_sparse = np.array([scipy.sparse.issparse(piece) for piece in pieces], bool)
        sizes = np.array([piece.shape[0] for piece in pieces], np.int64)
        sparse = [piece for piece, flag in zip(pieces, is_sparse) if flag]
        dense = [piece for piece, flag in zip(pieces, is_sparse) if not flag]
        if dense and dense[0].ndim == 1:
            dense = [np.concatenate(dense)]
        self._sparse = scipy.sparse.vstack(sparse, format="csr") if sparse else None
        self._dense = dense
        self._dense_offsets = np.concatenate(([0], np.cumsum([part.shape[0] for part in dense], dtype=np.int64)))
        self._mixed = bool(sparse) and bool(dense)
        if self._mixed:
            self._is_sparse_row = np.repeat(is_sparse, sizes)
            self._row_in_kind = np.empty(int(sizes.sum()), np.int64)
            self._row_in_kind[self._is_sparse_row] = np.arange(int(sizes[is_sparse].sum()))
            self._row_in_kind[~self._is_sparse_row] = np.arange(int(sizes[~is_sparse].sum()))

    def take(self, positions: np.ndarray) -> np.ndarray:
        if not self._mixed:
            if self._sparse is not None:
                dense_rows: np.ndarray = self._sparse[positions].toarray()
                return dense_rows
            return self._take_dense(positions)
        assert self._sparse is not None  # mixed: some parts are sparse
        flags = self._is_sparse_row[positions]
        rows = self._row_in_kind[positions]
        sparse = self._sparse[rows[flags]].toarray()
        dense = self._take_dense(rows[~flags])
        out = np.empty((len(positions), dense.shape[1]), np.result_type(sparse.dtype, dense.dtype))
        out[flags] = sparse
        out[~flags] = dense
        return out

    def _take_dense(self, rows: np.ndarray) -> np.ndarray:
        """Rows of the dense parts, as if they were concatenated."""
        if len(self._dense) == 1:
            only: np.ndarray = self._dense[0][rows]
            return only
        part_of = np.searchsorted(self._dense_offsets, rows, side="right") - 1
        first = self._dense[0]
        out = np.empty((len(rows), *first.shape[1:]), np.result_type(*self._dense))
        for part in np.unique(part_of):
            selected = part_of == part
            out[selected] = self._dense[part][rows[selected] - self._dense_offsets[part]]
        return out


def _n_rows(piece: Any) -> int:
    return int(piece.shape[0])


def batches(
    windows: Iterator[Window], batch_size: int, drop_last: bool, rng: np.random.Generator | None
) -> Iterator[Batch]:
    """Batches of ``batch_size`` rows cut from ``windows`` (rows permuted within each window
    when ``rng`` is given); the last batch may be smaller unless ``drop_last``."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    pending: Batch | None = None
    for window in windows:
        order = rng.permutation(window.n) if rng is not None else np.arange(window.n)
        begin = 0
        if pending is not None:
            begin = batch_size - _batch_len(pending)
            pending = _concat([pending, window.take(order[:begin])])
            if _batch_len(pending) < batch_size:
                continue
            yield pending
            pending = None
        for start in range(begin, window.n, batch_size):
            batch = window.take(order[start : start + batch_size])
            if _batch_len(batch) == batch_size:
                yield batch
            else:
                pending = batch
    if pending is not None and not drop_last:
        yield pending


def windows_from(
    blocks: Sequence[Block], window: int, rng: np.random.Generator | None, read: Callable[[Block], dict[str, Any]]
) -> Iterator[Window]:
    """The :class:`Window` of each group of blocks, reading each block with ``read``."""
    for group in group_windows(blocks, window, rng):
        yield Window([read(block) for block in group])


def _batch_len(batch: Batch) -> int:
    return len(next(iter(batch.values())))


def _concat(batches: list[Batch]) -> Batch:
    return {key: np.concatenate([batch[key] for batch in batches]) for key in batches[0]}
