"""Finding or creating the Transform for a piece of code: reuse if unchanged, else a new version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from biolake import _logging as log
from biolake.lineage import source
from biolake.lineage.rscript import R_NOTEBOOK_SUFFIXES
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


def transform_for_file(path: Path) -> Any:
    """The transform of a script or notebook file (secrets redacted from the stored source)."""
    text = path.read_text(encoding="utf-8")
    stored = source.redact_secrets(text)
    return transform_for_source(
        key=source.transform_key(path),
        type="notebook" if path.suffix.lower() in (".ipynb", *R_NOTEBOOK_SUFFIXES) else "script",
        source_code=stored,
        source_hash=source.source_hash(path, stored),
        description=source.description_of(path, text),
        reference=source.git_reference(path),
    )
