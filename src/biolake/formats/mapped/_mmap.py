"""Memory-mapped views of uncompressed HDF5 datasets: rows gathered without an h5py call.

An ``.h5ad`` written by anndata stores ``X/data`` and ``X/indices`` uncompressed, in
chunks that HDF5 allocates one after another. Their elements are raw bytes in the file, so
a ``numpy`` array over a read-only ``mmap`` of the file holds the dataset:
many rows are gathered with one fancy index (served from the page cache) instead of one
h5py read per row. :func:`dataset_runs` says where each element lies (HDF5 puts
its chunk index between some chunks, so a dataset is a few runs of consecutive elements)
and :func:`dataset_view` maps a 2-D dataset stored in one run; :func:`paired_views` addresses a CSR
matrix's ``indices`` and ``data`` alike. They return ``None``
whenever the bytes are not laid out that way (filters such as gzip, chunks out of order or not yet
allocated, chunks narrower than a row, external storage, strings): the caller then reads
through h5py. A view is checked against h5py's own read of its first and last elements
(at both ends of every run) before it is used.

Example:
    >>> buffer = open_map(path)  # doctest: +SKIP
    >>> runs = dataset_runs(h5py.File(path)["X/data"], buffer)  # doctest: +SKIP
    >>> runs.view[runs.translate(np.arange(10))]  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import mmap
import os
from typing import Any

import numpy as np


def open_map(path: str | os.PathLike[str]) -> mmap.mmap | None:
    """A read-only map of the whole file at ``path`` (``None`` for an empty file)."""
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return None
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


@dataclasses.dataclass(frozen=True)
class Runs:
    """A 1-D dataset's elements in the mapped file: runs of raw elements, in order.

    ``view`` is the whole file as an array of the dataset's dtype; element ``e`` of the
    dataset, in run ``k`` (``first[k] <= e < first[k + 1]``), is ``view[e + shift[k]]``.
    Chunks written back to back form one run; HDF5 puts its chunk index between some.
    """

    view: np.ndarray
    first: np.ndarray
    shift: np.ndarray

    def translate(self, elements: np.ndarray) -> np.ndarray:
        """The positions in :attr:`view` of dataset ``elements``."""
        if len(self.first) == 1:
            return elements + int(self.shift[0])
        position: np.ndarray = elements + self.shift[np.searchsorted(self.first, elements, side="right") - 1]
        return position


def dataset_runs(dataset: Any, buffer: mmap.mmap | None) -> Runs | None:
    """Where the elements of the 1-D h5py ``dataset`` lie in ``buffer`` (:func:`open_map` of
    its file), or ``None`` when they are not raw bytes there."""
    dtype = np.dtype(dataset.dtype)
    extents = None if buffer is None else _raw_extents(dataset, 1)
    if buffer is None or extents is None:  # not mapped, or not raw bytes
        return None
    elements, offsets, sizes = extents
    if (offsets % dtype.itemsize != offsets[0] % dtype.itemsize).any() or (sizes % dtype.itemsize).any():
        return None  # runs not aligned alike: no single typed view of the file
    if int(offsets[-1] + sizes[-1]) > len(buffer):
        return None
    phase = int(offsets[0] % dtype.itemsize)
    view = np.frombuffer(buffer, dtype=dtype, count=(len(buffer) - phase) // dtype.itemsize, offset=phase)
    shifts = (offsets - phase) // dtype.itemsize - elements
    new_run = np.concatenate(([True], np.diff(shifts) != 0))
    runs = Runs(view, elements[new_run].astype(np.int64), shifts[new_run].astype(np.int64))
    return runs if _agrees(runs, dataset) else None


def dataset_view(dataset: Any, buffer: mmap.mmap | None) -> np.ndarray | None:
    """The 2-D h5py ``dataset`` as a read-only array over ``buffer``, when it is one run of raw bytes."""
    dtype = np.dtype(dataset.dtype)
    extents = None if buffer is None else _raw_extents(dataset, 2)
    if buffer is None or extents is None:  # not mapped, or not raw bytes
        return None
    _, offsets, sizes = extents
    if len(offsets) > 1 and (np.diff(offsets) != sizes[:-1]).any():
        return None
    offset = int(offsets[0])
    if offset + dataset.size * dtype.itemsize > len(buffer):
        return None
    view = np.frombuffer(buffer, dtype=dtype, count=dataset.size, offset=offset).reshape(dataset.shape)
    return view if bool(np.array_equal(view[:4], np.asarray(dataset[:4]), equal_nan=True)) else None


def _raw_extents(dataset: Any, ndim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """:func:`_extents` of a plain ``ndim``-D dataset, else ``None``."""
    if len(dataset.shape) != ndim or not _plain(dataset, np.dtype(dataset.dtype)):
        return None
    return _extents(dataset)


def _plain(dataset: Any, dtype: np.dtype) -> bool:
    """A numeric, native, non-empty dataset without filters or external storage."""
    if dtype.kind not in "biuf" or not dtype.isnative or dataset.size == 0:
        return False
    plist = dataset.id.get_create_plist()
    return not plist.get_nfilters() and not plist.get_external_count()


def _extents(dataset: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """First row, file offset and byte size of each stored piece, in row order (``None``: not raw)."""
    import h5py

    layout = dataset.id.get_create_plist().get_layout()
    itemsize = np.dtype(dataset.dtype).itemsize
    row_bytes = int(np.prod(dataset.shape[1:], dtype=np.int64)) * itemsize
    if layout == h5py.h5d.CONTIGUOUS:
        offset = dataset.id.get_offset()
        if offset is None:
            return None
        return np.zeros(1, np.int64), np.array([offset], np.int64), np.array([dataset.shape[0] * row_bytes], np.int64)
    if layout != h5py.h5d.CHUNKED or tuple(dataset.chunks[1:]) != tuple(dataset.shape[1:]):
        return None
    if not hasattr(dataset.id, "chunk_iter"):
        return None
    found: list[tuple[int, int, int]] = []
    dataset.id.chunk_iter(lambda info: found.append((int(info.chunk_offset[0]), int(info.byte_offset), int(info.size))))
    n_chunks = -(-int(dataset.shape[0]) // int(dataset.chunks[0]))
    chunk_bytes = int(dataset.chunks[0]) * row_bytes
    if len(found) != n_chunks or any(size != chunk_bytes for _, _, size in found):
        return None  # chunks never written (fill values) or stored otherwise
    found.sort()
    table = np.array(found, np.int64).reshape(-1, 3)
    # The last chunk is stored whole; only the rows up to the dataset's end are elements.
    sizes = table[:, 2].copy()
    sizes[-1] = (int(dataset.shape[0]) - int(table[-1, 0])) * row_bytes
    return table[:, 0], table[:, 1], sizes


def _agrees(runs: Runs, dataset: Any) -> bool:
    """Whether the mapped elements equal h5py's read at both ends of every run."""
    n = int(dataset.shape[0])
    probes = np.unique(np.concatenate([runs.first, runs.first[1:] - 1, [n - 1]]))
    return bool(np.array_equal(runs.view[runs.translate(probes)], np.asarray(dataset[probes]), equal_nan=True))


