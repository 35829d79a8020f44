"""Batch memory that a DataLoader worker shares with the main process: only a batch's place travels.

Without it, a worker of ``DataLoader(ds, num_workers=2)`` pickles each batch's non-zeros through a
pipe, and the main process builds the dense batch again: on a small machine the three processes
then spend more time moving batches than reading them. Here a worker builds its dense batches in
an *arena*: a file in ``/dev/shm`` that it maps, cut into a few *slots* of one batch each. A batch
travels as ``(arena, slot, shape, dtype)``; the main process maps the arena once and wraps the
slot as the batch's array, with no copy.

Who may write a slot is one byte per slot in the arena's header: the worker takes a free slot
(0 → 1) and zeroes it; the slot is free again (1 → 0) when the last array over it dies, in the
main process once the training loop dropped the batch (or in the worker, if the batch never left
it). So a batch that the training loop keeps is never overwritten: when all its slots are taken,
a worker builds the next batches in private memory and sends their non-zeros, as before
(:func:`slot_zeros` returns ``None``, :func:`zeros` private memory).

Nothing outlives the loader: the main process removes the arena's file as soon as it mapped it,
and the worker removes it when it exits (whichever comes first); the memory goes when the last
mapping does. ``posix_fallocate`` reserves the arena's memory up front, so a full ``/dev/shm``
means private memory, not a crash on first write. Where there is no ``/dev/shm``, nothing here
is used.

Example:
    >>> batch = slot_zeros((256, 2000), np.dtype("float32"))  # in a worker  # doctest: +SKIP
    >>> place = place_of(batch)  # what is pickled  # doctest: +SKIP
    >>> attach(*place)  # in the main process: the same memory  # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import dataclasses
import math
import mmap
import os
import secrets
from typing import Any

import numpy as np

from biolake import _process
from biolake.errors import StorageError
from biolake.formats.mapped import _buffers

#: Where arenas are created (a memory file system).
ARENA_DIR = "/dev/shm"
#: Name of every arena's file, followed by the worker's pid and a random part.
PREFIX = "biolake-batches-"
#: Slots per arena, and the bytes of an arena at most.
MAX_SLOTS = 6
MAX_ARENA_BYTES = 96 * 1024 * 1024
#: Batches smaller than this are pickled (sharing them gains nothing).
MIN_BYTES = 256 * 1024
#: The header (one byte per slot) and the slots start at page boundaries.
PAGE = 4096
#: Main-process arenas kept mapped at most (a loader's workers each have one).
KEEP_ATTACHED = 64


class Arena:
    """A mapped arena of ``len(memory) - PAGE`` bytes of slots: ``flags[k]`` is 1 while slot ``k`` holds a live batch.

    Args:
        path: its file (removed once the main process mapped it).
        memory: the shared mapping.
        slot_bytes: bytes per slot (a multiple of :data:`PAGE`).
        owner: pid of the worker that made it.
    """

    def __init__(self, path: str, memory: mmap.mmap, slot_bytes: int, owner: int) -> None:
        self.path, self.memory, self.slot_bytes, self.owner = path, memory, slot_bytes, owner
        self.n_slots = (len(memory) - PAGE) // slot_bytes
        self.flags = np.frombuffer(memory, np.uint8, count=self.n_slots)
        self.base: int = self.flags.ctypes.data
        self.claims: dict[int, Claim] = {}

    def offset(self, slot: int) -> int:
        """Where slot ``slot`` begins in :attr:`memory`."""
        return PAGE + slot * self.slot_bytes


@dataclasses.dataclass
class Claim:
    """Slot ``slot`` of ``arena`` held by one array; ``sent``: the main process holds it now."""

    arena: Arena
    slot: int
    sent: bool = False


class _Slot(np.ndarray):
    """An array over one slot; when it dies, the slot is free again (unless the batch was sent on).

    Views of it (a tensor made by ``torch.from_numpy``, rows) keep it alive: its base is the
    mapping, not an array, so numpy never skips it when it sets the base of a view.
    """

    claim: Claim | None = None

    def __del__(self) -> None:
        claim = self.claim
        if claim is None or claim.sent:
            return
        try:
            claim.arena.flags[claim.slot] = 0
        except Exception:  # noqa: BLE001, S110  (interpreter shutdown: the mapping may be gone)
            pass


def zeros(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """:func:`slot_zeros`, else zeros in private memory (:func:`._buffers.zeros`)."""
    shared = slot_zeros(shape, dtype)
    return _buffers.zeros(shape, dtype) if shared is None else shared


def slot_zeros(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray | None:
    """In a DataLoader worker: a zeroed array in a free slot of this worker's arena, or ``None``
    (no slot free, a batch too small or too large to share, no ``/dev/shm``)."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < MIN_BYTES or dtype.hasobject:
        return None
    arena = _own_arena(nbytes)
    if arena is None or nbytes > arena.slot_bytes:
        return None
    free = np.flatnonzero(arena.flags == 0)
    if not len(free):
        return None
    slot = int(free[0])
    arena.flags[slot] = 1
    held = _Slot(shape, dtype, buffer=arena.memory, offset=arena.offset(slot))
    ctypes.memset(held.ctypes.data, 0, nbytes)
    held.claim = arena.claims[slot] = Claim(arena, slot)
    return held.view(np.ndarray)


