"""Rows of a matrix held in memory: what a read returns, and how to find a file row in it.

A read covers sorted, non-overlapping ranges of file rows (:func:`coalesce` turns the rows
a batch needs into as few ranges as possible) and returns their rows concatenated:
:class:`CsrRows` (``data``, ``indices`` and a local ``indptr``) or :class:`DenseRows`. Both
map file rows to their local rows with :meth:`RowIndex.local`. A memory-mapped matrix is
read by returning the whole matrix (``starts=None``): no copy, local row = file row.
:class:`ServedCsr` holds rows in the order an epoch serves them, not in file order.

Example:
    >>> coalesce(np.array([2, 3, 4, 9, 30]), max_gap=5)
    (array([ 2, 30]), array([10, 31]))
    >>> RowIndex(np.array([2, 30]), np.array([0, 8])).local(np.array([30, 3])).tolist()
    [8, 1]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from biolake.formats.mapped._densify import segments, take

if TYPE_CHECKING:
    import scipy.sparse

#: Rows between two needed rows that a read takes along rather than starting a new read.
MAX_GAP_ROWS = 8


def coalesce(rows: np.ndarray, max_gap: int = MAX_GAP_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Ranges ``[starts[k], stops[k])`` covering the sorted unique ``rows``, merging gaps of at most ``max_gap`` rows."""
    if not len(rows):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    breaks = np.flatnonzero(np.diff(rows) > max_gap + 1) + 1
    starts = rows[np.concatenate(([0], breaks))]
    stops = rows[np.concatenate((breaks - 1, [len(rows) - 1]))] + 1
    return starts.astype(np.int64), stops.astype(np.int64)


def ranges_positions(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """All positions ``starts[k] <= i < stops[k]``, range after range (``np.repeat`` arithmetic)."""
    lengths = stops - starts
    positions: np.ndarray = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(
        starts - (np.cumsum(lengths) - lengths), lengths
    )
    return positions


@dataclasses.dataclass(frozen=True)
class RowIndex:
    """Where file rows lie in rows read range by range.

    Args:
        starts: the first file row of each range read, sorted; ``None`` when the whole
            matrix is at hand (local row = file row).
        offsets: the local row at which each range begins.
    """

    starts: np.ndarray | None = None
    offsets: np.ndarray | None = None

    def local(self, file_rows: np.ndarray) -> np.ndarray:
        """The local rows of ``file_rows`` (each must lie in a range read)."""
        if self.starts is None or self.offsets is None:
            return file_rows
        k = np.searchsorted(self.starts, file_rows, side="right") - 1
        local: np.ndarray = self.offsets[k] + (file_rows - self.starts[k])
        return local

    @classmethod
    def of_ranges(cls, starts: np.ndarray, stops: np.ndarray) -> RowIndex:
        """The index of rows read as ranges ``starts``/``stops`` and concatenated."""
        lengths = stops - starts
        return cls(starts, np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64))


@dataclasses.dataclass(frozen=True)
class CsrRows:
    """CSR rows in memory (or memory-mapped): row ``j`` is ``data[indptr[j]:indptr[j + 1]]``."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    index: RowIndex = RowIndex()
    _matrices: dict[tuple[int, np.dtype], scipy.sparse.csr_matrix] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )

    def extents(self, file_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The start in ``data`` and in ``indices``, and the length, of each of ``file_rows``."""
        local = self.index.local(file_rows)
        starts = self.indptr[local]
        return starts, starts, self.indptr[local + 1] - starts

    def odd(self, file_rows: np.ndarray) -> np.ndarray:
        """Which of ``file_rows`` :meth:`extents` does not cover (none here)."""
        return _NONE

    def matrix(self, n_columns: int, dtype: np.dtype) -> scipy.sparse.csr_matrix:
        """The rows as a ``scipy.sparse.csr_matrix`` of ``dtype`` (made once, then reused)."""
        key = (n_columns, np.dtype(dtype))
        cache = self._matrices
        if key not in cache:
            import scipy.sparse

            small = max(len(self.data), n_columns) < np.iinfo(np.int32).max
            index_dtype = np.int32 if small else np.int64
            cache[key] = scipy.sparse.csr_matrix(
                (
                    self.data.astype(dtype, copy=False),
                    self.indices.astype(index_dtype, copy=False),
                    self.indptr.astype(index_dtype, copy=False),
                ),
                shape=(len(self.indptr) - 1, n_columns),
                copy=False,
            )
        return cache[key]


@dataclasses.dataclass(frozen=True)
class CsrPieces:
    """CSR rows read range by range, not yet concatenated: ``data[k]``/``indices[k]`` hold
    range ``k``; ``lengths`` are the lengths of all rows, range after range."""

    data: list[np.ndarray]
    indices: list[np.ndarray]
    lengths: np.ndarray
    index: RowIndex

    def rows(self) -> CsrRows:
        """The pieces concatenated into :class:`CsrRows`."""
        return CsrRows(
            np.concatenate(self.data) if self.data else np.empty(0),
            np.concatenate(self.indices) if self.indices else np.empty(0, np.int64),
            np.concatenate(([0], np.cumsum(self.lengths))).astype(np.int64),
            self.index,
        )


