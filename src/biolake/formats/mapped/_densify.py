"""Copies of CSR rows in scipy's compiled loops, for batches of a few hundred rows.

``matrix[rows].toarray()`` spends more time in scipy's Python layer (index checks, dtype
choices, a new ``csr_matrix``) than in its loops for a batch of 256 rows. The same two
loops are called here directly: scipy's ``csr_row_index`` (copy the rows' non-zeros) and
``csr_todense`` (add them into the zeroed output) in :func:`rows_into`. :func:`segments`
copies the rows of a memory-mapped array with ``csr_row_index`` too (row ``k`` of a CSR
whose ``indptr`` is ``[start_0, end_0, start_1, end_1, ...]`` is segment ``k``): a
``memcpy`` per row instead of ``numpy.take`` of every element; :func:`take` so copies
``indices`` and ``data`` together, and :func:`slice_into` densifies a slice of rows. When
scipy lacks the loops (they live in ``scipy.sparse._sparsetools``, not a public module)
numpy does the same.

Example:
    >>> import scipy.sparse
    >>> matrix = scipy.sparse.csr_matrix(np.array([[0, 1.0], [2.0, 0]], np.float32))
    >>> out = np.zeros((2, 2), np.float32)
    >>> rows_into(matrix, np.array([1, 0]), out)
    >>> out.tolist()
    [[2.0, 0.0], [0.0, 1.0]]
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np


def rows_into(matrix: Any, rows: np.ndarray, out: np.ndarray) -> None:
    """Write ``matrix[rows]`` (a ``scipy.sparse.csr_matrix``) into ``out``, which holds zeros."""
    kernels = _kernels()
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    if kernels is None or indices.dtype != indptr.dtype or data.dtype != out.dtype or not out.flags.c_contiguous:
        out += matrix[rows].toarray()
        return
    row_index, todense = kernels
    rows = rows.astype(indptr.dtype, copy=False)
    starts = indptr[rows]
    new_indptr = np.empty(len(rows) + 1, indptr.dtype)
    new_indptr[0] = 0
    np.cumsum(indptr[rows + 1] - starts, out=new_indptr[1:])
    size = int(new_indptr[-1])
    taken_indices, taken_data = np.empty(size, indices.dtype), np.empty(size, data.dtype)
    row_index(len(rows), rows, indptr, indices, data, taken_indices, taken_data)
    todense(len(rows), out.shape[1], new_indptr, taken_indices, taken_data, out.reshape(-1))


def rows_at(
    paired: tuple[np.ndarray, np.ndarray, np.ndarray], lengths: np.ndarray, positions: np.ndarray, out: np.ndarray
) -> bool:
    """Add rows into ``out`` (C-contiguous zeros) at row ``positions`` (ascending): row ``k`` is
    ``lengths[k]`` elements from ``paired[2][k]`` of the ``(indices, data, starts)`` of
    :func:`._mmap.paired_views` (``starts`` already taken for these rows). One
    ``csr_row_index`` copies indices and data together (:func:`take`); ``csr_todense`` writes
    them through an ``indptr`` over all rows of ``out`` that is empty where no row goes.

    Returns ``False`` (and leaves ``out`` alone) when scipy lacks the loops.
    """
    kernels = _kernels()
    if kernels is None or not out.flags.c_contiguous:
        return False
    indices, data, starts = paired
    if not _fits(indices, int(lengths.sum())):
        return False
    taken = take(indices, data, starts, lengths)
    indptr = np.zeros(out.shape[0] + 1, indices.dtype)
    indptr[positions + 1] = lengths
    np.cumsum(indptr, out=indptr)
    kernels[1](out.shape[0], out.shape[1], indptr, taken[0], taken[1].astype(out.dtype, copy=False), out.reshape(-1))
    return True


def take(indices: np.ndarray, data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``k`` = ``lengths[k]`` elements from ``starts[k]`` of ``indices`` and, at the same
    positions, of ``data``, concatenated: one ``csr_row_index`` loop (numpy's ``take`` when
    scipy lacks it or the sizes do not fit the index dtype of ``indices``)."""
    kernels = _kernels()
    size = int(lengths.sum())
    if kernels is None or not _fits(indices, size) or not _loops_over(data.dtype):
        at = _positions(starts, lengths)
        return np.take(indices, at), np.take(data, at)
    index = indices.dtype
    k = len(starts)
    bounds = np.empty(2 * k, index)
    bounds[0::2] = starts
    bounds[1::2] = starts + lengths
    taken_indices, taken_data = np.empty(size, index), np.empty(size, data.dtype)
    kernels[0](k, np.arange(0, 2 * k, 2, dtype=index), bounds, indices, data, taken_indices, taken_data)
    return taken_indices, taken_data


