"""Stand-ins for modules Django imports eagerly, and the collector paused around Django's set-up."""

from __future__ import annotations

import gc
import sys
import types
import weakref

from biolake.setup import lazy_modules
from biolake.setup.gc_policy import paused_gc


def test_a_stand_in_imports_the_module_on_first_attribute_and_forwards_to_it() -> None:
    parent = types.ModuleType("fake_parent")
    sys.modules["fake_parent"] = parent
    try:
        assert lazy_modules.defer(("fake_parent.json_like",)) == ["fake_parent.json_like"]
        stand_in = parent.json_like  # type: ignore[attr-defined]
        assert isinstance(stand_in, lazy_modules.Deferred)
        assert lazy_modules.defer(("fake_parent.json_like",)) == []  # once
    finally:
        del sys.modules["fake_parent"]
    # a stand-in for a module that exists imports it through the import system
    json_stand_in = lazy_modules.Deferred("json")
    assert json_stand_in.dumps([1]) == "[1]"
    assert json_stand_in.resolve() is sys.modules["json"]
    assert "dumps" in dir(json_stand_in)


def test_defer_leaves_imported_modules_alone() -> None:
    import django.forms  # noqa: F401  (imported: nothing to defer)

    assert lazy_modules.defer(("django.forms",)) == []
    assert not isinstance(sys.modules["django"].forms, lazy_modules.Deferred)


def test_standing_in_lasts_for_the_block_only() -> None:
    sys.modules.pop("wave", None)
    with lazy_modules.standing_in(("wave", "no_such_module_at_all")):
        import wave

        assert isinstance(wave, lazy_modules.Deferred)
        assert "no_such_module_at_all" not in sys.modules  # not installed: no stand-in
    assert "wave" not in sys.modules  # the stand-in is gone with the block
    assert wave.Wave_read is sys.modules["wave"].Wave_read  # first use: an ordinary import


def test_a_stand_in_used_inside_its_block_gives_way_to_the_module() -> None:
    sys.modules.pop("colorsys", None)
    with lazy_modules.standing_in(("colorsys",)):
        import colorsys

        assert isinstance(colorsys, lazy_modules.Deferred)
        assert colorsys.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
        assert not isinstance(sys.modules["colorsys"], lazy_modules.Deferred)


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_paused_gc_collects_nothing_inside_and_leaves_everything_collectable() -> None:
    assert gc.isenabled()
    collections_before = sum(s["collections"] for s in gc.get_stats())
    with paused_gc():
        assert not gc.isenabled()
        garbage = _Cycle()
        ref = weakref.ref(garbage)
        del garbage
        for _ in range(5000):
            _Cycle()
        assert sum(s["collections"] for s in gc.get_stats()) == collections_before
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert ref() is not None  # aged into the oldest generation, not collected yet ...
    gc.collect()
    assert ref() is None  # ... and collected by a full collection


def test_paused_gc_leaves_a_process_that_manages_the_collector_alone() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    kept = _Cycle()
    gc.freeze()
    try:
        with paused_gc():
            assert gc.isenabled()  # the process froze objects itself: not touched
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        del kept
