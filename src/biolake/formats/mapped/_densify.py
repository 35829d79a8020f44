"""Rows of an in-memory CSR matrix written into a dense array in two compiled loops.

``matrix[rows].toarray()`` spends more time in scipy's Python layer (index checks, dtype
choices, a new ``csr_matrix``) than in its loops for a batch of 256 rows. The same two
loops are called here directly: scipy's ``csr_row_index`` (copy the rows' non-zeros) and
``csr_todense`` (add them into the zeroed output). When scipy lacks them (they live in
``scipy.sparse._sparsetools``, not a public module), the public indexing is used instead.

Example:
    >>> matrix = scipy.sparse.csr_matrix(np.array([[0, 1.0], [2.0, 0]], np.float32))
    >>> out = np.zeros((2, 2), np.float32)
    >>> rows_into(matrix, np.array([1, 0]), out)
    >>> out.tolist()
    [[2.0, 0.0], [0.0, 1.0]]
"""

from __future__ import annotations

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


def _kernels() -> tuple[Any, Any] | None:
    try:
        from scipy.sparse import _sparsetools
    except ImportError:
        return None
    row_index = getattr(_sparsetools, "csr_row_index", None)
    todense = getattr(_sparsetools, "csr_todense", None)
    return None if row_index is None or todense is None else (row_index, todense)
