"""Files that are known but not parsed: loading them returns their path.

Also flow cytometry (``.fcs``, parsed only when ``readfcs`` or ``flowio`` is
installed) and HDF5 (``.h5``, which opens as a read-only ``h5py.File``).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biolake.formats._paths import as_upath, local_path
from biolake.storage.paths import is_local

if TYPE_CHECKING:
    import h5py
    from upath import UPath


def load_path(path: Path, suffix: str, **kwargs: Any) -> Path:
    """The path itself: for images, html, pdf and other files nothing parses in memory."""
    return path


def load_fcs(path: Path, suffix: str, **kwargs: Any) -> Any:
    """An AnnData via ``readfcs``, a ``FlowData`` via ``flowio``, else the path itself."""
    if importlib.util.find_spec("readfcs") is not None:
        import readfcs

        return readfcs.read(str(path), **kwargs)
    if importlib.util.find_spec("flowio") is not None:
        import flowio

        return flowio.FlowData(str(path), **kwargs)
    return path


def open_h5(path: str | os.PathLike[str] | UPath, suffix: str, **kwargs: Any) -> h5py.File:
    """A read-only ``h5py.File`` over a local file or a remote file object."""
    import h5py

    kwargs.setdefault("mode", "r")
    if is_local(path):
        return h5py.File(local_path(path), **kwargs)
    return h5py.File(as_upath(path).open("rb"), **kwargs)
