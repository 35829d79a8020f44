"""No garbage collection while Django and the registries are imported: they only add objects.

Importing Django and defining ~100 registries creates ~50,000 container objects that live as
long as the process; the cyclic garbage collector, triggered every 700 allocations, scans
them again and again on the way (about a tenth of a fresh process's first query). Inside
:func:`paused_gc` no collection runs; at its end every object is moved to the oldest
generation without a scan (``gc.freeze()`` + ``gc.unfreeze()``), where a later full collection
sees them as usual: nothing is frozen for good, nothing is kept from being collected.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run the block without cyclic garbage collection, then age what it created in one step.

    A process that disabled the collector, or froze objects itself (``gc.freeze()`` before
    forking workers), is left exactly as it was.
    """
    if not gc.isenabled() or gc.get_freeze_count():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # all generations -> the permanent one (no scan) ...
        gc.unfreeze()  # ... -> the oldest generation: collectable again, by full collections
        gc.enable()