@dataclasses.dataclass(frozen=True)
class MappedCsr:
    """A whole CSR matrix memory-mapped (:mod:`._mmap`): ``data`` and ``indices`` are views
    of the file; row ``r`` starts at ``data_starts[r]`` / ``indices_starts[r]`` in them.

    The elements of a dataset lie in a few runs of the file. A row that crosses a gap
    between runs (``straddles``, a mask over rows) is not one slice of a view: :meth:`extents`
    gives it length 0, and it is read with ``read_elements`` (h5py) instead. ``paired`` is
    ``(indices, data, starts)`` of :func:`._mmap.paired_views` when the file allows it.
    """

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    data_starts: np.ndarray
    indices_starts: np.ndarray
    lengths: np.ndarray
    straddles: np.ndarray
    breaks: np.ndarray
    read_elements: Callable[[int, int], tuple[np.ndarray, np.ndarray]]
    paired: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def extents(self, file_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """As :meth:`CsrRows.extents`, with length 0 for the :meth:`odd` rows."""
        return self.data_starts[file_rows], self.indices_starts[file_rows], self.lengths[file_rows]

    def odd(self, file_rows: np.ndarray) -> np.ndarray:
        """Positions in ``file_rows`` of rows that cross a gap: read them with :meth:`row`."""
        flags = self.straddles[file_rows]
        return np.flatnonzero(flags) if flags.any() else _NONE

    def row(self, file_row: int) -> tuple[np.ndarray, np.ndarray]:
        """Row ``file_row`` as ``(indices, data)``."""
        return self._elements(int(self.indptr[file_row]), int(self.indptr[file_row + 1]), file_row)

    def copy_ranges(self, starts: np.ndarray, stops: np.ndarray) -> CsrPieces:
        """The rows of the sorted ranges ``starts[k]:stops[k]``: one slice of each view per range."""
        begins, ends = self.indptr[starts], self.indptr[stops]
        sizes = (ends - begins).tolist()
        crossing = np.searchsorted(self.breaks, begins, side="right") != np.searchsorted(
            self.breaks, ends - 1, side="right"
        )
        crossing &= ends > begins
        data_at, indices_at = self.data_starts[starts].tolist(), self.indices_starts[starts].tolist()
        data = [self.data[a : a + k] for a, k in zip(data_at, sizes)]
        indices = [self.indices[a : a + k] for a, k in zip(indices_at, sizes)]
        for k in np.flatnonzero(crossing).tolist():  # a range over a gap between runs: read it
            indices[k], data[k] = self.read_elements(int(begins[k]), int(ends[k]))
        positions = ranges_positions(starts, stops)
        lengths = self.indptr[positions + 1] - self.indptr[positions]
        return CsrPieces(data, indices, lengths, RowIndex.of_ranges(starts, stops))

    def take(self, file_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows ``file_rows`` (any order) copied out of the map: ``(indices, data, lengths)``,
        row after row. One loop over both views when they are addressed alike, else a segment
        per row of each; rows that cross a gap of the file are read one by one and inserted."""
        lengths = self.lengths[file_rows]
        if self.paired is not None:
            indices, data, starts = self.paired
            indices, data = take(indices, data, starts[file_rows], lengths)
        else:
            indices = segments(self.indices, self.indices_starts[file_rows], lengths)
            data = segments(self.data, self.data_starts[file_rows], lengths)
        odd = self.odd(file_rows)
        if not len(odd):
            return indices, data, lengths
        read = [self.row(row) for row in file_rows[odd].tolist()]
        sizes = np.array([len(row_indices) for row_indices, _ in read], np.int64)
        where = np.repeat(np.concatenate(([0], np.cumsum(lengths)))[odd], sizes)
        lengths = lengths.copy()
        lengths[odd] = sizes
        indices = np.insert(indices, where, np.concatenate([row_indices for row_indices, _ in read]))
        data = np.insert(data, where, np.concatenate([row_data for _, row_data in read]))
        return indices, data, lengths

    def _elements(self, begin: int, end: int, row: int) -> tuple[np.ndarray, np.ndarray]:
        """``(indices, data)`` of elements ``begin:end``, where row ``row`` begins: views when in one run."""
        if end > begin and np.searchsorted(self.breaks, begin, side="right") != np.searchsorted(
            self.breaks, end - 1, side="right"
        ):
            return self.read_elements(begin, end)
        at, data_at = int(self.indices_starts[row]), int(self.data_starts[row])  # both translate `begin`
        return self.indices[at : at + end - begin], self.data[data_at : data_at + end - begin]


@dataclasses.dataclass(frozen=True)
class DenseRows:
    """Dense rows in memory (or memory-mapped), a 2-D array."""

    values: np.ndarray
    index: RowIndex = RowIndex()

    def take(self, file_rows: np.ndarray) -> np.ndarray:
        """The rows ``file_rows`` as a new 2-D array."""
        taken: np.ndarray = self.values[self.index.local(file_rows)]
        return taken


@dataclasses.dataclass(frozen=True)
class ServedCsr:
    """Rows read in the order they are served: row ``j`` is the ``begin + j``-th cell of an
    epoch of ``iter_batches`` (:mod:`._windows`), already in the joint columns and the
    layer's dtype. Each store read keeps its own ``(indptr, indices, data)``, whose
    ``indptr`` runs over all rows and is empty where another store's cell is: a batch is a
    slice of every ``indptr``, added into the output without a copy of the non-zeros.
    """

    begin: int
    stores: list[tuple[np.ndarray, np.ndarray, np.ndarray]]


Rows = CsrRows | MappedCsr | DenseRows | ServedCsr

_NONE = np.empty(0, np.int64)