Place = tuple[str, int, int, int, tuple[int, ...], str]


def place_of(array: np.ndarray) -> Place | None:
    """Where ``array`` lies when it is exactly a batch of this worker's arena, as
    :func:`attach` takes it; the slot is then the main process's to give back. Else ``None``."""
    arena: Arena | None = _process.batch_arena.get(os.getpid())
    if arena is None or not array.flags.c_contiguous:
        return None
    offset = array.ctypes.data - arena.base - PAGE
    slot, rest = divmod(offset, arena.slot_bytes)
    claim = arena.claims.get(slot)
    if rest or claim is None or claim.sent or array.nbytes > arena.slot_bytes:
        return None  # not a slot's start, not a live batch, or sent already (each slot is given back once)
    claim.sent = True
    return arena.path, arena.owner, arena.slot_bytes, slot, tuple(array.shape), array.dtype.str


def attach(path: str, owner: int, slot_bytes: int, slot: int, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """The batch in slot ``slot`` of the arena at ``path`` (in the main process): no copy; the slot
    is given back when the array returned, and every view of it, is gone.

    Raises:
        StorageError: the arena is gone (its worker ended before the batch was taken).
    """
    arena = _attached(path, owner, slot_bytes)
    held = _Slot(shape, np.dtype(dtype), buffer=arena.memory, offset=arena.offset(slot))
    held.claim = Claim(arena, slot)
    return held.view(np.ndarray)


def _own_arena(nbytes: int) -> Arena | None:
    """This worker's arena, made on first use with slots of ``nbytes`` (``None``: it cannot be made)."""
    mine = _process.batch_arena
    pid = os.getpid()
    if pid not in mine:  # first batch of this process (a forked child inherits its parent's dict)
        mine.clear()
        mine[pid] = _create(-(-nbytes // PAGE) * PAGE)
    arena: Arena | None = mine[pid]
    return arena


def _create(slot_bytes: int) -> Arena | None:
    n_slots = min(MAX_SLOTS, MAX_ARENA_BYTES // slot_bytes)
    if n_slots < 2 or not os.path.isdir(ARENA_DIR):
        return None
    size = PAGE + n_slots * slot_bytes
    path = os.path.join(ARENA_DIR, f"{PREFIX}{os.getpid()}-{secrets.token_hex(6)}")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None
    try:
        os.posix_fallocate(fd, 0, size)  # no room: fail now, not with SIGBUS on a later write
        memory = mmap.mmap(fd, size)
    except OSError:
        _remove(path)
        return None
    finally:
        os.close(fd)
    from multiprocessing import util

    util.Finalize(None, _remove, args=(path,), exitpriority=10)  # when the worker exits
    return Arena(path, memory, slot_bytes, os.getpid())


def _attached(path: str, owner: int, slot_bytes: int) -> Arena:
    """The arena at ``path``, mapped once per process; its file is removed once mapped."""
    arenas: dict[str, Arena] = _process.batch_arenas
    arena = arenas.get(path)
    if arena is not None:
        return arena
    if os.path.dirname(path) != ARENA_DIR or not os.path.basename(path).startswith(PREFIX):
        raise StorageError(f"{path!r} is not a batch arena of a DataLoader worker ({ARENA_DIR}/{PREFIX}...).", path=path)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError as error:
        raise StorageError(
            f"The batch memory {path!r} of DataLoader worker {owner} is gone: the worker ended before this batch"
            " was taken. Iterate the DataLoader again (a new iterator starts new workers).",
            path=path,
        ) from error
    try:
        memory = mmap.mmap(fd, 0)
    finally:
        os.close(fd)
    _remove(path)
    for ended in [known for known, kept in arenas.items() if not _alive(kept.owner)]:
        del arenas[ended]  # its worker ended; batches still held keep their mapping alive
    while len(arenas) >= KEEP_ATTACHED:
        del arenas[next(iter(arenas))]
    arena = arenas[path] = Arena(path, memory, slot_bytes, owner)
    return arena


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


__all__ = ["Arena", "attach", "place_of", "slot_zeros", "zeros"]
