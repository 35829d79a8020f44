"""Reference markers: which other instances registered bytes that live in a storage location.

A zero-copy transfer (``ln.Artifact.using("data").get(...).save()``) registers bytes that
stay in the owning instance's storage. So that the owner does not delete them for good
while another instance still uses them, the transfer leaves a small marker next to them::

    <root>/.biolake/_references/<artifact uid>/<instance name>.json

Markers are written when the location is writable (else the transfer warns and goes on).
No Django here: the registries decide what a marker means for a delete.

Example:
    >>> from biolake.storage.location import Location
    >>> lake = Location("memory://refs-doc")
    >>> add_reference(lake, "3mAxR5zVnDyq0000", "lab-b")
    True
    >>> list_references(lake, "3mAxR5zVnDyq0000")
    ['lab-b']
"""

from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING

from biolake import _logging as log
from biolake.storage.keys import RESERVED_PREFIX

if TYPE_CHECKING:
    from upath import UPath

    from biolake.storage.location import Location

__all__ = ["REFERENCES_DIR", "add_reference", "list_references", "remove_reference", "remove_references"]

REFERENCES_DIR = "_references"
"""The folder under ``<root>/.biolake/`` that holds the markers (never a managed file name)."""

_SUFFIX = ".json"


def _folder(location: Location, uid: str) -> UPath:
    return location.join(f"{RESERVED_PREFIX}/{REFERENCES_DIR}/{uid}")


def add_reference(location: Location, uid: str, instance: str) -> bool:
    """Record that ``instance`` registered the bytes of artifact ``uid`` in ``location``.

    Returns False (with a warning) when the location cannot be written.
    """
    marker = _folder(location, uid) / f"{instance}{_SUFFIX}"
    body = {"instance": instance, "artifact": uid, "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat()}
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps(body))
    except (OSError, PermissionError) as error:
        log.warning(
            f"could not record that instance {instance!r} uses the bytes of artifact {uid} in {location.root} "
            f"({type(error).__name__}); a permanent delete in the owning instance will not know about it"
        )
        return False
    return True


def list_references(location: Location, uid: str) -> list[str]:
    """The names of the instances that recorded a reference to artifact ``uid``'s bytes."""
    folder = _folder(location, uid)
    try:
        names = [str(path.name) for path in folder.iterdir()]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(name[: -len(_SUFFIX)] for name in names if name.endswith(_SUFFIX))


def remove_reference(location: Location, uid: str, instance: str) -> None:
    """Forget that ``instance`` uses artifact ``uid``'s bytes (nothing if it was not recorded)."""
    marker = _folder(location, uid) / f"{instance}{_SUFFIX}"
    try:
        marker.unlink()
    except FileNotFoundError:
        return
    if not list_references(location, uid):
        remove_references(location, uid)


def remove_references(location: Location, uid: str) -> None:
    """Remove every marker of artifact ``uid`` (after its bytes were deleted)."""
    folder = _folder(location, uid)
    try:
        for path in list(folder.iterdir()):
            path.unlink()
        folder.rmdir()
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError:  # an object store has no folders to remove; a folder a marker was added to meanwhile
        return
