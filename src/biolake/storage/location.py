"""A storage location resolved once: its root and all its fsspec options (credentials included).

Records of the ``Storage`` registry hand a :class:`Location` down to the storage layer, so
code under ``biolake.storage`` never asks the registries for a root's options.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING, Any

from biolake.storage.keys import validate_key
from biolake.storage.paths import create_path

if TYPE_CHECKING:  # universal-pathlib loads on the first path built: importing the registries stays cheap
    from upath import UPath


@dataclasses.dataclass(frozen=True)
class Location:
    """A storage root (local folder or bucket prefix) and the options to reach it."""

    root: str
    options: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def path(self) -> UPath:
        """The root as a UPath."""
        return create_path(self.root, **self.options)

    def join(self, key: str) -> UPath:
        """The path of ``key`` inside the root (managed ``.biolake/`` keys allowed).

        Paths joined to one ``Location`` share its file system instance (resolved once).
        """
        validate_key(key, allow_reserved=True)
        return self._root / key

    def fs_path(self, key: str) -> tuple[Any, str]:
        """The file system and fsspec path of ``key`` inside a remote root, without building a
        UPath (the same as ``join(key).fs`` and ``join(key).path``)."""
        validate_key(key, allow_reserved=True)
        root = self._root
        return root.fs, f"{root.path.rstrip('/')}/{key}"

    @functools.cached_property
    def _root(self) -> UPath:
        root = self.path
        if root.protocol not in ("", "file", "local"):
            _ = root.fs  # resolved once here; joined paths inherit it
        return root
