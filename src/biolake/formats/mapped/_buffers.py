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

import numpy as np

from biolake import _process

#: Buffers kept per size.
KEEP = 4
#: Bytes kept in all (buffers given back beyond this are freed).
KEEP_BYTES = 64 * 1024 * 1024
#: Arrays smaller than this come from ``numpy.zeros`` (the C library reuses small blocks well).
MIN_BYTES = 256 * 1024


class _Lease(np.ndarray):
    """A view of a pooled buffer; when it dies, the buffer goes back to the pool."""

    def __del__(self) -> None:
        buffer = self.base
        if not isinstance(buffer, np.ndarray) or buffer.base is not None:
            return  # a view of a view: the innermost lease gives the buffer back
        try:
            pool = _process.batch_buffers
            kept = pool.setdefault(buffer.nbytes, [])
            held = sum(size * len(buffers) for size, buffers in list(pool.items()))
            if len(kept) < KEEP and held + buffer.nbytes <= KEEP_BYTES:
                kept.append(buffer)
        except Exception:  # noqa: BLE001, S110  (interpreter shutdown: modules already torn down)
            pass


def zeros(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A C-contiguous array of zeros of ``shape`` and ``dtype``, in recycled memory when it is large."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if nbytes < MIN_BYTES or dtype.hasobject:
        return np.zeros(shape, dtype)
    kept = _process.batch_buffers.get(nbytes)
    try:
        buffer = kept.pop() if kept else None
    except IndexError:  # another thread took the last one
        buffer = None
    if buffer is None:
        buffer = np.zeros(nbytes, np.uint8)
    else:
        buffer.fill(0)
    lease = buffer.view(_Lease)
    return lease.view(dtype).reshape(shape).view(np.ndarray)
