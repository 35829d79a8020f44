"""Paths and storage roots: build ``UPath`` objects, normalize roots, find keys and suffixes.

A *root* is the top of a storage location, written in one canonical form by
:func:`normalize_root`: an absolute POSIX path for local storage
(``"/data/lake"``) or ``"protocol://bucket/prefix"`` for everything else
(``"s3://my-bucket/lake"``, ``"memory://lake"``), never with a trailing slash.
Paths inside a root are addressed by keys (see :mod:`biolake.storage.keys`).

Example:
    >>> normalize_root("s3://bucket/prefix/?endpoint_url=http://localhost:9000")
    's3://bucket/prefix'
    >>> extract_suffix("reads/sample.FASTQ.gz")
    '.fastq.gz'
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from biolake.errors import InvalidKeyError
from biolake.storage.credentials import refuse_credentials
from biolake.storage.keys import RESERVED_PREFIX, validate_key

if TYPE_CHECKING:
    from upath import UPath

__all__ = [
    "COMPOUND_SUFFIXES",
    "create_path",
    "exists_locally",
    "extract_suffix",
    "find_root",
    "is_local",
    "is_remote",
    "join_root",
    "managed_key",
    "normalize_root",
    "relative_key",
    "root_containing",
    "storage_type",
    "url_options",
]

COMPOUND_SUFFIXES = (
    ".anndata.zarr",
    ".vitessce.json",
    ".ome.tiff",
    ".ome.zarr",
    ".ome.tif",
    ".fastq.gz",
    ".tar.gz",
    ".vcf.gz",
    ".csv.gz",
    ".tsv.gz",
    ".fq.gz",
)
"""Suffixes of two parts that are kept whole by :func:`extract_suffix`."""

_LOCAL_PROTOCOLS = ("", "file", "local")
_STORAGE_TYPES = {"s3": "s3", "s3a": "s3", "gs": "gs", "gcs": "gs", "memory": "memory", "http": "http", "https": "http"}
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+)://")
_MAX_SUFFIX_LENGTH = 10


def create_path(path: str | os.PathLike[str] | UPath, **storage_options: Any) -> UPath:
    """Return a ``UPath`` for a local path or a URL.

    Local paths become absolute (``~`` expanded, symlinks resolved); ``file://``
    URLs become local paths. URL query parameters are moved into the storage
    options, so ``s3://bucket/x?endpoint_url=http://localhost:9000`` works; the
    strings ``"true"``/``"false"`` become booleans. Explicit keyword options win.

    Args:
        path: A local path, a URL (``s3://``, ``gs://``, ``memory://``, ...) or a UPath.
        **storage_options: Options for the fsspec filesystem, e.g. ``anon=True``.

    Returns:
        A ``upath.UPath`` (``PosixUPath`` or ``WindowsUPath`` for local paths).

    Example:
        >>> create_path("memory://bucket/data.csv").protocol
        'memory'
    """
    from upath import UPath

    if isinstance(path, UPath):
        if is_local(path):
            return UPath(_absolute_local(path.path))
        if not storage_options:
            return path
        # The keyword options match several of UPath's overloads, so mypy would infer Any.
        with_options: UPath = UPath(str(path), **{**path.storage_options, **storage_options})
        return with_options
    text = os.fspath(path)
    protocol = _protocol(text)
    if protocol in _LOCAL_PROTOCOLS:
        return UPath(_absolute_local(_local_text(text)))
    url, query_options = _split_query(text)
    remote: UPath = UPath(url, **{**query_options, **storage_options})
    return remote


def url_options(url: str) -> dict[str, Any]:
    """Return the storage options in a URL's query, as :func:`create_path` takes them.

    Example:
        >>> url_options("s3://bucket/lake?endpoint_url=http://localhost:9000")
        {'endpoint_url': 'http://localhost:9000'}
    """
    if _protocol(url) in _LOCAL_PROTOCOLS:
        return {}
    return _split_query(url)[1]


def normalize_root(root: str | os.PathLike[str] | UPath) -> str:
    """Return the canonical form of a storage root.

    Args:
        root: A local path, URL or UPath.

    Returns:
        An absolute, resolved POSIX path without trailing slash for local roots;
        ``"protocol://bucket/prefix"`` (lower-case protocol, no query, no trailing
        slash) for all others.

    Raises:
        CredentialsInURLError: the URL carries credentials (user-info, ``?secret=``); a root
            never holds them (see :mod:`biolake.storage.credentials`).

    Example:
        >>> normalize_root("memory:///lake/")
        'memory://lake'
    """
    text = _text_of(root)
    protocol = _protocol(text)
    if protocol in _LOCAL_PROTOCOLS:
        return _absolute_local(_local_text(text))
    parts = urlsplit(refuse_credentials(text).url)
    return f"{protocol}://{(parts.netloc + parts.path).strip('/')}"


def is_local(path: str | os.PathLike[str] | UPath) -> bool:
    """Return True if ``path`` is on the local file system.

    Local are plain paths (``str`` or ``os.PathLike``), ``file://`` and ``local://``
    URLs, and UPaths whose protocol is one of those (``PosixUPath``, ``FilePath``).
    Neither fsspec nor universal-pathlib is imported.

    Example:
        >>> is_local("/data/a.csv"), is_local("file:///data/a.csv"), is_local("memory://lake/a.csv")
        (True, True, False)
    """
    if isinstance(path, str):
        return _protocol(path) in _LOCAL_PROTOCOLS
    if hasattr(path, "protocol"):  # a UPath, local or not
        return path.protocol in _LOCAL_PROTOCOLS
    return _protocol(os.fspath(path)) in _LOCAL_PROTOCOLS


def exists_locally(path: str | os.PathLike[str] | UPath) -> bool:
    """Return True if the local ``path`` (plain, ``~``, ``file://`` URL or local UPath) names an
    existing file or folder: one ``stat``, no UPath built.

    Example:
        >>> exists_locally("/"), exists_locally("file:///no/such/file")
        (True, False)
    """
    return os.path.exists(os.path.expanduser(_local_text(_text_of(path))))


def is_remote(path: str | os.PathLike[str] | UPath) -> bool:
    """Return True unless ``path`` is on the local file system: the negation of :func:`is_local`."""
    return not is_local(path)


def storage_type(root: str) -> str:
    """Return ``"local"``, ``"s3"``, ``"gs"``, ``"memory"``, ``"http"`` or the root's protocol.

    Example:
        >>> storage_type("gcs://bucket"), storage_type("/data")
        ('gs', 'local')
    """
    protocol = _protocol(_text_of(root))
    if protocol in _LOCAL_PROTOCOLS:
        return "local"
    return _STORAGE_TYPES.get(protocol, protocol)


def find_root(path: str | os.PathLike[str] | UPath, roots: Iterable[str]) -> str | None:
    """Return the longest of ``roots`` that contains ``path``, as it was given, or None.

    Containment respects path boundaries: ``/a/bc`` is not inside ``/a/b``.

    Example:
        >>> find_root("s3://b/lake/x.csv", ["s3://b", "s3://b/lake", "s3://b/la"])
        's3://b/lake'
    """
    return root_containing(normalize_root(path), roots)


def root_containing(normalized: str, roots: Iterable[str]) -> str | None:
    """:func:`find_root` of a path given in the form :func:`normalize_root` returns (e.g. the
    ``path`` of a local UPath made by :func:`create_path`): it is not resolved again."""
    best: tuple[int, str] | None = None
    for root in roots:
        root_normalized = _normalized_root(root)
        if _contains(root_normalized, normalized) and (best is None or len(root_normalized) > best[0]):
            best = (len(root_normalized), root)
    return None if best is None else best[1]


def _normalized_root(root: str) -> str:
    """:func:`normalize_root` of a registered root; a remote one (text only, no file system
    involved) is normalized once per process."""
    if _protocol(root) in _LOCAL_PROTOCOLS:
        return normalize_root(root)
    return _normalized_remote(root)


@functools.lru_cache(maxsize=256)
def _normalized_remote(root: str) -> str:
    return normalize_root(root)


def relative_key(path: str | os.PathLike[str] | UPath, root: str) -> str:
    """Return the POSIX key of ``path`` relative to ``root``.

    Raises:
        InvalidKeyError: ``path`` is the root itself or lies outside it.

    Example:
        >>> relative_key("memory://lake/raw/a.csv", "memory://lake")
        'raw/a.csv'
    """
    target, normalized = normalize_root(path), normalize_root(root)
    if target == normalized or not _contains(normalized, target):
        raise InvalidKeyError(
            f"Path {target!r} is not inside storage root {normalized!r}; "
            "pass a path below the root or register its own storage location.",
            key=target,
        )
    return target[len(normalized.rstrip("/")) + 1 :]


def managed_key(uid: str, suffix: str) -> str:
    """Return the key of a file biolake manages: ``".biolake/<uid><suffix>"``.

    Example:
        >>> managed_key("3mAxR5zVnDyq0000", ".parquet")
        '.biolake/3mAxR5zVnDyq0000.parquet'
    """
    if not uid or "/" in uid or "\\" in uid:
        raise InvalidKeyError(f"Invalid uid {uid!r} for a managed key: it must be non-empty without slashes.", key=uid)
    if suffix and (not suffix.startswith(".") or "/" in suffix or "\\" in suffix):
        raise InvalidKeyError(
            f"Invalid suffix {suffix!r} for a managed key: it must be empty or start with '.' and have no slashes.",
            key=uid + suffix,
        )
    return validate_key(f"{RESERVED_PREFIX}/{uid}{suffix}", allow_reserved=True)


def extract_suffix(path: str | os.PathLike[str] | UPath) -> str:
    """Return the lower-case suffix of a file or folder name.

    Known compound suffixes (:data:`COMPOUND_SUFFIXES`, e.g. ``.ome.tiff``) are
    kept whole; otherwise the last suffix counts if it is alphanumeric and at most
    10 characters, so ``"run.2024-01"`` and folders without a dot give ``""``.

    Example:
        >>> extract_suffix("image.OME.TIFF"), extract_suffix("table.v1.parquet"), extract_suffix("folder")
        ('.ome.tiff', '.parquet', '')
    """
    name = _name_of(path).lower()
    for compound in COMPOUND_SUFFIXES:
        if name.endswith(compound) and len(name) > len(compound):
            return compound
    dot = name.rfind(".")
    if dot <= 0:
        return ""
    suffix = name[dot:]
    stem = suffix[1:]
    if stem.isascii() and stem.isalnum() and len(stem) <= _MAX_SUFFIX_LENGTH:
        return suffix
    return ""


def join_root(root: str, key: str, /, **storage_options: Any) -> UPath:
    """Return the path of ``key`` inside ``root`` (managed ``.biolake/`` keys allowed).

    Example:
        >>> str(join_root("memory://lake", "raw/a.csv"))
        'memory://lake/raw/a.csv'
    """
    validate_key(key, allow_reserved=True)
    return create_path(root, **storage_options) / key


def _text_of(path: str | os.PathLike[str] | UPath) -> str:
    """Return a string for any path; local UPaths give their plain path."""
    if isinstance(path, str):
        return path
    if hasattr(path, "protocol") and hasattr(path, "storage_options") and hasattr(path, "path"):  # a UPath
        return str(path.path) if is_local(path) else str(path)
    return os.fspath(path)


def _protocol(text: str) -> str:
    match = _URL.match(text)
    return match.group(1).lower() if match else ""


def _local_text(text: str) -> str:
    """Strip a ``file://`` or ``local://`` prefix from a local path."""
    if not _URL.match(text):
        return text
    from urllib.request import url2pathname

    return url2pathname(urlsplit(text).path)


def _absolute_local(text: str) -> str:
    if os.sep == "/":  # what Path.resolve() does on POSIX, without making Path objects
        resolved = os.path.realpath(os.path.expanduser(text or "."))
    else:
        resolved = Path(text).expanduser().resolve().as_posix()
    return resolved.rstrip("/") or "/"


def _split_query(url: str) -> tuple[str, dict[str, Any]]:
    """Move a URL's query into storage options (not for http, where it addresses the file)."""
    parts = urlsplit(url)
    if not parts.query or _protocol(url) in ("http", "https"):
        return url, {}
    options: dict[str, Any] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        options[name] = {"true": True, "false": False}.get(value.lower(), value)
    return urlunsplit(parts._replace(query="", fragment="")), options


def _name_of(path: str | os.PathLike[str] | UPath) -> str:
    if not isinstance(path, str) and hasattr(path, "name"):
        return str(path.name)
    text = os.fspath(path)
    if _URL.match(text):
        text = unquote(urlsplit(text).path)
    return text.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def _contains(root: str, path: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")
