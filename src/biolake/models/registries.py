"""Every registry by its name: ``ULabel`` for core registries, ``bio.CellType`` for a schema module's.

Feature dtypes name registries in text (``cat[bio.CellType]``), stored in the database;
this maps such a name back to its class. Each registry adds itself when its class is
defined (``RecordMeta``); a schema module's registries are here once Django has loaded
the module, which looking one up by name does (``bio.CellType`` loads ``bio``).
"""

from __future__ import annotations

from typing import Any

from biolake.errors import ValidationError
from biolake.setup import django_boot

_BY_NAME: dict[str, type[Any]] = {}


def registry_name(model: type[Any]) -> str:
    """``ULabel`` for core registries, ``bio.CellType`` for those of a schema module."""
    label = model._meta.app_label
    return str(model.__name__) if label == "biolake" else f"{label}.{model.__name__}"


def register(model: type[Any]) -> None:
    """Make ``model`` findable by :func:`registry_name`."""
    _BY_NAME[registry_name(model)] = model


def all_registries() -> list[type[Any]]:
    """Every registry defined so far, core registries first."""
    return list(_BY_NAME.values())


def registry_model(name: str) -> type[Any]:
    """The model class of a registry name (``ULabel``, ``bio.CellType``), loading its schema
    module into Django if no one has yet (a ``cat[bio.CellType]`` feature of any instance)."""
    app = name.rpartition(".")[0]
    if name not in _BY_NAME and app in django_boot.SCHEMA_MODULES:
        django_boot.load_module(app)
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValidationError(
            f"No registry {name!r}" + (f": is the schema module {app!r} enabled for this instance?" if app else ".")
        ) from None
