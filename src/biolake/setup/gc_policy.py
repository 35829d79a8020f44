"""The cyclic garbage collector around Django's long-lived objects: paused while they are created.

Importing Django and defining ~100 registries creates ~60,000 container objects (classes,
fields, functions) that live as long as the process. The collector, triggered every 700
allocations, scans them again and again on the way; :func:`paused_gc` keeps it from doing so.

The interpreter's shutdown still runs its full collections over them (tens of milliseconds):
freezing what is alive at exit would skip that, but objects of the user's in reference cycles
would then never be finalized, and a buffered file among them would lose its unwritten data.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run the block without cyclic garbage collection, then age what it created in one step.

    At the end every object moves to the oldest generation without a scan (``gc.freeze()``
    then ``gc.unfreeze()``), where full collections see it as usual: nothing stays frozen,
    nothing is kept from being collected. A process that disabled the collector, or froze
    objects itself (``gc.freeze()`` before forking workers), is left as it was.
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
