"""Dense batches from rows read per store: vectorized gathers, no loop over cells.

A batch is cut into :class:`Part` s, one per group of cells read together (a store, or
the windows read together by ``iter_batches``), each with the rows it was read into
(:mod:`._rows`). Rows read in the order they are served (``iter_batches`` over sparse
stores, :class:`._rows.ServedCsr`) are densified a slice at a time
(:func:`._densify.slice_into`). When every part is CSR rows in memory over the joint
columns and holds a run of the batch in order (``iter_batches`` with a dense store),
scipy's loops take and densify each part straight into the output
(:func:`._densify.rows_into`). Otherwise (``__getitems__``,
memory-mapped stores) each part is written at its positions: a memory-mapped store whose
``indices`` and ``data`` are addressed alike (:func:`._mmap.paired_views`) by one copy and
one densifying loop (:func:`._densify.rows_at`); any other copies the ``indices`` and
``data`` of its rows, a segment per row (:func:`._densify.segments`), and scatters them into
the output rows. Those non-zeros (:class:`Scattered`) are also what a DataLoader worker
sends when its batch is not in shared memory; :class:`NonZeros` makes them only then.
Dense parts are one fancy index each.

Example:
    >>> rows = CsrRows(np.array([1.0, 2.0, 3.0]), np.array([0, 2, 1]), np.array([0, 2, 2, 3]))
    >>> part = Part(rows, ColumnMap(None, 3), file_rows=np.array([2, 0]), positions=np.array([0, 1]))
    >>> dense_batch([part], 2, 3, np.dtype("float32")).tolist()
    [[0.0, 3.0, 0.0], [1.0, 0.0, 2.0]]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import numpy as np

from biolake.formats.mapped._buffers import zeros
from biolake.formats.mapped._densify import add_into, pairs, rows_at, rows_into, segments, slice_into, take
from biolake.formats.mapped._joins import ColumnMap
from biolake.formats.mapped._rows import CsrRows, DenseRows, MappedCsr, Rows, ServedCsr


@dataclasses.dataclass(frozen=True)
class Part:
    """Cells of a batch found in one :mod:`._rows` read.

    Args:
        rows: the rows read (they include ``file_rows``).
        columns: maps the store's columns onto the joint var order.
        file_rows: the cells' rows in their store.
        positions: the cells' positions in the batch.
    """

    rows: Rows
    columns: ColumnMap
    file_rows: np.ndarray
    positions: np.ndarray


def dense_batch(parts: list[Part], n: int, n_out: int, dtype: np.dtype) -> np.ndarray:
    """The ``(n, n_out)`` batch holding the rows of all ``parts`` at their positions."""
    return gather(parts, n, n_out, dtype)[0]


def gather(
    parts: list[Part],
    n: int,
    n_out: int,
    dtype: np.dtype,
    allocate: Callable[[tuple[int, int], np.dtype], np.ndarray] = zeros,
) -> tuple[np.ndarray, NonZeros | None]:
    """:func:`dense_batch` in an array from ``allocate(shape, dtype)`` (zeroed), and the batch's
    :class:`NonZeros` when every part is sparse (``None`` when some part is dense)."""
    if _in_memory_in_order(parts, n):
        dense = _scipy_batch(parts, n, n_out, dtype, allocate)
    else:
        dense = allocate((n, n_out), dtype)
        for part in parts:
            _part_into(part, dense, dtype)
    scattered = all(isinstance(part.rows, (CsrRows, MappedCsr)) for part in parts)
    return dense, NonZeros(parts, n_out) if scattered else None


def _part_into(part: Part, out: np.ndarray, dtype: np.dtype) -> None:
    """Write the rows of ``part`` into ``out`` (zeros) at its positions."""
    rows = part.rows
    if isinstance(rows, DenseRows):
        out[part.positions] = part.columns.dense_rows(rows.take(part.file_rows), dtype)
        return
    if isinstance(rows, ServedCsr):
        _served_into(rows, part.file_rows, part.positions, out)
        return
    if isinstance(rows, MappedCsr) and rows.paired is not None and part.columns.identity:
        indices, data, starts = rows.paired
        lengths = rows.lengths[part.file_rows]  # 0 for the odd rows, added below
        if rows_at((indices, data, starts[part.file_rows]), lengths, part.positions, out):
            n_out = out.shape[1]
            for position, columns, values in _odd_rows(part):
                add_into(out.reshape(-1), position * n_out + columns.astype(np.int64), values)
            return
    _scatter_csr([part], out.shape[1], _index_dtype(out.size)).into(out)


def _served_into(rows: ServedCsr, cells: np.ndarray, positions: np.ndarray, out: np.ndarray) -> None:
    """Add the rows ``cells`` of ``rows`` into ``out`` at ``positions``: each store's slice at once
    when both are runs (``iter_batches``), else non-zero by non-zero."""
    n = len(cells)
    if n and cells[-1] - cells[0] == n - 1 and positions[-1] - positions[0] == n - 1:
        first, at = int(cells[0]), int(positions[0])
        for indptr, indices, data in rows.stores:
            slice_into(indptr, indices, data, first, first + n, out[at : at + n])
        return
    flat = out.reshape(-1)
    for indptr, indices, data in rows.stores:
        starts = indptr[cells]
        lengths = indptr[cells + 1] - starts
        columns, values = take(indices, data, starts, lengths)
        add_into(flat, np.repeat(positions.astype(np.int64) * out.shape[1], lengths) + columns, values)


class NonZeros:
    """The non-zeros of a batch's sparse parts as :class:`Scattered`, made only when asked for
    (:meth:`compact`): what a DataLoader worker sends when its batch is not in shared memory."""

    def __init__(self, parts: list[Part], n_out: int) -> None:
        self.parts, self.n_out = parts, n_out

    def compact(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`Scattered.compact` of the parts' non-zeros in a batch of ``size`` values."""
        return _scatter_csr(self.parts, self.n_out, _index_dtype(size)).compact(size)


