"""Finding or creating the Transform for a piece of code: reuse if unchanged, else a new version."""

from __future__ import annotations

from typing import Any

from biolake import _logging as log
from biolake.models import Transform


def transform_for_source(
    key: str, type: str, source_code: str, source_hash: str, description: str | None = None,
    reference: tuple[str, str] | None = None,
) -> Any:
    """The transform with this key and source hash; a new version of the key's family otherwise."""
    family = list(Transform.filter(key=key).order_by("-uid"))
    same = next((t for t in family if t.hash == source_hash), None)
    if same is not None:
        return same
    latest = next((t for t in family if t.is_latest), family[0] if family else None)
    transform = Transform(
        key=key, type=type, source_code=source_code, hash=source_hash, description=description, revises=latest,
    )
    if reference is not None:
        transform.reference, transform.reference_type = reference
    transform.save()
    if latest is not None:
        log.info(f"source code of {key!r} changed: created version {transform.uid[-4:]} of Transform('{transform.stem_uid}')")
    return transform


def transform_for_pipeline(transform: Any) -> Any:
    """A user-made Transform (e.g. a pipeline with a version tag): the saved one with the same key+version, or it."""
    if not transform._state.adding:
        return transform
    existing = Transform.filter(key=transform.key, version=transform.version, type=transform.type).order_by("-uid").first()
    if existing is not None and (transform.hash is None or existing.hash == transform.hash):
        return existing
    return transform.save()
