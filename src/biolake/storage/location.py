"""A storage location resolved once: its root and all its fsspec options (credentials included).

Records of the ``Storage`` registry hand a :class:`Location` down to the storage layer, so
code under ``biolake.storage`` never asks the registries for a root's options.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from biolake.storage.paths import create_path, join_root

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
        """The path of ``key`` inside the root (managed ``.biolake/`` keys allowed)."""
        return join_root(self.root, key, **self.options)
