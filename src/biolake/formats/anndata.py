"""AnnData: ``.h5ad`` (HDF5) and ``.zarr`` / ``.anndata.zarr`` stores.

Writing zarr uses zarr format 2 on purpose: zarr-python 2 and 3 and older
anndata releases all read it, and it keeps consolidated metadata.

Opening: ``.h5ad`` gives a backed AnnData (``backed="r"``, local files only).
``.zarr`` gives a read-only ``zarr.Group``: ``anndata.experimental.read_lazy``
needs xarray and dask, which are not dependencies of biolake (it raises
``ImportError: xarray is required`` here), so a plain group is the one lazy
handle that works everywhere; ``anndata.io.read_elem(group["obs"])`` reads a
part of it.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biolake.errors import UnknownFormatError
from biolake.formats._paths import local_path
from biolake.storage.paths import is_local

if TYPE_CHECKING:
    import zarr
    from anndata import AnnData
    from mudata import MuData
    from upath import UPath

ZARR_WRITE_FORMAT = 2


def write_h5ad(adata: AnnData, path: Path, suffix: str, **kwargs: Any) -> None:
    """Write an ``.h5ad`` file."""
    adata.write_h5ad(path, **kwargs)


def load_h5ad(path: Path, suffix: str, **kwargs: Any) -> AnnData:
    """Read an ``.h5ad`` file into memory."""
    import anndata

    return anndata.read_h5ad(path, **kwargs)


def write_zarr(adata: AnnData, path: Path, suffix: str, **kwargs: Any) -> None:
    """Write a zarr store (zarr format 2, see the module docstring)."""
    import anndata

    with anndata.settings.override(zarr_write_format=ZARR_WRITE_FORMAT), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Writing zarr v2 data", category=UserWarning)
        adata.write_zarr(path, **kwargs)


def load_zarr(path: Path, suffix: str, **kwargs: Any) -> AnnData | Path:
    """Read an AnnData zarr store; a zarr store that is not an AnnData comes back as its path."""
    import anndata

    if not _is_anndata_zarr(path):
        return path
    return anndata.read_zarr(path, **kwargs)


def open_h5ad(path: str | os.PathLike[str] | UPath, suffix: str, **kwargs: Any) -> AnnData:
    """A backed, read-only AnnData; close it with ``adata.file.close()``."""
    import anndata

    if not is_local(path):
        raise UnknownFormatError(
            f"Cannot open '{path}' backed: backed .h5ad needs a local file; `.cache()` returns one",
            suffix=suffix,
        )
    kwargs.setdefault("backed", "r")
    return anndata.read_h5ad(local_path(path), **kwargs)


def open_zarr(path: str | os.PathLike[str] | UPath, suffix: str, **kwargs: Any) -> zarr.Group:
    """A read-only ``zarr.Group`` over a local or remote store."""
    import zarr

    kwargs.setdefault("mode", "r")
    if is_local(path):
        return zarr.open_group(str(local_path(path)), **kwargs)
    storage_options = dict(getattr(path, "storage_options", {}) or {})
    if storage_options:
        kwargs.setdefault("storage_options", storage_options)
    return zarr.open_group(str(path), **kwargs)


def count_obs(adata: AnnData | MuData) -> int:
    """``n_obs`` of an AnnData (also backed) or a MuData."""
    return int(adata.n_obs)


def _is_anndata_zarr(path: Path) -> bool:
    import zarr

    try:
        group = zarr.open_group(str(path), mode="r")
    except Exception:  # not a zarr group at all (an array, or no zarr metadata)
        return False
    return group.attrs.get("encoding-type") == "anndata"
