"""``Artifact(..., key_is_virtual=False)``: bytes stored at ``<storage>/<key>``, not under ``.biolake/``.

The artifact is then registered like a file in place (``managed=False``): its path is its
key in the storage location, and deleting the record leaves the bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from biolake.errors import PathExistsError
from biolake.models.constants import MAIN_BRANCH
from biolake.storage import transfer

if TYPE_CHECKING:
    from biolake.models.artifact import Artifact
    from biolake.models.artifact_source import Source


def upload(artifact: Artifact, source: Source) -> Any:
    """Put the bytes at ``<storage>/<key>``; a previous version's bytes there are overwritten
    only with ``overwrite_versions`` (default: for folders); anything else there is refused."""
    destination = artifact.storage.location.join(artifact.key)
    if destination.exists():
        _check_overwrite(artifact, source, destination)
        artifact._overwrote = True  # type: ignore[attr-defined]  # never remove them on failure
    transfer.put(source.upath, destination)
    artifact.managed = False
    return destination


def _check_overwrite(artifact: Artifact, source: Source, destination: Any) -> None:
    previous = type(artifact)._plain.filter(
        storage_id=artifact.storage_id, key=artifact.key, managed=False, branch_id=MAIN_BRANCH
    ).exists()
    is_folder = getattr(source.summary, "n_files", None) is not None
    overwrite = artifact._overwrite_versions if artifact._overwrite_versions is not None else is_folder
    if not previous:
        raise PathExistsError(
            f"{str(destination)!r} exists and is not a registered artifact; register it in place with "
            f"ln.Artifact({str(destination)!r}) or choose another key."
        )
    if not overwrite:
        raise PathExistsError(
            f"{str(destination)!r} holds the previous version of {artifact.key!r}; pass overwrite_versions=True "
            "to overwrite it, or omit key_is_virtual=False to keep every version's bytes."
        )
