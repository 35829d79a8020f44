"""Decoded zarr chunks, kept in a bounded least-recently-used cache.

zarr decodes a whole chunk to return one row of it: a row of a dense ``X`` chunked
``(3125, 125)`` decodes 16 chunks, a row of CSR ``data`` a chunk of about 150,000 values.
:class:`ChunkedRows` reads an array by whole bands of chunks along the first axis and keeps
them in :data:`CACHE`, so neighbouring rows (a block, or ``ds[i]``, ``ds[i + 1]``, ...)
decode each chunk once. The cache is per process and holds at most
:data:`CACHE_MAX_BYTES`; a band larger than that is returned without being kept.
Stores are read-only while mapped, so cached chunks never go stale.

Example:
    >>> rows = ChunkedRows(np.arange(10).reshape(5, 2), key="demo")
    >>> rows[1:3].tolist(), rows[4].tolist()
    ([[2, 3], [4, 5]], [8, 9])
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np

#: Upper bound of decoded chunk bytes held per process.
CACHE_MAX_BYTES = 128 * 1024 * 1024


class ChunkCache:
    """A thread-safe LRU of arrays bounded by their total ``nbytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._nbytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], np.ndarray]) -> np.ndarray:
        """The array cached under ``key``, loaded with ``load()`` on a miss."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = load()
        if value.nbytes <= self.max_bytes:
            with self._lock:
                if key not in self._entries:
                    self._entries[key] = value
                    self._nbytes += value.nbytes
                while self._nbytes > self.max_bytes:
                    _, evicted = self._entries.popitem(last=False)
                    self._nbytes -= evicted.nbytes
        return value

    def clear(self) -> None:
        """Forget every cached array."""
        with self._lock:
            self._entries.clear()
            self._nbytes = 0


CACHE = ChunkCache(CACHE_MAX_BYTES)


class ChunkedRows:
    """Row access (``[i]``, ``[start:stop]``) to an array, through whole cached chunk bands.

    Args:
        array: a zarr array (anything with ``shape``, ``dtype`` and slicing; ``chunks`` if
            chunked, else the array is one band).
        key: identifies the array in the cache (store path and element path).
    """

    def __init__(self, array: Any, key: Hashable, cache: ChunkCache = CACHE) -> None:
        self._array = array
        self._key = key
        self._cache = cache
        self.shape = tuple(array.shape)
        self.dtype = np.dtype(array.dtype)
        self._band = max(1, int(getattr(array, "chunks", self.shape)[0] or 1))

    def __getitem__(self, item: int | slice) -> np.ndarray:
        if isinstance(item, slice):
            start, stop, step = item.indices(self.shape[0])
            if step != 1:
                raise ValueError("ChunkedRows reads contiguous rows only")
            return self._rows(start, stop)
        row = int(item)
        values: np.ndarray = self._chunk(row // self._band)[row % self._band]
        return values

    def _rows(self, start: int, stop: int) -> np.ndarray:
        if stop <= start:
            return np.empty((0, *self.shape[1:]), self.dtype)
        first, last = start // self._band, (stop - 1) // self._band
        pieces = []
        for band in range(first, last + 1):
            offset = band * self._band
            pieces.append(self._chunk(band)[max(start - offset, 0) : stop - offset])
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    def _chunk(self, band: int) -> np.ndarray:
        begin = band * self._band
        return self._cache.get((self._key, band), lambda: _read_only(self._array[begin : begin + self._band]))


def _read_only(values: Any) -> np.ndarray:
    """A cached band: shared by every reader, so nobody may write into it."""
    array = np.asarray(values)
    array.flags.writeable = False
    return array
