"""Saving an artifact all or nothing: bytes to their final place, then the record in one transaction.

If the upload fails nothing is recorded; if the commit fails the uploaded bytes are removed.
Whatever fails, the temporary file an in-memory object was written to is removed, and the
artifact can be saved again. ``BIOLAKE_FAULT=<phase>`` kills the process at a phase (see
:mod:`biolake._faults`), for crash tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, connection, transaction

from biolake import _faults, _process
from biolake import _logging as log
from biolake.errors import BiolakeError, InvalidArgument
from biolake.models import artifact_source, compiled_sql, obs_index, real_key, run_project, versioning
from biolake.models.base import _constraint_error as constraint_error
from biolake.models.instance_transfer import transfer_artifact
from biolake.models.storage import default_storage, storage_for_root
from biolake.models.uids import encode_version
from biolake.storage import paths, transfer

if TYPE_CHECKING:
    from upath import UPath

    from biolake.models.artifact import Artifact

_ATTEMPTS = 5


def save(artifact: Artifact, model_save: Callable[..., Any], *args: Any, **kwargs: Any) -> Artifact:
    """Save ``artifact``; ``model_save`` is the plain record save.

    If the save fails before the record is committed, the temporary file of an in-memory
    object is removed and the artifact is left as it was made (``save()`` may be retried).
    """
    pending = artifact._pending
    try:
        return _save(artifact, model_save, *args, **kwargs)
    except BaseException:
        if artifact._state.adding:
            _forget_source(artifact, pending)
        raise


def _forget_source(artifact: Artifact, pending: artifact_source.Pending | None) -> None:
    source, artifact._source = artifact._source, None
    if source is not None:
        source.discard()
    if pending is not None:
        artifact._pending = pending


def _check_has_data(artifact: Artifact) -> None:
    """A new artifact needs bytes: made from data, or a storage record and a key of registered bytes."""
    if artifact.storage_id is None:
        raise InvalidArgument(
            "This artifact has no data to save: pass a path or an object, e.g. "
            "ln.Artifact('./data.csv', key='data.csv') or ln.Artifact.from_df(df, key='x.parquet')."
        )


def _save(artifact: Artifact, model_save: Callable[..., Any], *args: Any, **kwargs: Any) -> Artifact:
    if artifact._state.adding and artifact._pending is not None and artifact_source.resolve(artifact) is not None:
        return artifact  # the same bytes are registered: the artifact became that record
    source = artifact._source
    if not artifact._state.adding and artifact._state.db not in (None, "default"):
        return transfer_artifact(artifact)  # read from another instance
    if not artifact._state.adding or source is None:
        if artifact._state.adding:
            _check_has_data(artifact)
        model_save(*args, **kwargs)
        return artifact
    if source.in_place_root:
        artifact.storage = storage_for_root(source.in_place_root, getattr(source.upath, "storage_options", None))
    else:
        artifact.storage = artifact._target_storage or default_storage()
    family_lookup = {"key": artifact.key, "storage_id": artifact.storage_id} if artifact.key else None
    if not artifact.uid:
        artifact.uid = _provisional_uid(artifact)
    _faults.point("before-upload")
    started = None
    if artifact._real_key and source.managed and artifact.key:
        stored = real_key.upload(artifact, source)  # bytes at <storage>/<key>, registered in place
    elif source.managed:
        stored, started = _upload(artifact, source)
    else:
        stored = None
    if started is None:
        _faults.point("after-upload")
    duplicate = _commit(artifact, family_lookup, Stored(stored, started), model_save, *args, **kwargs)
    _faults.point("after-commit")
    source.discard()
    if duplicate is not None:  # the same bytes were saved by another process meanwhile
        log.info(f"returning the artifact saved meanwhile with the same hash: uid {duplicate.uid!r}")
        artifact._become(duplicate)
        artifact._source = None
        return artifact
    artifact._source = None
    _report(artifact)
    _write_obs_index(artifact)
    return artifact


def _provisional_uid(artifact: Artifact) -> str:
    """A fresh, unique uid to upload under before the transaction.

    It is final for a new family. A new version gets its uid inside the transaction
    (with the family locked) and its bytes are renamed there: uploading under a guessed
    version uid could collide with a concurrent writer of the same family.
    """
    return versioning.new_stem(artifact) + encode_version(0)


def managed_path(artifact: Artifact) -> UPath:
    """Where a managed artifact's bytes live: ``<storage>/.biolake/<uid><suffix>``."""
    return artifact.storage.location.join(paths.managed_key(artifact.uid, artifact.suffix))


