"""Where a new artifact's bytes come from: an in-memory object, a local path, or a path in place.

The constructor only records what the user passed (a :class:`Pending`: no I/O, no
query). ``save()`` calls :func:`resolve`, which turns it into a :class:`Source` (bytes
written and hashed, storage location found) and finds an existing artifact with the same
content, which the new one then becomes.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any


from biolake import _faults, formats
from biolake import _logging as log
from biolake.errors import ArgumentTypeError, BiolakeError, ConflictingKeyError, InvalidArgument, InvalidKeyError, PathNotFoundError
from biolake.models import compiled_sql
from biolake.models.constants import RUN_ARTIFACT_KIND
from biolake.models.storage import options_for, registered_roots
from biolake.models.current import visible_branch_ids
from biolake.setup.settings import settings
from biolake.storage import hashing, keys, paths, tempfiles, transfer
from biolake.storage.cache import SAVING_DIR

if TYPE_CHECKING:
    from biolake.models.artifact import Artifact


@dataclasses.dataclass
class Source:
    """The bytes of a new artifact and where they will live."""

    upath: Any  # where the bytes are now (UPath)
    key: str | None
    suffix: str
    summary: Any  # hashing.FileSummary | hashing.DirSummary
    otype: str | None = None
    n_observations: int | None = None
    memory: Any = None  # the in-memory object the bytes were written from
    is_temp: bool = False  # bytes live in a temporary file we own
    in_place_root: str | None = None  # storage root when registered in place (no copy)
    body: bytes | None = None  # a small local file's bytes, read once: what was hashed is what is uploaded

    @property
    def managed(self) -> bool:
        """Whether the bytes will be copied under ``<storage>/.biolake/``."""
        return self.in_place_root is None

    def discard(self) -> None:
        """Drop the bytes read, and remove the temporary file, if this source owns one."""
        self.body = None
        if self.is_temp:
            transfer.remove(self.upath)
            self.is_temp = False


@dataclasses.dataclass
class Pending:
    """What an unsaved artifact was made from, checked but not read: no I/O, no query."""

    data: Any
    key: str | None
    format: str | None
    suffix: str
    otype: str | None = None
    n_observations: int | None = None
    is_object: bool = False  # an in-memory object (DataFrame, AnnData, ...), not a path

    @property
    def memory(self) -> Any:
        """The in-memory object, when the artifact was made from one."""
        return self.data if self.is_object else None

    @classmethod
    def of(cls, data: Any, key: str | None, format: str | None = None) -> Pending:
        """Check ``data`` and ``key`` (type, key syntax, suffix; that a local path exists: one
        stat) without reading anything; remote paths are checked by ``save()``."""
        if key is not None:
            keys.validate_key(key)
        otype = formats.infer_otype(data)
        if otype is not None:
            suffix = formats.default_suffix(otype, format or _format_from_key(key))
            _check_key_suffix(key, suffix)
            return cls(data, key, format, suffix, otype, formats.n_observations(data), is_object=True)
        if isinstance(data, (str, os.PathLike)) or hasattr(data, "protocol"):
            _check_path_text(data)
            if paths.is_local(data) and not paths.exists_locally(data):
                raise PathNotFoundError(f"No file or folder at {str(data)!r}.", path=str(data))
            suffix = paths.extract_suffix(str(data).rstrip("/"))
            return cls(data, key, format, suffix, formats.otype_from_suffix(suffix))
        raise ArgumentTypeError(
            f"Cannot make an artifact from {type(data).__name__}: pass a path, a pandas DataFrame, "
            "an AnnData or a MuData object."
        )

    def initial_fields(self, description: str | None, kind: str | None, version: str | None) -> dict[str, Any]:
        """Field values known before the bytes are read."""
        return {
            "key": self.key,
            "description": description,
            "kind": kind,
            "version": version,
            "suffix": self.suffix,
            "otype": self.otype,
            "n_observations": self.n_observations,
        }


def resolve(artifact: Artifact) -> Artifact | None:
    """Read the bytes of an unsaved artifact's :class:`Pending` (write, hash, locate).

    Returns an existing, non-trashed artifact with the same content if there is one (the
    new artifact then becomes it, and nothing is stored), else ``None`` with the
    artifact's fields filled and its :class:`Source` set.
    """
    pending = artifact._pending
    assert pending is not None  # called only for an unsaved artifact made from data
    source = prepare(pending.data, key=pending.key, format=pending.format)
    try:
        existing = None if artifact._skip_hash_lookup else find_duplicate(type(artifact), source)
    except BaseException:
        source.discard()
        raise
    artifact._pending = None
    if existing is not None:
        become(artifact, existing, source)
        artifact._returned_existing = True
        return existing
    fields = initial_fields(source, artifact.description, artifact.kind, artifact.version)
    for name, value in fields.items():
        setattr(artifact, name, value)
    artifact._source = source
    return None


def prepare(data: Any, key: str | None, format: str | None = None) -> Source:
    """Describe the bytes of ``data`` (object or path) and where they will be stored."""
    if key is not None:
        keys.validate_key(key)
    otype = formats.infer_otype(data)
    if otype is not None:
        return _from_object(data, otype, key, format)
    if isinstance(data, (str, os.PathLike)) or hasattr(data, "protocol"):
        return _from_path(data, key)
    raise ArgumentTypeError(
        f"Cannot make an artifact from {type(data).__name__}: pass a path, a pandas DataFrame, "
        "an AnnData or a MuData object."
    )


def _check_key_suffix(key: str | None, suffix: str) -> None:
    if key is not None and paths.extract_suffix(key) != suffix:
        raise InvalidKeyError(
            f"The key {key!r} does not end in {suffix!r}, the suffix of the data's format; "
            f"use a key like {key.rsplit('.', 1)[0] if '.' in key.rsplit('/', 1)[-1] else key}{suffix!r}.",
            key=key,
        )


def _from_object(data: Any, otype: str, key: str | None, format: str | None) -> Source:
    suffix = formats.default_suffix(otype, format or _format_from_key(key))
    _check_key_suffix(key, suffix)
    tmp = tempfiles.new_path(settings.cache_dir / SAVING_DIR, suffix)  # named after this process
    try:
        _write(data, tmp, suffix)
        _faults.point("write")
        summary, body = _summary(tmp)
    except BaseException:
        transfer.remove(paths.create_path(tmp))  # a failed write leaves nothing behind
        raise
    return Source(
        upath=paths.create_path(tmp),
        key=key,
        suffix=suffix,
        summary=summary,
        otype=otype,
        n_observations=formats.n_observations(data),
        memory=data,
        is_temp=True,
        body=body,
    )


def _summary(path: Any) -> tuple[Any, bytes | None]:
    """Hash and size of a local file (one open; its bytes too if it is small enough to be
    uploaded from memory, see :data:`biolake.storage.transfer.PROGRESS_THRESHOLD`), or of a
    folder or a remote path (no bytes)."""
    if not isinstance(path, Path) or hasattr(path, "protocol"):
        return hashing.summarize(path), None
    try:
        return hashing.summarize_small(path, transfer.PROGRESS_THRESHOLD)
    except IsADirectoryError:
        return hashing.summarize(path), None


def _listing_path(upath: Any) -> Any:
    """A local UPath (resolved already by ``create_path``) as a plain path; anything else as it is."""
    return Path(os.fspath(upath)) if upath.protocol == "" else upath


def _write(data: Any, tmp: Path, suffix: str) -> None:
    """Write ``data`` to ``tmp``; content the format cannot hold is an :class:`ArgumentTypeError`."""
    try:
        formats.write(data, tmp, suffix)
    except BiolakeError:
        raise
    except (ValueError, TypeError, NotImplementedError) as error:  # pyarrow: ArrowNotImplementedError (e.g. complex)
        reason = " ".join(str(error).split())[:300]
        raise ArgumentTypeError(
            f"Cannot write the {type(data).__name__} as {suffix} ({type(error).__name__}: {reason}); "
            "give each column a single type (e.g. df[column].astype(str)) or choose another format."
        ) from error


def _format_from_key(key: str | None) -> str | None:
    if key is None:
        return None
    suffix = paths.extract_suffix(key)
    return {".zarr": "zarr", ".csv": "csv", ".anndata.zarr": "zarr"}.get(suffix)


def _check_path_text(data: Any) -> None:
    if "\x00" in str(data):
        raise InvalidArgument(f"A path cannot contain a NUL character: {str(data)!r}.")


def _from_path(data: Any, key: str | None) -> Source:
    _check_path_text(data)
    remote_text = isinstance(data, str) and paths.is_remote(data)
    upath = paths.create_path(data, **(options_for(data) if remote_text else {}))
    if not upath.exists():
        raise PathNotFoundError(f"No file or folder at {str(upath)!r}.", path=str(upath))
    suffix = paths.extract_suffix(str(upath).rstrip("/"))
    root = _registered_root(upath)
    if root is None and paths.is_remote(upath):
        root = _bucket_root(upath)
    if root is not None:
        in_place_key = paths.relative_key(upath, root)
        if key is not None and key != in_place_key:
            raise _conflicting_key(upath, root, in_place_key, key)
        key = in_place_key
    else:
        _check_key_suffix(key, suffix)
    summary, body = _summary(_listing_path(upath))
    return Source(
        upath=upath,
        key=key,
        suffix=suffix,
        summary=summary,
        otype=formats.otype_from_suffix(suffix),
        in_place_root=root,
        body=body if root is None else None,  # bytes registered in place are not uploaded
    )


def _registered_root(upath: Any) -> str | None:
    """The registered storage root holding ``upath`` (made by ``create_path``: a local one is resolved already)."""
    return paths.root_containing(upath.path if paths.is_local(upath) else paths.normalize_root(upath), registered_roots())


def _conflicting_key(upath: Any, root: str, in_place_key: str, key: str) -> ConflictingKeyError:
    return ConflictingKeyError(
        f"The path {str(upath)!r} is already in registered storage {root!r} with key {in_place_key!r}; "
        f"it is registered in place under that key: omit key= (or pass key={in_place_key!r}), "
        f"or move the file outside the storage location before registering it under {key!r}.",
        key=key, inferred_key=in_place_key,
    )


def _bucket_root(upath: Any) -> str:
    text = str(upath).rstrip("/")
    protocol, rest = text.split("://", 1)
    return f"{protocol}://{rest.split('/', 1)[0]}"


def initial_fields(source: Source, description: str | None, kind: str | None, version: str | None) -> dict[str, Any]:
    """Field values of a new artifact made from ``source``."""
    summary = source.summary
    return {
        "key": source.key,
        "description": description,
        "kind": kind,
        "version": version,
        "suffix": source.suffix,
        "otype": source.otype,
        "size": summary.size,
        "hash": summary.hash,
        "hash_type": summary.hash_type,
        "n_files": getattr(summary, "n_files", None),
        "n_observations": source.n_observations,
        "managed": source.managed,
    }


def hash_statement(model: Any, hash: str, columns: tuple[str, ...], limit: int) -> tuple[str, list[Any]]:
    """The ``columns`` of at most ``limit`` visible records with content ``hash``, as a cached statement."""
    branches = visible_branch_ids()

    def build(params: list[Any]) -> Any:
        return model._plain.filter(hash=params[-1], branch_id__in=params[:-1]).values_list(*columns)[:limit]

    return compiled_sql.statement(model, ("hash", columns, limit, len(branches)), build, [*branches, hash])


def find_duplicate(model: Any, source: Source) -> Any:
    """An existing, non-trashed artifact with the same content hash, if any."""
    rows = compiled_sql.fetch(hash_statement(model, source.summary.hash, ("pk", "is_latest"), 10))
    existing = model._plain.get(pk=max(rows, key=lambda r: (r[1], r[0]))[0]) if rows else None
    if existing is not None and existing.kind != RUN_ARTIFACT_KIND:  # run environments dedup quietly
        name = f"key {existing.key!r}" if existing.key else f"description {existing.description!r}"
        log.info(f"returning the existing artifact with the same hash: uid {existing.uid!r}, {name}")
    return existing


def become(target: Any, other: Any, source: Source | None, keep_state: bool = False) -> None:
    """Turn ``target`` into a copy of ``other`` (an existing record, or a prepared new version)."""
    target._become(other)
    target._revises = getattr(other, "_revises", None)
    target._source = None if not keep_state else other._source
    target._pending = other._pending if keep_state else None
    target._memory = getattr(other, "_memory", None) if keep_state else (source.memory if source else None)
    if not keep_state and source is not None:
        source.discard()


def artifacts_from_dir(model: Any, path: str | Path, key: str | None, **kwargs: Any) -> list[Any]:
    """One artifact per file below ``path``, keyed ``<key or folder name>/<relative path>``."""
    upath = paths.create_path(path)
    if not upath.is_dir():
        raise PathNotFoundError(f"No folder at {str(upath)!r}.", path=str(upath))
    prefix = key or upath.name
    files = sorted(p for p in upath.rglob("*") if p.is_file())
    root = _registered_root(upath)
    if root is not None and key is not None and key != paths.relative_key(upath, root):
        raise _conflicting_key(upath, root, paths.relative_key(upath, root), key)
    result = []
    for file in files:
        relative = paths.relative_key(file, str(upath))
        result.append(model(file, key=None if root else f"{prefix}/{relative}", **kwargs))
    return result