def slice_into(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, begin: int, end: int, out: np.ndarray) -> None:
    """Add rows ``begin:end`` of the CSR ``(indptr, indices, data)`` into ``out`` (C-contiguous,
    ``end - begin`` rows, the dtype of ``data``): ``csr_todense`` over a slice of ``indptr``."""
    kernels = _kernels()
    window = indptr[begin : end + 1]
    if kernels is not None and indptr.dtype == indices.dtype and out.flags.c_contiguous and _loops_over(data.dtype):
        kernels[1](end - begin, out.shape[1], window, indices, data, out.reshape(-1))
        return
    import scipy.sparse

    first, last = int(window[0]), int(window[-1])
    matrix = scipy.sparse.csr_matrix((data[first:last], indices[first:last], window - first), shape=out.shape)
    out += matrix.toarray()


@functools.cache
def _kernels() -> tuple[Any, Any] | None:
    try:
        from scipy.sparse import _sparsetools
    except ImportError:
        return None
    row_index = getattr(_sparsetools, "csr_row_index", None)
    todense = getattr(_sparsetools, "csr_todense", None)
    return None if row_index is None or todense is None else (row_index, todense)


def add_into(flat: np.ndarray, positions: np.ndarray, values: np.ndarray) -> None:
    """``flat[positions] += values`` (repeated positions add up, as a CSR row's duplicate entries do),
    in ``csr_todense``'s loop: ``flat`` is row 0 of a one-row CSR matrix."""
    kernels = _kernels()
    index, limit = _INDEX_TYPES.get(positions.dtype.itemsize, _NO_INDEX)
    values = values.astype(flat.dtype, copy=False)
    usable = (
        kernels is not None
        and positions.dtype.kind == "i"
        and len(flat) < limit
        and flat.ndim == 1
        and flat.flags.c_contiguous
        and flat.flags.writeable
        and _copyable(values, len(positions))
        and positions.flags.c_contiguous
    )
    if not usable:
        np.add.at(flat, positions, values)
        return
    assert kernels is not None
    kernels[1](1, len(flat), np.array([0, len(positions)], index), positions, values, flat)


def segments(array: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``array[starts[k] : starts[k] + lengths[k]]`` for every ``k``, concatenated (1-D ``array``)."""
    return pairs(array, None, starts, lengths)[0]


def pairs(
    first: np.ndarray, second: np.ndarray | None, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`segments` of ``first`` and, at the same positions, of ``second`` (when given)."""
    kernels = _kernels()
    index, limit = _INDEX_TYPES.get(first.dtype.itemsize, _NO_INDEX)
    usable = (
        kernels is not None
        and limit > 0
        and first.ndim == 1
        and first.flags.c_contiguous
        and len(first) < limit
        and (second is None or _copyable(second, len(first)))
    )
    if not usable:
        at = _positions(starts, lengths)
        return np.take(first, at), None if second is None else np.take(second, at)
    assert kernels is not None
    as_index = first.view(index)
    bounds = np.empty(2 * len(starts), index)
    bounds[0::2] = starts
    bounds[1::2] = starts + lengths
    size = int(lengths.sum())
    out = np.empty(size, index)
    other = np.empty(size, index if second is None else second.dtype)
    kernels[0](len(starts), np.arange(0, 2 * len(starts), 2, dtype=index), bounds, as_index, as_index if second is None else second, out, other)
    return out.view(first.dtype), None if second is None else other


def _fits(indices: np.ndarray, size: int) -> bool:
    """Whether ``csr_row_index`` can address ``indices`` and a copy of ``size`` of its elements."""
    limit = _INDEX_TYPES.get(indices.dtype.itemsize, _NO_INDEX)[1] if indices.dtype.kind == "i" else 0
    return max(size, len(indices)) < limit


def _copyable(array: np.ndarray, size: int) -> bool:
    """Whether ``csr_row_index`` copies ``array`` as it is (a native numeric 1-D array of ``size`` elements)."""
    return _loops_over(array.dtype) and array.ndim == 1 and array.flags.c_contiguous and len(array) == size


def _loops_over(dtype: np.dtype) -> bool:
    """Whether scipy's loops take values of ``dtype`` (native numbers, not half floats)."""
    return dtype.kind in "biufc" and dtype.isnative and not (dtype.kind == "f" and dtype.itemsize == 2)


def _positions(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    ends = np.cumsum(lengths)
    positions: np.ndarray = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64) + np.repeat(
        starts - (ends - lengths), lengths
    )
    return positions


#: Index dtype of ``csr_row_index`` by item size, and the array lengths it can address.
_INDEX_TYPES: dict[int, tuple[np.dtype[Any], int]] = {4: (np.dtype(np.int32), 2**31 - 1), 8: (np.dtype(np.int64), 2**63 - 1)}
_NO_INDEX: tuple[np.dtype[Any], int] = (np.dtype(np.int64), 0)
