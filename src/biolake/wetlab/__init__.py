"""Wet-lab registries (Django app ``wetlab``): biosamples, donors, treatments, experiments, wells.

Enabled per instance with ``biolake init --modules wetlab`` (together with ``bio``, whose
entities the biosamples refer to). ``from biolake import wetlab as wl`` gives ``wl.Biosample``, ...
"""

from __future__ import annotations

from typing import Any

REGISTRIES = ("Biosample", "Donor", "Treatment", "Experiment", "Well")

__all__ = sorted(REGISTRIES)


def __getattr__(name: str) -> Any:
    if name not in REGISTRIES:
        raise AttributeError(f"module 'biolake.wetlab' has no attribute {name!r}")
    from biolake.errors import InstanceSetupError
    from biolake.setup import ensure_ready

    instance = ensure_ready()
    if "wetlab" not in instance.modules:
        raise InstanceSetupError(
            f"The wetlab module is not enabled for instance {instance.name!r}: create one with "
            "`biolake init --storage ... --modules bio,wetlab`."
        )
    import biolake.models  # noqa: F401 (sets up Django, which imports biolake.wetlab.models)
    from biolake.wetlab import models

    return getattr(models, name)
