"""Read only some rows (and columns) of ``X`` or a layer: h5ad through h5py, zarr through its chunks.

A CSR matrix in a local, uncompressed ``.h5ad`` (anndata's default) is memory-mapped
(:mod:`biolake.formats.mapped._mmap`): the selected rows' values are copied straight out of
the file, no others. Elsewhere selected rows are grouped into blocks: neighbouring rows are
merged into one read while the gap between them is cheap (fewer than
:data:`MERGE_ELEMENTS` stored values), so a scattered selection costs a few large reads,
not one per cell. CSR matrices read the ``data``/``indices`` range of a block; dense ones
its row range. CSC is read whole (its rows are spread over the file) with a warning.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from biolake import _logging as log
from biolake.errors import UnknownFormatError, ValidationError
from biolake.formats.anndata import open_zarr
from biolake.formats.mapped import _mmap
from biolake.formats.mapped._rows import MappedCsr
from biolake.formats.mapped._sources import CsrMatrix, encoding_type
from biolake.storage.paths import is_local

if TYPE_CHECKING:
    import scipy.sparse as sp
    from upath import UPath

#: merge two row runs into one read when fewer values than this lie between them
MERGE_ELEMENTS = 1 << 18


@contextlib.contextmanager
def open_store(path: UPath, suffix: str) -> Iterator[Any]:
    """The root group of a stored AnnData (h5py File or zarr Group), local or remote."""
    if suffix.endswith(".zarr"):
        yield open_zarr(path, suffix)
        return
    if suffix != ".h5ad":
        raise UnknownFormatError(f"to_anndata() reads .h5ad files and .zarr stores, not {suffix!r} artifacts", suffix=suffix)
    import h5py

    if is_local(path):
        with h5py.File(str(getattr(path, "path", path)), "r") as file:
            yield file
        return
    with path.open("rb", block_size=8 * 1024 * 1024) as handle, h5py.File(handle, "r") as file:
        yield file


def read_rows(root: Any, layer: str, rows: np.ndarray, columns: np.ndarray) -> sp.csr_matrix:
    """Rows ``rows`` (sorted) and columns ``columns`` of ``X`` or ``layers[layer]`` as a CSR matrix."""
    import scipy.sparse as sp

    where = "X" if layer == "X" else f"layers/{layer}"
    if where not in root:
        raise ValidationError(f"the artifact has no {where}", non_validated={"layer": [layer]})
    elem = root[where]
    if not hasattr(elem, "keys"):
        return sp.csr_matrix(_dense_rows(elem, rows, columns))
    encoding = encoding_type(elem)
    if encoding == "csr_matrix":
        return _csr_rows(elem, rows, columns)
    import anndata

    log.warning(f"{where} is stored as {encoding or 'unknown'}: reading it whole to select rows (store CSR to read less)")
    matrix = sp.csr_matrix(anndata.io.read_elem(elem))
    return matrix[rows][:, columns]


def blocks(rows: np.ndarray, cost: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """Group sorted ``rows`` into ``(start, stop, rows_in_block)`` reads.

    ``cost[i]`` is the cumulative number of stored values before row ``i`` (``indptr`` for
    CSR, ``i * n_columns`` for dense); a gap is merged while it costs < MERGE_ELEMENTS.
    """
    if not len(rows):
        return []
    gaps = cost[rows[1:]] - cost[rows[:-1] + 1]
    splits = np.flatnonzero(gaps >= MERGE_ELEMENTS) + 1
    return [(int(part[0]), int(part[-1]) + 1, part) for part in np.split(rows, splits)]


def _csr_rows(group: Any, rows: np.ndarray, columns: np.ndarray) -> sp.csr_matrix:
    new_column = _column_lookup(int(group.attrs["shape"][1]), columns)
    stored_indptr = group["indptr"]
    indptr = _read_range(stored_indptr, 0, stored_indptr.shape[0]).astype(np.int64, copy=False)
    mapped = _memory_mapped(group, indptr)
    if mapped is not None:
        return _mapped_rows(mapped, rows, new_column, len(columns))
    return _read_rows(group, indptr, rows, new_column, len(columns))


def _column_lookup(n_columns: int, columns: np.ndarray) -> np.ndarray:
    """Stored column → output column (``-1``: not wanted)."""
    new_column = np.full(n_columns, -1, dtype=np.int32)
    new_column[columns] = np.arange(len(columns))
    return new_column


def _memory_mapped(group: Any, indptr: np.ndarray) -> MappedCsr | None:
    """The CSR ``group`` (its ``indptr`` read) of a local, uncompressed ``.h5ad`` as a memory map
    (``None`` otherwise)."""
    file = getattr(group, "file", None)
    if file is None or getattr(file, "driver", None) != "sec2":  # zarr, or a remote file read through a handle
        return None
    buffer = _mmap.open_map(file.filename)
    return CsrMatrix(group, lambda array, _name: array, lambda dataset: _mmap.dataset_runs(dataset, buffer), indptr).mapped


def _mapped_rows(mapped: MappedCsr, rows: np.ndarray, new_column: np.ndarray, n_out: int) -> sp.csr_matrix:
    """Rows ``rows`` taken from the memory map (only their own values are read), their columns
    mapped by ``new_column`` (:func:`_column_lookup`) onto ``n_out`` output columns."""
    import scipy.sparse as sp

    indices, data, lengths = mapped.take(rows)
    wanted = new_column[indices]
    keep = wanted >= 0
    counts = np.bincount(np.repeat(np.arange(len(rows)), lengths)[keep], minlength=len(rows))
    indptr = np.concatenate(([0], np.cumsum(counts)))
    return sp.csr_matrix((data[keep], wanted[keep], indptr), shape=(len(rows), n_out))


def _read_rows(group: Any, indptr: np.ndarray, rows: np.ndarray, new_column: np.ndarray, n_out: int) -> sp.csr_matrix:
    import scipy.sparse as sp

    data, indices = group["data"], group["indices"]
    values, value_columns, counts = [], [], np.zeros(len(rows), dtype=np.int64)
    done = 0
    for start, stop, part in blocks(rows, indptr):
        begin, end = indptr[start], indptr[stop]
        block_columns = new_column[_read_range(indices, begin, end)]
        hits = np.flatnonzero(block_columns >= 0)  # values in a wanted column, then keep those in wanted rows
        new_row = np.full(stop - start, -1, dtype=np.int64)  # row in block → output row
        new_row[part - start] = np.arange(done, done + len(part))
        hit_rows = new_row[np.searchsorted(indptr[start : stop + 1] - begin, hits, side="right") - 1]
        keep = hit_rows >= 0
        values.append(_read_range(data, begin, end)[hits[keep]])
        value_columns.append(block_columns[hits[keep]])
        counts += np.bincount(hit_rows[keep], minlength=len(rows))
        done += len(part)
    # hits come in stored order: rows ascending, columns ascending within a row (as CSR stores them)
    out_indptr = np.concatenate(([0], np.cumsum(counts)))
    dtype = np.dtype(data.dtype)
    out_data = np.concatenate(values) if values else np.zeros(0, dtype)
    out_columns = np.concatenate(value_columns) if value_columns else np.zeros(0, np.int32)
    return sp.csr_matrix((out_data, out_columns, out_indptr), shape=(len(rows), n_out))


def _read_range(array: Any, begin: int, end: int) -> np.ndarray:
    """``array[begin:end]`` as numpy; h5py reads straight into one buffer (twice as fast on chunked data)."""
    if hasattr(array, "read_direct"):
        out = np.empty(int(end - begin), dtype=array.dtype)
        if len(out):
            array.read_direct(out, np.s_[int(begin) : int(end)])
        return out
    return np.asarray(array[begin:end])


def _dense_rows(array: Any, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    n_rows, n_columns = (int(n) for n in array.shape)
    cost = np.arange(n_rows + 1, dtype=np.int64) * n_columns
    parts = [np.asarray(array[start:stop])[part - start][:, columns] for start, stop, part in blocks(rows, cost)]
    return np.vstack(parts) if parts else np.zeros((0, len(columns)), dtype=np.dtype(array.dtype))