def _index_dtype(size: int) -> np.dtype:
    return np.dtype(np.int32 if size < 2**31 else np.int64)


@dataclasses.dataclass(frozen=True)
class Scattered:
    """The non-zeros of a dense batch: ``flat`` positions in ``batch.reshape(-1)`` and their ``values``,
    in pieces (one per part, and one per row read on its own). Small next to the dense batch:
    what a DataLoader worker sends to the main process, which densifies it (:meth:`dense`)."""

    flat: list[np.ndarray]
    values: list[np.ndarray]

    def into(self, out: np.ndarray) -> None:
        """Add the values into ``out`` (C-contiguous zeros; a position given twice gets the sum)."""
        flat = out.reshape(-1)
        for positions, values in zip(self.flat, self.values):
            add_into(flat, positions, values)

    def compact(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """``(flat, values)`` each as one array; ``flat`` as ``int32`` when ``size`` allows."""
        flat = np.concatenate(self.flat) if self.flat else np.empty(0, np.int64)
        values = np.concatenate(self.values) if self.values else np.empty(0, np.float32)
        return (flat.astype(np.int32, copy=False) if size < 2**31 else flat), values

    @staticmethod
    def dense(flat: np.ndarray, values: np.ndarray, shape: tuple[int, int], dtype: np.dtype) -> np.ndarray:
        """The batch of shape ``shape`` from :meth:`compact` ``(flat, values)``."""
        out = zeros(shape, dtype)
        add_into(out.reshape(-1), flat, values)
        return out


def _in_memory_in_order(parts: list[Part], n: int) -> bool:
    """Whether the parts are in-memory CSR rows over the joint columns, each a run of the batch in order."""
    if not parts or not all(isinstance(part.rows, CsrRows) and part.columns.identity for part in parts):
        return False
    begin = 0
    for part in parts:
        at = part.positions
        if not len(at) or at[0] != begin or at[-1] != begin + len(at) - 1:
            return False
        begin += len(at)
    return begin == n


def _scipy_batch(
    parts: list[Part], n: int, n_out: int, dtype: np.dtype, allocate: Callable[[tuple[int, int], np.dtype], np.ndarray]
) -> np.ndarray:
    """Rows taken and densified by scipy's compiled loops, part after part into one array."""
    out = allocate((n, n_out), dtype)
    begin = 0
    for part in parts:
        rows = part.rows
        assert isinstance(rows, CsrRows)
        end = begin + len(part.file_rows)
        rows_into(rows.matrix(n_out, dtype), rows.index.local(part.file_rows), out[begin:end])
        begin = end
    return out


def _scatter_csr(parts: list[Part], n_out: int, index: np.dtype) -> Scattered:
    """The non-zeros of the CSR rows of ``parts``: each row's ``indices`` and ``data`` copied as one
    segment (:func:`._densify.pairs`), placed at its batch position (flat positions as ``index``)."""
    flat: list[np.ndarray] = []
    values: list[np.ndarray] = []
    for part in parts:
        rows = part.rows
        assert isinstance(rows, (CsrRows, MappedCsr))
        data_starts, indices_starts, lengths = rows.extents(part.file_rows)
        if isinstance(rows, CsrRows):  # data and indices at the same positions
            columns, data = pairs(rows.indices, rows.data, indices_starts, lengths)
            assert data is not None
        else:
            columns, data = segments(rows.indices, indices_starts, lengths), segments(rows.data, data_starts, lengths)
        cells = np.repeat(part.positions.astype(index) * n_out, lengths)
        _add(flat, values, cells, columns, data, part.columns)
        for position, indices, data in _odd_rows(part):
            _add(flat, values, np.full(len(indices), position * n_out, index), indices, data, part.columns)
    return Scattered(flat, values)


def _odd_rows(part: Part) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """``(batch position, indices, data)`` of the rows of ``part`` that :meth:`MappedCsr.extents`
    leaves out (length 0 there: they cross a gap between runs of the file), read one by one."""
    rows = part.rows
    if not isinstance(rows, MappedCsr):
        return
    for k in rows.odd(part.file_rows).tolist():
        indices, data = rows.row(int(part.file_rows[k]))
        yield int(part.positions[k]), indices, data


def _add(
    flat: list[np.ndarray],
    values: list[np.ndarray],
    cells: np.ndarray,
    columns: np.ndarray,
    data: np.ndarray,
    column_map: ColumnMap,
) -> None:
    """Append the flat positions ``cells + joint column`` and ``data``, dropping columns the join leaves out."""
    if column_map.lookup is not None:
        columns = column_map.lookup[columns]
        keep = columns >= 0
        if not keep.all():
            columns, data, cells = columns[keep], data[keep], cells[keep]
    flat.append(cells + columns.astype(cells.dtype, copy=False))
    values.append(data)


def gather_labels(parts: list[tuple[np.ndarray, np.ndarray]], n: int) -> np.ndarray:
    """One label array for the batch from ``(values, positions)`` per part (dtypes promoted)."""
    if len(parts) == 1 and np.array_equal(parts[0][1], np.arange(n)):
        return parts[0][0]
    values = np.concatenate([values for values, _ in parts])
    out = np.empty(n, values.dtype)
    out[np.concatenate([positions for _, positions in parts])] = values
    return out


def gather_objects(parts: list[tuple[np.ndarray, np.ndarray]], n: int) -> list[object]:
    """The batch's labels as a list of the per-part elements themselves (numpy scalars stay numpy)."""
    out: list[object] = [None] * n
    for values, positions in parts:
        for position, value in zip(positions.tolist(), list(values)):
            out[position] = value
    return out
