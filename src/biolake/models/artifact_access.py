"""Reading an artifact back: path, cache, load, open; input tracking inside a run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from biolake import _process, formats
from biolake.errors import CorruptBytesError, StorageError, ValidationError
from biolake.models import integrity
from biolake.setup.settings import settings
from biolake.storage import cache as storage_cache
from biolake.storage import paths, transfer
from biolake.storage.keys import RESERVED_PREFIX

_UID_LENGTH = 20  # of artifact uids: managed keys are .biolake/<uid><suffix>

if TYPE_CHECKING:
    from upath import UPath

    from biolake.models.artifact import Artifact


def path(artifact: Artifact) -> UPath | None:
    """The UPath of the artifact's bytes in its storage location."""
    if artifact._state.adding and artifact._source is not None:
        return artifact._source.upath
    if artifact._state.adding and artifact._pending is not None:
        return None if artifact._memory is not None else paths.create_path(artifact._pending.data)
    storage = artifact.storage
    key = paths.managed_key(artifact.uid, artifact.suffix) if artifact.managed else artifact.key
    return storage.location.join(key)


def stored_path(artifact: Artifact) -> UPath:
    """:func:`path`, for an artifact whose bytes exist somewhere (saved, or made from a path)."""
    upath = path(artifact)
    if upath is None:
        raise ValidationError(
            f"The artifact (key {artifact.key!r}) was made from an in-memory object and is not saved: "
            "its bytes exist only after .save()."
        )
    return upath


def _local(artifact: Artifact) -> Path:
    """A local path to the bytes; for a saved artifact whose bytes are gone, a MissingBytesError."""
    upath = stored_path(artifact)
    saved = not artifact._state.adding
    if paths.is_remote(upath):
        try:
            return storage_cache.cached(upath, settings.cache_dir)
        except StorageError:
            if saved and not _exists(upath):
                raise integrity.missing_bytes(artifact, upath) from None
            raise
    local = Path(upath.path)
    if saved and not local.exists():
        raise integrity.missing_bytes(artifact, upath)
    return local


def _exists(upath: UPath) -> bool:
    try:
        return bool(upath.exists())
    except Exception:  # noqa: BLE001 - unreachable: not known to be missing
        return True


def cache(artifact: Artifact) -> Path:
    """A local path to the bytes; remote bytes are downloaded once into ``ln.settings.cache_dir``."""
    local = _local(artifact)
    track_input(artifact)
    return local


def load_untracked(artifact: Artifact, **kwargs: Any) -> Any:
    """The artifact's content as an in-memory object (or its local path for plain files)."""
    if artifact._memory is not None and not kwargs:
        return artifact._memory
    local = _local(artifact)
    if artifact._state.adding:
        return formats.load(local, artifact.suffix, **kwargs)
    integrity.check_local(artifact, local)  # the size; the hash of small files
    return _read_checked(artifact, local, formats.load, kwargs)


def _read_checked(artifact: Artifact, local: Any, read: Any, kwargs: dict[str, Any]) -> Any:
    """``read(local, suffix, **kwargs)``; a failure is explained by damaged bytes when they are."""
    try:
        return read(local, artifact.suffix, **kwargs)
    except Exception as error:
        integrity.check_local(artifact, local, full=True)  # damaged bytes explain the failure?
        if kwargs or type(error).__module__.startswith("biolake"):
            raise  # the bytes are intact: the arguments (or biolake) are the problem
        raise CorruptBytesError(
            f"Cannot read artifact {artifact.uid} at {local} as {artifact.suffix or 'a file'} "
            f"({type(error).__name__}: {' '.join(str(error).split())[:200]}); the bytes match the recorded "
            "hash, so they were saved unreadable: read them with another tool via artifact.cache().",
            path=str(local), uid=artifact.uid, expected=artifact.hash, actual=artifact.hash,
        ) from error


def load(artifact: Artifact, **kwargs: Any) -> Any:
    """:func:`load_untracked`, and link the artifact as an input of the tracked run."""
    obj = load_untracked(artifact, **kwargs)
    track_input(artifact)
    return obj


def open_untracked(artifact: Artifact, **kwargs: Any) -> Any:
    """Backed access without loading everything into memory."""
    upath = stored_path(artifact)
    target = upath if (paths.is_remote(upath) and artifact.suffix == ".parquet") else _local(artifact)
    if artifact._state.adding or target is upath:
        return formats.open(target, artifact.suffix, **kwargs)
    return _read_checked(artifact, target, formats.open, kwargs)


def open(artifact: Artifact, **kwargs: Any) -> Any:  # noqa: A001 (mirrors the public method name)
    """:func:`open_untracked`, and link the artifact as an input of the tracked run."""
    obj = open_untracked(artifact, **kwargs)
    track_input(artifact)
    return obj


def track_input(artifact: Artifact) -> None:
    """Link a saved artifact as an input of the tracked run, unless that run created it."""
    run = _process.run.get()
    if run is None or artifact._state.adding or artifact.run_id == run.pk:
        return
    run.input_artifacts.add(artifact)


def remove_managed_bytes(artifact: Artifact) -> None:
    """Remove the bytes of a managed artifact (never bytes registered in place)."""
    if artifact.managed:
        transfer.remove(stored_path(artifact))


def lookup_by_path(path: Any) -> dict[str, Any]:
    """Query lookups that find the artifact whose bytes are at ``path`` (``Artifact.get(path=...)``)."""
    from biolake.models.storage import registered_roots  # storage registry: loaded with the models

    text = str(path)
    root = paths.find_root(text, registered_roots())
    if root is None:
        raise ValidationError(f"{text!r} is not inside a registered storage location (see ln.Storage.to_dataframe()).")
    key = paths.relative_key(text, root)
    head, _, name = key.partition("/")
    if head == RESERVED_PREFIX and "/" not in name:
        return {"uid": name[:_UID_LENGTH], "storage__root": root}
    return {"key": key, "storage__root": root, "managed": False}
