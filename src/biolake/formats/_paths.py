"""Tell local paths from fsspec ``UPath`` objects without importing fsspec."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

_LOCAL_PROTOCOLS = ("", "file", "local")


def is_local(path: Any) -> bool:
    """Whether ``path`` points into the local file system."""
    if isinstance(path, str):
        return "://" not in path or path.startswith("file://")
    if isinstance(path, PurePath):
        return True
    return getattr(path, "protocol", "") in _LOCAL_PROTOCOLS


def local_path(path: Any) -> Path:
    """A :class:`~pathlib.Path` for a local ``path`` (str, Path, local or ``file://`` UPath)."""
    if isinstance(path, Path):
        return path
    if isinstance(path, str):
        return Path(path.removeprefix("file://"))
    return Path(getattr(path, "path", str(path)))


def as_upath(path: Any) -> Any:
    """A ``UPath`` for a remote ``path`` given as a URL string; other objects pass through."""
    if isinstance(path, str):
        from upath import UPath

        return UPath(path)
    return path
