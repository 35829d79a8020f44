"""Bytes shared between instances by zero-copy transfer: who owns them, who may delete them.

The instance that saved an artifact owns its bytes. An instance that registered them by a
zero-copy transfer leaves a reference marker next to them (:mod:`biolake.storage.references`).
A permanent delete then does what is safe:

- in a referring instance: the record goes, the instance's marker goes, the bytes stay;
- in the owning instance: refused with :class:`~biolake.errors.BytesInUseError` (naming the
  referring instances) while markers exist, unless ``force=True``; the bytes and the markers
  go with the record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from biolake.errors import BytesInUseError
from biolake.models import artifact_access
from biolake.setup import ensure_ready
from biolake.storage import references

if TYPE_CHECKING:
    from biolake.models.artifact import Artifact

__all__ = ["TRANSFER_TRANSFORM_PREFIX", "after_transfer", "permanent_delete_action"]

TRANSFER_TRANSFORM_PREFIX = "transfer from "
"""Key prefix of the transform whose runs made zero-copy transfers (``transfer from <instance>``)."""


def after_transfer(artifact: Artifact) -> None:
    """Leave this instance's reference marker next to the bytes of a transferred artifact."""
    if artifact.managed:
        references.add_reference(artifact.storage.location, artifact.uid, ensure_ready().name)


def _was_transferred(artifact: Artifact) -> bool:
    run = artifact.run
    return run is not None and run.transform.type == "upload" and run.transform.key.startswith(TRANSFER_TRANSFORM_PREFIX)


def permanent_delete_action(artifact: Artifact, force: bool = False) -> Callable[[Artifact], None]:
    """What to do with the bytes once ``artifact``'s record is deleted for good.

    Raises:
        BytesInUseError: this instance owns the bytes and other instances still use them
            (``force=True`` deletes them anyway).
    """
    if not artifact.managed:
        return artifact_access.remove_managed_bytes  # a no-op: bytes registered in place stay
    location = artifact.storage.location
    here = ensure_ready().name
    referring = references.list_references(location, artifact.uid)
    others = [name for name in referring if name != here]
    if here in referring or _was_transferred(artifact):
        return lambda a: references.remove_reference(location, a.uid, here)
    if others and not force:
        raise BytesInUseError(
            f"Cannot delete the bytes of Artifact {artifact.uid} for good: instance(s) {', '.join(others)} "
            f"registered them by zero-copy transfer and would lose them. Delete the artifact there first, "
            f"or pass force=True to delete them anyway.",
            instances=others,
        )

    def remove_all(a: Artifact) -> None:
        artifact_access.remove_managed_bytes(a)
        references.remove_references(location, a.uid)

    return remove_all