def _upload(artifact: Artifact, source: artifact_source.Source) -> tuple[UPath, transfer.StartedPut | None]:
    """Bytes to their managed path: moved, uploaded, or (a small file to S3) on their way.

    An upload on its way (:func:`biolake.storage.transfer.start_put`) is returned with the
    path: the record's database work overlaps it, and the commit waits for it. The request
    is sent before anything else is done (the path is built while it travels).
    """
    location = artifact.storage.location
    key = paths.managed_key(artifact.uid, artifact.suffix)
    started = None
    if paths.is_remote(location.root):
        fs, remote = location.fs_path(key)
        started = transfer.start_put(source.upath, fs, remote, source.body)
    destination = location.join(key)
    if started is not None:
        return destination, started
    if source.is_temp and not paths.is_remote(destination):
        transfer.move(source.upath, destination)
        source.is_temp = False
        return destination, None
    transfer.put(source.upath, destination, fresh=True)  # a fresh uid: nothing is there
    return destination, None


class Stored:
    """Where a new artifact's bytes are (``path``, ``None`` if nothing was stored) and, while they
    are still on their way, the upload (``started``) the commit waits for."""

    def __init__(self, path: Any, started: transfer.StartedPut | None = None) -> None:
        self.path, self.started = path, started

    def arrived(self) -> None:
        """Wait until the bytes are in place (raises :class:`~biolake.errors.UploadError` if they never arrive)."""
        if self.started is not None:
            self.started.wait()
            _faults.point("after-upload")

    def remove(self) -> None:
        """Remove the bytes (after their upload ended, if one is on its way)."""
        if self.started is not None:
            self.started.cancel()
        elif self.path is not None:
            transfer.remove(self.path)


def _commit(artifact: Artifact, family_lookup: dict[str, Any] | None, stored: Stored, model_save: Callable[..., Any], *args: Any, **kwargs: Any) -> Artifact | None:
    """Commit the record (retrying version races); if that fails, remove the bytes wherever they are by now.

    Bytes still on their way (``stored.started``) are waited for inside the transaction on
    PostgreSQL, after the record's insert and before the commit (the database work overlaps
    the upload), and before the transaction on SQLite (:func:`_overlaps_upload`, :func:`_ahead`);
    either way the record is committed only once its bytes are verified in place.

    Returns the artifact another process committed with the same hash meanwhile (then this
    one is not recorded and its bytes are removed), else ``None``.
    """
    try:
        ahead = _ahead(artifact, family_lookup, stored, with_options=bool(args or kwargs))
        for attempt in range(_ATTEMPTS):
            try:
                with transaction.atomic():
                    names, queries = _lookups(artifact, family_lookup)
                    found = versioning.locked_lookup(names, queries, ahead.lookup)
                    same = [] if artifact._skip_hash_lookup else found[0]
                    if same:
                        duplicate = type(artifact)._plain.get(pk=same[0][0])
                        stored.remove()
                        return duplicate
                    latest = found[1] if len(found) > 1 else None
                    provisional = artifact.uid
                    previous = versioning.assign(artifact, artifact._revises, family_lookup, latest)
                    if stored.path is not None and artifact.managed and artifact.uid != provisional:
                        stored.arrived()
                        moved = managed_path(artifact)
                        transfer.move(stored.path, moved)
                        stored = Stored(moved)  # renamed to the version's uid
                    _insert(artifact, model_save, *args, prepared=ahead.insert, **kwargs)
                    stored.arrived()
                artifact._previous_version = previous
                return None
            except IntegrityError:
                if attempt == _ATTEMPTS - 1:
                    raise
        return None
    except BaseException:
        if not getattr(artifact, "_overwrote", False):
            stored.remove()
        raise


