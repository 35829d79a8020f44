"""Train on many AnnData files as if they were one: a map-style dataset over cells.

``mapped(paths, ...)`` returns a :class:`MappedDataset` over ``.h5ad`` files and ``.zarr``
stores, read lazily (h5py / zarr, never the whole matrix): ``ds[i]`` is one cell as a dict
of numpy values, ``ds.__getitems__(indices)`` the same for a whole batch in bulk (what
``torch.utils.data.DataLoader`` calls), ``ds.iter_batches(...)`` is the block-shuffled path,
and labels are encoded consistently across files. An uncompressed ``.h5ad`` (anndata's
default) is memory-mapped, so rows are gathered without an h5py call per cell; compressed
files and zarr stores are read in as few slices as possible. torch's ``default_collate``
turns a ``__getitems__`` batch into tensors over the arrays it gathered (no stacking of
rows), and a DataLoader worker builds batches in shared memory and sends only their place
(:mod:`._shared`; without ``/dev/shm``, a sparse layer's non-zeros). ``Collection.mapped(...)`` calls :func:`mapped` with the
cached paths of its artifacts.

Torch is optional. ``MappedDataset`` is created on first use (``mapped()`` or the attribute
``MappedDataset`` of this module): when ``torch`` can be imported then, the class
subclasses ``torch.utils.data.Dataset``; otherwise it is a plain class with the same API.
Importing this module (or ``biolake.formats``) imports neither torch nor numpy, h5py,
zarr or anndata.

The dataset is safe with ``DataLoader(num_workers > 0)``: file handles are opened per
process on first read (again after a fork), and pickling leaves them out.

Example:
    >>> from torch.utils.data import DataLoader, WeightedRandomSampler  # doctest: +SKIP
    >>> ds = mapped(["a.h5ad", "b.zarr"], obs_keys="cell_type", join="inner")  # doctest: +SKIP
    >>> sampler = WeightedRandomSampler(ds.get_label_weights("cell_type"), len(ds))  # doctest: +SKIP
    >>> for batch in DataLoader(ds, batch_size=256, sampler=sampler, num_workers=2):  # doctest: +SKIP
    ...     batch["X"].shape, batch["cell_type"]
    >>> for batch in ds.iter_batches(256, seed=0):  # doctest: +SKIP
    ...     tensors = collate(batch)
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

    from biolake.formats.mapped._mapped import MappedCore as MappedDataset

__all__ = ["MappedDataset", "collate", "dataset_class", "mapped"]


def mapped(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    obs_keys: Sequence[str] | str | None = None,
    layers_keys: Sequence[str] | str | None = None,
    join: Literal["inner", "outer"] | None = "inner",
    encode_labels: bool | Sequence[str] = True,
    obs_filter: dict[str, Any] | None = None,
    dtype: str | np.dtype | None = "float32",
    cache_categories: bool = True,
    rows: Sequence[Any] | None = None,
) -> MappedDataset:
    """A :class:`MappedDataset` over the AnnData stores at ``paths``.

    See :class:`~biolake.formats.mapped._mapped.MappedCore` for the arguments and what an item
    holds.

    Example:
        >>> with mapped(["a.h5ad", "b.zarr"], obs_keys=["cell_type"]) as ds:  # doctest: +SKIP
        ...     ds[0]["X"].shape, ds.encoders["cell_type"]
    """
    return dataset_class()(
        paths,
        obs_keys=obs_keys,
        layers_keys=layers_keys,
        join=join,
        encode_labels=encode_labels,
        obs_filter=obs_filter,
        dtype=dtype,
        cache_categories=cache_categories,
        rows=rows,
    )


@functools.cache
def dataset_class() -> type[MappedDataset]:
    """The ``MappedDataset`` class, created once: a ``torch.utils.data.Dataset`` if torch imports."""
    # Imported here, not at the top: _mapped imports numpy, and importing this package must not.
    from biolake.formats.mapped._mapped import MappedCore

    torch_dataset = _torch_dataset_base()
    bases = (MappedCore,) if torch_dataset is None else (MappedCore, torch_dataset)
    namespace = {"__module__": __name__, "__qualname__": "MappedDataset", "__doc__": MappedCore.__doc__}
    return type("MappedDataset", bases, namespace)


@functools.cache
def _torch_dataset_base() -> type | None:
    try:
        from torch.utils.data import Dataset
    except ImportError:
        return None
    return Dataset


def __getattr__(name: str) -> Any:
    if name == "MappedDataset":
        return dataset_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "MappedDataset"})


def collate(batch: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Stack a batch and turn it into torch tensors (numpy arrays when torch is missing).

    ``batch`` is a dict of stacked arrays (from ``iter_batches``) or a list of items (as a
    DataLoader's ``collate_fn``). Numeric arrays become tensors sharing their memory;
    arrays of strings or objects become lists.

    Example:
        >>> collate([{"X": np.zeros(3), "label": 1}, {"X": np.ones(3), "label": 0}])["X"].shape  # doctest: +SKIP
        torch.Size([2, 3])
    """
    import numpy as np

    if not isinstance(batch, Mapping):
        batch = {key: _stack([item[key] for item in batch]) for key in batch[0]}
    arrays = {key: np.asarray(value) for key, value in batch.items()}
    if _torch_dataset_base() is None:
        return arrays
    import torch

    return {
        key: value.tolist() if value.dtype.kind in "OSUT" else torch.from_numpy(value) for key, value in arrays.items()
    }


def _stack(values: list[Any]) -> Any:
    import numpy as np

    first = values[0]
    if isinstance(first, np.ndarray):
        return np.stack(values)
    if isinstance(first, str):
        return np.array(values, dtype=object)
    return np.asarray(values)
