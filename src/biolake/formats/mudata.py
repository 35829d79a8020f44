"""MuData: ``.h5mu`` files (needs the optional ``mudata`` package)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mudata import MuData


def write_h5mu(mdata: MuData, path: Path, suffix: str, **kwargs: Any) -> None:
    """Write an ``.h5mu`` file."""
    mdata.write_h5mu(path, **kwargs)


def load_h5mu(path: Path, suffix: str, **kwargs: Any) -> MuData:
    """Read an ``.h5mu`` file into memory."""
    import mudata

    return mudata.read_h5mu(path, **kwargs)
