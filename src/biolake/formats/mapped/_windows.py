"""The reads behind ``iter_batches``: windows of blocks read once, in the order they are served.

Consecutive windows of the epoch are read together, as many as make at least
:data:`READ_CELLS` cells (one window when windows are that large). When every store in a
read is sparse, each store's cells of the read are copied in the order the epoch serves
them (one ``csr_row_index`` loop, :func:`._densify.take`): straight from the memory map
(:meth:`._rows.MappedCsr.take`), else from its blocks read into memory (one range per
block, ``read_ranges``). The result,
:class:`._rows.ServedCsr`, keeps per store an ``indptr`` over all cells of the read, so a
batch is a slice of it, densified without another copy of its non-zeros (``_fetch``). A
read with a dense store is merged in file order instead, every store's blocks keyed by
*global rows* (``row_offsets[store] + file row``), and a batch gathers its rows from it.
Reads before the previous one are forgotten. Reading several small windows at once changes
nothing in the order of the epoch, only how many reads serve it.

With blocks so small that a batch spans many windows (``window * block_size <
batch_size``), memory-mapped stores whose indices and data are not addressed alike are
gathered from directly instead (``direct``).

Example:
    >>> reads = WindowReads(plan, epoch, maps, direct, read_ranges, whole, dtypes)  # doctest: +SKIP
    >>> part = reads.part(reads.groups()[0], "X", 0, np.arange(256))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from biolake.formats.mapped._blocks import Epoch, Plan
from biolake.formats.mapped._densify import take
from biolake.formats.mapped._fetch import Part
from biolake.formats.mapped._joins import ColumnMap
from biolake.formats.mapped._rows import CsrPieces, CsrRows, DenseRows, MappedCsr, RowIndex, Rows, ServedCsr

#: Cells read at once when windows are smaller (memory: about this many rows per store layer).
READ_CELLS = 8192

ReadRanges = Callable[[int, str, np.ndarray, np.ndarray], CsrPieces | DenseRows]
Whole = Callable[[int, str], Rows | None]


class WindowReads:
    """Where each cell of an epoch's batches is read from.

    Args:
        plan: the blocks.
        epoch: the epoch being served.
        column_maps: per store, its map onto the joint var order.
        direct: per store, whether it is gathered from directly (memory-mapped), not by windows.
        read_ranges: reads ``(store, layer, starts, stops)`` into memory, range by range.
        whole: the whole memory-mapped matrix ``(store, layer)``, or ``None`` when not mapped.
        dtypes: the dtype of each layer's batches.

    Attributes:
        stores, rows: the store and the file row of each cell, in the order of the epoch.
    """

    def __init__(
        self,
        plan: Plan,
        epoch: Epoch,
        column_maps: Sequence[ColumnMap],
        direct: Sequence[bool],
        read_ranges: ReadRanges,
        whole: Whole,
        dtypes: Mapping[str, np.dtype],
    ) -> None:
        self._bounds = plan.block_bounds()
        self._epoch = epoch
        self._maps = list(column_maps)
        self._n_stores = len(self._maps)
        self._direct = np.asarray(direct, bool)
        self._read_ranges = read_ranges
        self._whole = whole
        self._dtypes = dtypes
        self.stores, self.rows = plan.stores[epoch.cells], plan.rows[epoch.cells]
        n_rows = np.zeros(self._n_stores, np.int64)
        np.maximum.at(n_rows, self._bounds[:, 0], self._bounds[:, 2])
        self._row_offsets = np.concatenate(([0], np.cumsum(n_rows)))
        self._keys = self._row_offsets[self.stores] + self.rows
        self._identity = ColumnMap(None, self._maps[0].n_out)
        self._cache: dict[tuple[int, str], Rows] = {}
        self._newest = 0
        cells_per_window = len(plan.rows) / max(1, len(epoch.windows))
        self._per_read = max(1, int(READ_CELLS // max(cells_per_window, 1)))

    def groups(self) -> np.ndarray:
        """The group of each cell: its store when direct, else ``n_stores * (read + 1)``, where
        ``read`` numbers the runs of windows read together."""
        return np.where(self._direct[self.stores], self.stores, self._n_stores * (self._epoch.window_of // self._per_read + 1))

    def part(self, group: int, layer: str, begin: int, at: np.ndarray) -> Part:
        """The :class:`Part` of ``layer`` of the cells at positions ``at`` (all in ``group``) of the
        batch that begins at cell ``begin`` of the epoch."""
        cells = begin + at
        if group < self._n_stores:
            return Part(self._whole(group, layer), self._maps[group], self.rows[cells], at)  # type: ignore[arg-type]
        read = self._read(group // self._n_stores - 1, layer)
        if isinstance(read, ServedCsr):
            return Part(read, self._identity, cells - read.begin, at)
        return Part(read, self._identity, self._keys[cells], at)

    def _read(self, read: int, layer: str) -> Rows:
        if read > self._newest:  # the epoch moved on: keep the previous read only
            self._cache = {key: rows for key, rows in self._cache.items() if key[0] >= read - 1}
            self._newest = read
        if (read, layer) not in self._cache:
            self._cache[(read, layer)] = self._read_windows(read, layer)
        return self._cache[(read, layer)]

    def _read_windows(self, read: int, layer: str) -> Rows:
        """The cells of the windows of ``read``: in the order they are served when every store
        is sparse (:class:`ServedCsr`), else merged in file order (:func:`merge`)."""
        windows = self._epoch.windows[read * self._per_read : (read + 1) * self._per_read]
        bounds = self._bounds[np.concatenate(windows)]
        bounds = bounds[np.lexsort((bounds[:, 1], bounds[:, 0]))]
        begin, end = np.searchsorted(self._epoch.window_of, [read * self._per_read, (read + 1) * self._per_read]).tolist()
        stores, rows = self.stores[begin:end], self.rows[begin:end]
        blocks = {store: bounds[bounds[:, 0] == store] for store in np.unique(bounds[:, 0]).tolist()}
        cells = {store: np.flatnonzero(stores == store) for store in blocks}
        sources = {store: self._source(store, layer, blocks[store]) for store in blocks}
        sparse = _sparse(sources)
        if sparse is None:
            return self._merged(layer, bounds, blocks, sources)
        dtype, n = self._dtypes[layer], end - begin
        return ServedCsr(begin, [_in_order(sparse[s], self._maps[s], rows[cells[s]], cells[s], n, dtype) for s in blocks])

    def _merged(
        self, layer: str, bounds: np.ndarray, blocks: dict[int, np.ndarray], sources: dict[int, MappedCsr | CsrPieces | DenseRows]
    ) -> Rows:
        """A read with a dense store: every store's blocks in memory (a memory map's copied out),
        merged in file order and keyed by global rows."""
        pieces: list[tuple[CsrPieces | DenseRows, ColumnMap]] = []
        for store, source in sources.items():
            mine = blocks[store]
            read = self._read_ranges(store, layer, mine[:, 1], mine[:, 2]) if isinstance(source, MappedCsr) else source
            pieces.append((read, self._maps[store]))
        keys = self._row_offsets[bounds[:, 0]]
        return merge(pieces, RowIndex.of_ranges(keys + bounds[:, 1], keys + bounds[:, 2]))

    def _source(self, store: int, layer: str, blocks: np.ndarray) -> MappedCsr | CsrPieces | DenseRows:
        """Where the ``rows`` of ``store`` in a read come from: its memory map (no read), else its
        ``blocks`` read into memory."""
        whole = self._whole(store, layer)
        if isinstance(whole, MappedCsr):
            return whole
        return self._read_ranges(store, layer, blocks[:, 1], blocks[:, 2])


def _sparse(sources: dict[int, MappedCsr | CsrPieces | DenseRows]) -> dict[int, MappedCsr | CsrPieces] | None:
    """``sources`` when none is dense, else ``None``."""
    sparse = {store: source for store, source in sources.items() if not isinstance(source, DenseRows)}
    return sparse if len(sparse) == len(sources) else None


def _in_order(
    source: MappedCsr | CsrPieces, columns: ColumnMap, rows: np.ndarray, cells: np.ndarray, n: int, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One store's part of a :class:`ServedCsr` of ``n`` cells: its ``rows`` (file rows, at
    ``cells`` of the read) copied in that order, columns mapped onto the joint order, values
    as ``dtype``; ``(indptr over all n cells, indices, data)``."""
    if isinstance(source, MappedCsr):
        taken_indices, taken_data, lengths = source.take(rows)
    else:
        read = source.rows()
        local = read.index.local(rows)
        indices, data, starts = read.indices, read.data, read.indptr[local]
        lengths = read.indptr[local + 1] - starts
        taken_indices, taken_data = take(indices, data, starts, lengths)
    if not columns.identity:
        local_indptr = np.concatenate(([0], np.cumsum(lengths)))
        taken_data, taken_indices, lengths = _joint_csr(CsrRows(taken_data, taken_indices, local_indptr), columns)
    index = np.int32 if max(len(taken_indices), columns.n_out) < 2**31 else np.int64
    indptr = np.zeros(n + 1, index)
    indptr[cells + 1] = lengths
    np.cumsum(indptr, out=indptr)
    return indptr, taken_indices.astype(index, copy=False), taken_data.astype(dtype, copy=False)


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
