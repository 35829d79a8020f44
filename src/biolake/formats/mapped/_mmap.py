"""Memory-mapped views of uncompressed HDF5 datasets: rows gathered without an h5py call.

An ``.h5ad`` written by anndata stores ``X/data`` and ``X/indices`` uncompressed, in
chunks that HDF5 allocates one after another. Such a dataset is one run of raw bytes in
the file, so a ``numpy`` array over a read-only ``mmap`` of the file *is* the dataset:
many rows are gathered with one fancy index (served from the page cache) instead of one
h5py read per row. :func:`dataset_view` returns that array, or ``None`` whenever the bytes
are not laid out that way (filters such as gzip, chunks out of order or not yet
allocated, chunks narrower than a row, external storage, strings): the caller then reads
through h5py. A view is checked against h5py's own read of its first and last elements
before it is used.

Example:
    >>> buffer = open_map(path)  # doctest: +SKIP
    >>> view = dataset_view(h5py.File(path)["X/data"], buffer)  # doctest: +SKIP
"""

from __future__ import annotations

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


def dataset_view(dataset: Any, buffer: mmap.mmap | None) -> np.ndarray | None:
    """The h5py ``dataset`` as a read-only array over ``buffer``, or ``None`` if it cannot be.

    Args:
        dataset: an ``h5py.Dataset`` of the file mapped in ``buffer``.
        buffer: :func:`open_map` of that file.
    """
    dtype = np.dtype(dataset.dtype)
    if buffer is None or dtype.kind not in "biuf" or not dtype.isnative or dataset.size == 0:
        return None
    offset = _raw_offset(dataset)
    if offset is None or offset + dataset.size * dtype.itemsize > len(buffer):
        return None
    view = np.frombuffer(buffer, dtype=dtype, count=dataset.size, offset=offset).reshape(dataset.shape)
    return view if _agrees(view, dataset) else None


def _raw_offset(dataset: Any) -> int | None:
    """The file offset of the dataset's bytes when they are one unfiltered run, else ``None``."""
    import h5py

    plist = dataset.id.get_create_plist()
    if plist.get_nfilters() or plist.get_external_count():
        return None
    layout = plist.get_layout()
    if layout == h5py.h5d.CONTIGUOUS:
        offset = dataset.id.get_offset()
        return None if offset is None else int(offset)
    if layout == h5py.h5d.CHUNKED:
        return _sequential_chunks_offset(dataset)
    return None


def _sequential_chunks_offset(dataset: Any) -> int | None:
    """The offset of the first chunk, if the chunks are whole rows stored back to back in order."""
    chunks = dataset.chunks
    if tuple(chunks[1:]) != tuple(dataset.shape[1:]) or not hasattr(dataset.id, "chunk_iter"):
        return None
    found: list[tuple[int, int, int]] = []
    dataset.id.chunk_iter(lambda info: found.append((int(info.chunk_offset[0]), int(info.byte_offset), int(info.size))))
    n_chunks = -(-int(dataset.shape[0]) // int(chunks[0]))
    if len(found) != n_chunks:
        return None  # some chunks never written: they read as fill values
    found.sort()
    chunk_bytes = int(np.prod(chunks)) * np.dtype(dataset.dtype).itemsize
    starts = np.array([byte_offset for _, byte_offset, _ in found], np.int64)
    sizes = np.array([size for _, _, size in found], np.int64)
    if (sizes != chunk_bytes).any() or (np.diff(starts) != chunk_bytes).any():
        return None
    return int(starts[0])


def _agrees(view: np.ndarray, dataset: Any) -> bool:
    """Whether the view reads what h5py reads at both ends of the dataset."""
    n = min(16, view.shape[0])
    head = np.asarray(dataset[:n])
    tail = np.asarray(dataset[view.shape[0] - n :])
    return bool(np.array_equal(view[:n], head, equal_nan=True) and np.array_equal(view[-n:], tail, equal_nan=True))
