"""Turn the paths handed to format handlers into what the libraries want, without importing fsspec.

Whether a path is local is decided by :func:`biolake.storage.paths.is_local`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upath import UPath

_LOCAL_URL_PREFIXES = ("file://", "local://")


def local_path(path: str | os.PathLike[str] | UPath) -> Path:
    """A :class:`~pathlib.Path` for a local ``path`` (str, Path, ``file://`` URL or local UPath)."""
    if isinstance(path, Path):
        return path
    if isinstance(path, str):
        for prefix in _LOCAL_URL_PREFIXES:
            if path[: len(prefix)].lower() == prefix:
                return Path(path[len(prefix) :])
        return Path(path)
    return Path(getattr(path, "path", str(path)))


def as_upath(path: str | os.PathLike[str] | UPath) -> UPath:
    """A ``UPath`` for a remote ``path``: a UPath passes through, a URL string becomes one."""
    from upath import UPath

    if isinstance(path, UPath):
        return path
    return UPath(path)
