"""Zeroed batch arrays in memory that earlier batches gave back, not in fresh pages.

A batch of 256 cells x 2,000 genes is 2 MB. Allocated anew for every batch, the C library
often maps fresh pages for it (and returns them when the batch is freed), and the first
write to each of its 512 pages is a page fault: on a small virtual machine that costs more
than filling the batch. :func:`zeros` hands out such arrays from memory given back by
batches that nobody references any more (at most :data:`KEEP` buffers per size and
:data:`KEEP_BYTES` in all, kept in :data:`biolake._process.batch_buffers`). The array returned is a plain ``numpy.ndarray``;
its memory returns to the pool when the last view of it (a tensor made by
``torch.from_numpy``, a row) is gone.

Example:
    >>> batch = zeros((256, 2000), np.dtype("float32"))
    >>> float(batch.sum()), type(batch).__name__
    (0.0, 'ndarray')
"""

from __future__ import annotations

import ctypes
import math

import numpy as np

from biolake import _process

#: Buffers kept per size.
KEEP = 4
#: Bytes kept in all (buffers given back beyond this are freed).
KEEP_BYTES = 64 * 1024 * 1024
#: Arrays smaller than this come from ``numpy.zeros`` (the C library reuses small blocks well).
MIN_BYTES = 256 * 1024


class _Lease(np.ndarray):
    """An array over a pooled ``bytearray``; when it dies, the bytearray goes back to the pool.

    The buffer is a ``bytearray``, not an array: numpy then never skips the lease when it sets
    the base of a view, so every view of the batch keeps the lease (and its buffer) alive.
    """

    def __del__(self) -> None:
        buffer: object = self.base
        if not isinstance(buffer, bytearray):
            return  # a view of a lease (``lease[0]``, ...) lends nothing
        try:
            pool = _process.batch_buffers
            kept = pool.setdefault(len(buffer), [])
            held = sum(size * len(buffers) for size, buffers in list(pool.items()))
            if len(kept) < KEEP and held + len(buffer) <= KEEP_BYTES:
                kept.append(buffer)
        except Exception:  # noqa: BLE001, S110  (interpreter shutdown: modules already torn down)
            pass


def zeros(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A C-contiguous array of zeros of ``shape`` and ``dtype``, in recycled memory when it is large."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < MIN_BYTES or dtype.hasobject:
        return np.zeros(shape, dtype)
    kept = _process.batch_buffers.get(nbytes)
    try:
        buffer = kept.pop() if kept else None
    except IndexError:  # another thread took the last one
        buffer = None
    lease = _Lease(shape, dtype, buffer=bytearray(nbytes) if buffer is None else buffer)  # base: the bytearray
    if buffer is not None:
        ctypes.memset(lease.ctypes.data, 0, nbytes)  # the C library's memset: faster than ``fill(0)``
    return lease.view(np.ndarray)