#: Data dtypes scipy's compiled CSR loops take (``float16`` is not one of them).
_LOOP_KINDS = frozenset("biufc")


def paired_views(
    data: Runs, indices: Runs, data_starts: np.ndarray, indices_starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """A mapped CSR matrix's ``indices`` and ``data`` as two arrays addressed alike, or ``None``.

    anndata writes ``X/data`` and ``X/indices`` with the same chunks, so every row's data lies
    a fixed number of elements after (or before) its indices in the file. Then ``(indices,
    data, starts)`` are views of the file in which row ``r`` (of ``lengths[r] > 0``) is
    ``indices[starts[r] : starts[r] + lengths[r]]`` and ``data`` at the same positions: the
    layout scipy's ``csr_row_index`` copies both from in one loop. ``starts`` has the dtype of
    ``indices``. ``None`` when the distance varies, the dtypes differ in size, or a
    position does not fit the index dtype.
    """
    index_dtype, data_dtype = indices.view.dtype, data.view.dtype
    if index_dtype.kind != "i" or index_dtype.itemsize not in (4, 8) or data_dtype.itemsize != index_dtype.itemsize:
        return None
    if data_dtype.kind not in _LOOP_KINDS or data_dtype.itemsize == 2:
        return None
    if _buffer_of(data.view) is not _buffer_of(indices.view):
        return None  # not one mapping: no distance between them
    shift, rest = divmod(data.view.ctypes.data - indices.view.ctypes.data, index_dtype.itemsize)
    filled = lengths > 0
    distance = data_starts[filled] - indices_starts[filled] + shift
    if rest or not len(distance) or (distance != distance[0]).any():
        return None
    gap = int(distance[0])
    if len(indices.view) + abs(gap) >= np.iinfo(index_dtype).max:
        return None
    grid = indices.view
    if gap >= 0:
        return grid, grid.view(data_dtype)[gap:], indices_starts.astype(index_dtype)
    return grid[-gap:], grid.view(data_dtype), (indices_starts + gap).clip(0).astype(index_dtype)


def _buffer_of(array: np.ndarray) -> object:
    """The object whose memory ``array`` views (the mapping, for a view of :func:`open_map`)."""
    base: object = array
    while isinstance(base, np.ndarray) and base.base is not None:
        base = base.base
    return base.obj if isinstance(base, memoryview) else base
