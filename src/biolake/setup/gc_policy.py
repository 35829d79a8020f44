"""The cyclic garbage collector around Django's long-lived objects: paused while they are
created, not run over them again at exit.

Importing Django and defining ~100 registries creates ~60,000 container objects (classes,
fields, functions) that live as long as the process. The collector, triggered every 700
allocations, scans them again and again on the way (:func:`paused_gc` keeps it from doing
so), and the interpreter's shutdown runs four full collections over all of them, which
costs more than the first query itself (:func:`collect_once_at_exit`).
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from biolake import _process

__all__ = ["collect_once_at_exit", "paused_gc"]


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


def collect_once_at_exit(before: Callable[[], None]) -> None:
    """At interpreter exit: run ``before`` (e.g. close database connections), collect all
    garbage once, then freeze what is still alive, so the shutdown's collections skip it.

    Everything unreachable at exit is collected and finalized as usual (while modules are
    still intact); objects still reachable then are left to the operating system, as Python
    allows ("It is not guaranteed that __del__() methods are called for objects that still
    exist when the interpreter exits"). Registered once per process, before any exit hook
    of biolake's that needs the database (those registered later run earlier).
    """
    if not _process.gc_exit_hooks:
        atexit.register(_at_exit)
    if before not in _process.gc_exit_hooks:
        _process.gc_exit_hooks.append(before)


def _at_exit() -> None:
    for hook in _process.gc_exit_hooks:
        try:
            hook()
        except Exception:  # noqa: BLE001 - exiting anyway; the collection below still runs
            pass
    gc.collect()
    gc.freeze()
