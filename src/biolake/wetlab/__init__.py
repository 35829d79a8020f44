"""Wet-lab registries (Django app ``wetlab``): biosamples, donors, treatments, experiments, wells.

Enabled per instance with ``biolake init --modules wetlab`` (together with ``bio``, whose
entities the biosamples refer to). ``from biolake import wetlab as wl`` gives ``wl.Biosample``, ...
"""

from __future__ import annotations

from typing import Any

from biolake.setup.lifecycle import require_module as _require_module

REGISTRIES = ("Biosample", "Donor", "Treatment", "Experiment", "Well")

__all__ = sorted(REGISTRIES)


def __getattr__(name: str) -> Any:
    if name not in REGISTRIES:
        raise AttributeError(f"module 'biolake.wetlab' has no attribute {name!r}")
    _require_module("wetlab")  # the current instance enables this module (its activation loaded the models)
    from biolake.wetlab import models  # not at import: the models need Django, importing this package does not

    return getattr(models, name)
