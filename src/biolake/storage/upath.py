"""``UPath``: one path type for local folders, S3, GCS, memory and more.

Importing this module adds a ``view_tree()`` method to every universal-pathlib
path, so ``UPath("s3://bucket/lake").view_tree()`` prints the folder as a tree.
That is this module's one side effect. In universal-pathlib 0.3 the local classes
(``PosixUPath``, ``WindowsUPath``) derive from ``pathlib.Path`` through
``upath.implementations.local.LocalPath`` and not from ``upath.UPath``, so the
method is attached to both ``upath.UPath`` and ``LocalPath``. An existing
``view_tree`` attribute (should universal-pathlib ever add one) is left alone.

``import biolake`` does not import this module; ``biolake.UPath`` loads it on
first use.

Example:
    >>> p = UPath("memory://doc-upath/raw")
    >>> _ = (p / "a.csv").write_text("x")
    >>> callable(p.view_tree)
    True
"""

from __future__ import annotations

import os
from typing import Any

import upath as _upath
from upath.implementations.local import LocalPath

from biolake.storage.paths import create_path
from biolake.storage.tree import view_tree

__all__ = ["UPath"]


def UPath(path: str | os.PathLike[str] | _upath.UPath, **storage_options: Any) -> _upath.UPath:  # noqa: N802
    """Return a ``upath.UPath`` for a local path or a URL (see :func:`~biolake.storage.paths.create_path`).

    Local paths become absolute; URL query parameters such as ``?endpoint_url=``
    become storage options. Use ``isinstance(p, upath.UPath)`` for type checks:
    this is a factory, not a class.

    Example:
        >>> UPath("s3://bucket/lake?endpoint_url=http://localhost:9000").storage_options
        {'endpoint_url': 'http://localhost:9000'}
    """
    return create_path(path, **storage_options)


def _view_tree(self: _upath.UPath, level: int = 2, limit: int = 20, show_files: bool = True) -> None:
    """Print this folder as a tree: sub-folders with file counts per suffix, and files.

    Args:
        level: How many folder levels to show; -1 shows all.
        limit: At most this many entries per folder, then ``"... N more"``.
        show_files: List files, not only folders.
    """
    view_tree(self, level=level, limit=limit, show_files=show_files)


def _attach_view_tree() -> None:
    for cls in (_upath.UPath, LocalPath):
        if not hasattr(cls, "view_tree"):
            setattr(cls, "view_tree", _view_tree)  # an attribute of ours on a library class


_attach_view_tree()
