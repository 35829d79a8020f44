"""``ln.DB("instance")``: read any registry of another instance (LaminDB 2.x).

Each attribute is a QuerySet of that registry in the other instance, built on
``Registry.using(instance)``: ``ln.DB("other").Artifact.filter(suffix=".h5ad")``.
"""

from __future__ import annotations

from typing import Any

from biolake.models import registries
from biolake.setup import ensure_ready

# LaminDB's names of schema modules → ours
_MODULE_NAMES = {"bionty": "bio", "bio": "bio", "wetlab": "wetlab", "pertdb": "wetlab"}


class DB:
    """Query the registries of another instance (read it; ``.save()`` a record to transfer it here).

    Args:
        instance: the instance's name (of ``"owner/name"``, the part after the slash).

    Example:
        >>> db = ln.DB("other")  # doctest: +SKIP
        >>> db.Artifact.filter(suffix=".parquet").to_dataframe()  # doctest: +SKIP
        >>> db.bionty.CellType.lookup()  # doctest: +SKIP
    """

    def __init__(self, instance: str) -> None:
        self.instance = _resolve_name(instance)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in _MODULE_NAMES:
            return _ModuleNamespace(self.instance, _MODULE_NAMES[name])
        return _queryset(self.instance, name)

    def __dir__(self) -> list[str]:
        ensure_ready()
        return sorted({*(n for n in map(registries.registry_name, registries.all_registries()) if "." not in n), *_MODULE_NAMES})

    def __repr__(self) -> str:
        return f"DB({self.instance!r})"


class _ModuleNamespace:
    """``db.bionty``: the registries of one schema module in the other instance."""

    def __init__(self, instance: str, label: str) -> None:
        self.instance, self.label = instance, label

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return _queryset(self.instance, f"{self.label}.{name}")


def _queryset(instance: str, registry: str) -> Any:
    ensure_ready()
    try:
        model = registries.registry_model(registry)
    except Exception:
        raise AttributeError(f"No registry {registry!r} in biolake; e.g. db.Artifact, db.bionty.CellType") from None
    return model.using(instance)


def _resolve_name(instance: str) -> str:
    """The local name of ``instance``: LaminDB's ``owner/name`` slugs name ``name`` (biolake
    instance names have no owner part)."""
    return instance.rsplit("/", 1)[-1]
