"""The reads behind ``iter_batches``: windows of blocks read once, all their stores merged.

Consecutive windows of the epoch are read together, as many as make at least
:data:`READ_CELLS` cells (one window when windows are that large): their blocks are read
store by store (one range per block, ``read_ranges`` of a matrix), their columns mapped
onto the joint var order, and the rows of all stores concatenated into one :mod:`._rows`
object keyed by *global rows* (``row_offsets[store] + file row``). A batch then takes its
cells from one or two such reads: one gather each, whatever the number of stores. Reads
before the previous one are forgotten. Reading several small windows at once changes
nothing in the order of the epoch, only how many reads serve it.

With blocks so small that a batch spans many windows (``window * block_size <
batch_size``), memory-mapped stores are gathered from directly instead (``direct``).

Example:
    >>> reads = WindowReads(plan, epoch, maps, direct, read_ranges, whole)  # doctest: +SKIP
    >>> part = reads.part(reads.groups(stores, windows)[0], "X", rows, reads.keys(stores, rows), at)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from biolake.formats.mapped._blocks import Epoch, Plan
from biolake.formats.mapped._fetch import Part
from biolake.formats.mapped._joins import ColumnMap
from biolake.formats.mapped._rows import CsrPieces, CsrRows, DenseRows, RowIndex, Rows

#: Cells read at once when windows are smaller (memory: about this many rows per store layer).
READ_CELLS = 8192

ReadRanges = Callable[[int, str, np.ndarray, np.ndarray], CsrPieces | DenseRows]
Whole = Callable[[int, str], Rows]


class WindowReads:
    """Where each cell of an epoch's batches is read from.

    Args:
        plan: the blocks.
        epoch: the epoch being served.
        column_maps: per store, its map onto the joint var order.
        direct: per store, whether it is gathered from directly (memory-mapped), not by windows.
        read_ranges: reads ``(store, layer, starts, stops)`` into memory, range by range.
        whole: the whole memory-mapped matrix ``(store, layer)`` of a direct store.
    """

    def __init__(
        self,
        plan: Plan,
        epoch: Epoch,
        column_maps: Sequence[ColumnMap],
        direct: Sequence[bool],
        read_ranges: ReadRanges,
        whole: Whole,
    ) -> None:
        self._bounds = plan.block_bounds()
        self._epoch = epoch
        self._maps = list(column_maps)
        self._n_stores = len(self._maps)
        self._direct = np.asarray(direct, bool)
        self._read_ranges = read_ranges
        self._whole = whole
        n_rows = np.zeros(self._n_stores, np.int64)
        np.maximum.at(n_rows, self._bounds[:, 0], self._bounds[:, 2])
        self._row_offsets = np.concatenate(([0], np.cumsum(n_rows)))
        self._identity = ColumnMap(None, self._maps[0].n_out)
        self._cache: dict[tuple[int, str], Rows] = {}
        self._newest = 0
        cells_per_window = len(plan.rows) / max(1, len(epoch.windows))
        self._per_read = max(1, int(READ_CELLS // max(cells_per_window, 1)))

    def groups(self, stores: np.ndarray, windows: np.ndarray) -> np.ndarray:
        """The group of each cell: its store when direct, else ``n_stores * (read + 1)``, where
        ``read`` numbers the runs of windows read together."""
        return np.where(self._direct[stores], stores, self._n_stores * (windows // self._per_read + 1))

    def keys(self, stores: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The global row (the key in a read) of each cell."""
        keys: np.ndarray = self._row_offsets[stores] + rows
        return keys

    def part(self, group: int, layer: str, rows: np.ndarray, keys: np.ndarray, at: np.ndarray) -> Part:
        """The :class:`Part` of the batch's cells ``at`` (all in ``group``) for ``layer``; ``rows`` are the
        batch's file rows and ``keys`` their :meth:`keys`."""
        whole = len(at) == len(rows)  # the whole batch (positions 0..n-1): no gather
        if group < self._n_stores:
            return Part(self._whole(group, layer), self._maps[group], rows if whole else rows[at], at)
        read = group // self._n_stores - 1
        return Part(self._read(read, layer), self._identity, keys if whole else keys[at], at)

    def _read(self, read: int, layer: str) -> Rows:
        if read > self._newest:  # the epoch moved on: keep the previous read only
            self._cache = {key: rows for key, rows in self._cache.items() if key[0] >= read - 1}
            self._newest = read
        if (read, layer) not in self._cache:
            windows = self._epoch.windows[read * self._per_read : (read + 1) * self._per_read]
            self._cache[(read, layer)] = self._read_windows(np.concatenate(windows), layer)
        return self._cache[(read, layer)]

    def _read_windows(self, blocks: np.ndarray, layer: str) -> Rows:
        bounds = self._bounds[blocks]
        bounds = bounds[np.lexsort((bounds[:, 1], bounds[:, 0]))]
        pieces = []
        for store in np.unique(bounds[:, 0]).tolist():
            mine = bounds[bounds[:, 0] == store]
            pieces.append((self._read_ranges(store, layer, mine[:, 1], mine[:, 2]), self._maps[store]))
        index = RowIndex.of_ranges(
            self._row_offsets[bounds[:, 0]] + bounds[:, 1], self._row_offsets[bounds[:, 0]] + bounds[:, 2]
        )
        return merge(pieces, index)


def merge(pieces: list[tuple[CsrPieces | DenseRows, ColumnMap]], index: RowIndex) -> Rows:
    """Rows of several stores (each with its column map) as one object over the joint columns."""
    if all(isinstance(rows, DenseRows) for rows, _ in pieces):
        values = [columns.dense_rows(rows.values, rows.values.dtype) for rows, columns in pieces]  # type: ignore[union-attr]
        return DenseRows(values[0] if len(values) == 1 else np.concatenate(values), index)
    if all(isinstance(rows, CsrPieces) and columns.identity for rows, columns in pieces):
        # Same columns everywhere: concatenate the slices of all stores once.
        together = CsrPieces(
            [data for rows, _ in pieces for data in rows.data],  # type: ignore[union-attr]
            [indices for rows, _ in pieces for indices in rows.indices],  # type: ignore[union-attr]
            np.concatenate([rows.lengths for rows, _ in pieces]),  # type: ignore[union-attr]
            index,
        )
        return together.rows()
    joint = [_joint_csr(rows.rows() if isinstance(rows, CsrPieces) else rows, columns) for rows, columns in pieces]
    lengths = np.concatenate([length for _, _, length in joint])
    return CsrRows(
        np.concatenate([data for data, _, _ in joint]),
        np.concatenate([indices for _, indices, _ in joint]),
        np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
        index,
    )


def _joint_csr(rows: Rows, columns: ColumnMap) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(data, indices, row lengths)`` of in-memory rows, indices in the joint columns."""
    if isinstance(rows, DenseRows):
        import scipy.sparse

        rows = _as_csr(scipy.sparse.csr_matrix(columns.dense_rows(rows.values, rows.values.dtype)))
        columns = ColumnMap(None, columns.n_out)
    assert isinstance(rows, CsrRows)
    lengths = np.diff(rows.indptr)
    if columns.lookup is None:
        return rows.data, rows.indices, lengths
    position = columns.lookup[rows.indices]
    keep = position >= 0
    if keep.all():
        return rows.data, position, lengths
    kept_before = np.concatenate(([0], np.cumsum(keep)))
    return rows.data[keep], position[keep], np.diff(kept_before[rows.indptr])


def _as_csr(matrix: object) -> CsrRows:
    return CsrRows(matrix.data, matrix.indices, matrix.indptr.astype(np.int64))  # type: ignore[attr-defined]
