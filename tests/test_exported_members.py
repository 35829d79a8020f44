"""The public surface: ``biolake.__all__`` lists exactly the public names, and each resolves."""

from __future__ import annotations

import biolake


def test_all_matches_lazy_names():
    public = {name for name in dir(biolake) if not name.startswith("_")}
    assert set(biolake.__all__) <= public
    assert set(biolake.__all__) == set(biolake._LAZY)


def test_every_exported_name_resolves(instance):
    biolake.connect(instance.name)
    for name in biolake.__all__:
        assert getattr(biolake, name) is not None
