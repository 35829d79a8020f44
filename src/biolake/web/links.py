"""The page of a record: one place that maps a record (or a lineage node) to its URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

_PAGES = {"Artifact": "artifacts", "Collection": "collections", "Transform": "transforms", "Run": "runs"}


def registry_path(model: Any) -> str:
    """``ULabel``, ``bio.CellType``: the registry's name as used in URLs."""
    from biolake.models.registries import registry_name

    return str(registry_name(model))


def record_url(record: Any) -> str:
    """``/artifacts/<uid>/``, ``/runs/<uid>/``, ``/registries/bio.CellType/<uid>/``, ..."""
    name = type(record).__name__
    if type(record)._meta.app_label == "biolake" and name in _PAGES:
        return f"/{_PAGES[name]}/{quote(record.uid)}/"
    key = getattr(record, "uid", None) or record.pk
    return f"/registries/{quote(registry_path(type(record)))}/{quote(str(key))}/"


def node_url(node_type: str, uid: str) -> str:
    """The page of a lineage node (``artifact``, ``collection``, ``run``, ``transform``)."""
    return f"/{node_type}s/{quote(uid)}/"