def _lookups(artifact: Artifact, family_lookup: dict[str, Any] | None) -> tuple[list[str], list[Any]]:
    """The locks and queries of the commit: records with this content hash, the family's latest."""
    model = type(artifact)
    names = [f"hash:{artifact.hash}"]
    queries = [artifact_source.hash_statement(model, artifact.hash, ("pk",), 1)]
    if family_lookup:
        names.append(versioning.family_lock(model, family_lookup))
        queries.append(versioning.family_statement(model, family_lookup))
    return names, queries


class Ahead:
    """What the commit's transaction can take from work done while the bytes travelled: its
    lookups' rows (used if no other writer committed since) and its INSERT (used if the
    record's values did not change since)."""

    def __init__(self, lookup: versioning.ReadAhead | None = None, insert: compiled_sql.PreparedInsert | None = None) -> None:
        self.lookup, self.insert = lookup, insert


def _ahead(artifact: Artifact, family_lookup: dict[str, Any] | None, stored: Stored, with_options: bool) -> Ahead:
    """On SQLite, wait for bytes on their way before the transaction (:func:`_overlaps_upload`),
    and meanwhile read the transaction's lookups and prepare its INSERT, so that the database's
    write lock is held only for the INSERT and the commit."""
    if _overlaps_upload():
        return Ahead()
    if stored.started is None:
        stored.arrived()
        return Ahead()
    ahead = Ahead(versioning.read_ahead(_lookups(artifact, family_lookup)[1]))
    if not with_options:
        try:
            ahead.insert = compiled_sql.prepare_insert(artifact)
        except (BiolakeError, DataError, DjangoValidationError, ValueError, TypeError):
            pass  # values that do not convert: the transaction's INSERT names them (see _insert)
    stored.arrived()
    return ahead


def _overlaps_upload() -> bool:
    """Whether the transaction may wait for bytes on their way: not on SQLite, where it holds the
    database's one write lock (other writers would wait for this upload); on PostgreSQL the
    locks are per content hash and version family."""
    return connection.vendor != "sqlite"


def _insert(artifact: Artifact, model_save: Callable[..., Any], *args: Any, prepared: compiled_sql.PreparedInsert | None = None, **kwargs: Any) -> None:
    """The record's INSERT: through the cached statement (:func:`compiled_sql.insert`; the one
    ``prepared`` while the bytes travelled, if the record did not change since) when the save
    has no options, else (or where that does not apply) the plain record save."""
    if args or kwargs:
        model_save(*args, **kwargs)
        return
    try:
        inserted = compiled_sql.insert(artifact, prepared)
    except BiolakeError:
        raise
    except (IntegrityError, DataError, DjangoValidationError, ValueError, TypeError) as error:
        raise constraint_error(artifact, error) from error  # as Record.save() names it
    if not inserted:
        model_save()
    elif _process.run_project.get() is not None:
        run_project.label([artifact])


def _write_obs_index(artifact: Artifact) -> None:
    """Write the obs sidecar of a new AnnData/MuData artifact; a failure leaves it to be built later."""
    if not obs_index.indexable(artifact):
        return
    try:
        obs_index.write(artifact, artifact._memory)
    except Exception as error:  # the artifact is saved; its index can be built on demand
        log.warning(f"no obs index written for artifact {artifact.uid} ({error}); `biolake index build` writes it")


def _report(artifact: Artifact) -> None:
    previous = getattr(artifact, "_previous_version", None)
    if previous is not None:
        log.info(f"created version {artifact.uid[-4:]} of {artifact.key or artifact.stem_uid!r} (revises {previous.uid})")
