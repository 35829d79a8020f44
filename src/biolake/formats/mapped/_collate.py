"""Batches from ``__getitems__`` that torch's ``default_collate`` takes without stacking rows.

``MappedDataset.__getitems__`` returns one dict per cell, as ``ds[i]`` does, but it read the
whole batch at once: its layers are already 2-D arrays and its codes 1-D arrays. The first
item is a :class:`FirstItem` (a ``dict``) that remembers that :class:`Gathered` batch, and
:func:`register` adds :func:`collate_first` to torch's ``default_collate_fn_map`` (the
documented way to extend ``default_collate``) for that type. So ``default_collate(items)``,
which a ``DataLoader`` calls with the items of each batch, makes the same batch as ever, but:

- when every value of the items is still the one ``__getitems__`` put there (checked by
  identity), layers and codes become tensors over the gathered arrays (no copy; the layer
  rows of the items are read-only views of them) instead of stacking 256 rows;
- in a DataLoader worker the batch is a :class:`Shipped` dict: pickled to the main process,
  a layer built in the worker's shared-memory arena travels as its place there
  (:mod:`._shared`: the main process maps the arena once and wraps the slot, no copy); a
  sparse layer in private memory (no free slot, no ``/dev/shm``) travels as its non-zeros
  (:class:`._fetch.Scattered`) and is densified there; other tensors travel as numpy arrays.
  So no batch needs a new shared-memory block and a file descriptor per tensor (torch's way,
  which on a small machine costs more than reading). A layer tensor changed in place in the
  worker (a ``collate_fn`` that normalises it) travels changed: in its slot, or noticed by
  its version counter and sent whole; a write through its ``.numpy()`` array is not noticed
  outside a slot.

Anything else (items changed, reordered, mixed with other items) is collated by torch's
own rules, as for plain dicts. Without torch nothing here is used.

Example:
    >>> items = ds.__getitems__([5, 0, 5])  # doctest: +SKIP
    >>> default_collate(items)["X"].shape  # doctest: +SKIP
    torch.Size([3, 2000])
"""

from __future__ import annotations

import contextlib
import operator
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from biolake.formats.mapped import _buffers, _shared
from biolake.formats.mapped._fetch import NonZeros, Scattered

#: Array dtypes that ``torch.from_numpy`` turns into the tensor ``default_collate`` makes.
_TORCH_KINDS = frozenset("biuf")
_TORCH_UNSIGNED = frozenset({np.dtype(np.uint8)})


class Gathered:
    """The arrays of a batch read by ``__getitems__``, and the item values made from them.

    Args:
        n: the number of cells.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.columns: dict[str, list[Any]] = {}
        self.arrays: dict[str, np.ndarray] = {}
        self.scattered: dict[str, NonZeros] = {}

    def add_rows(self, key: str, dense: np.ndarray, scattered: NonZeros | None) -> None:
        """A layer: item values are read-only row views of ``dense`` (which collates without a copy)."""
        view = dense.view()
        view.flags.writeable = False
        self.columns[key] = list(view)
        if _collates_as_is(dense):
            self.arrays[key] = dense
            if scattered is not None:
                self.scattered[key] = scattered

    def add_codes(self, key: str, codes: np.ndarray) -> None:
        """Integer labels (``int64``): item values are Python ints, as ``default_collate`` expects."""
        self.columns[key] = codes.tolist()
        self.arrays[key] = codes

    def add_values(self, key: str, values: list[Any]) -> None:
        """Any other item values: collated by torch's rules."""
        self.columns[key] = values

    def items(self) -> list[dict[str, Any]]:
        """One dict per cell (keys in the order they were added); the first is a :class:`FirstItem`."""
        items: list[dict[str, Any]] = [{} for _ in range(self.n)]
        for name, values in self.columns.items():  # key by key: faster than a dict per cell from zip()
            for item, value in zip(items, values):
                item[name] = value
        if items:
            items[0] = FirstItem(items[0], self)
        return items

    def unchanged(self, batch: Sequence[Any]) -> bool:
        """Whether ``batch`` holds the items made here, each with the values put there."""
        if len(batch) != self.n or list(batch[0]) != list(self.columns):
            return False
        try:
            return all(
                all(map(operator.is_, map(operator.itemgetter(key), batch), self.columns[key])) for key in self.arrays
            )
        except (KeyError, TypeError):  # an item without the key, or not a dict
            return False


class FirstItem(dict):  # type: ignore[type-arg]
    """The first item of a ``__getitems__`` batch: a plain ``dict`` of the cell's values that
    also knows its :class:`Gathered` batch. Copies and pickles are plain dicts."""

    __slots__ = ("gathered",)

    def __init__(self, values: dict[str, Any], gathered: Gathered) -> None:
        super().__init__(values)
        self.gathered = gathered

    def __reduce__(self) -> tuple[type, tuple[dict[str, Any]]]:
        return dict, (dict(self),)


class Shipped(dict):  # type: ignore[type-arg]
    """A batch collated in a DataLoader worker; pickled, it becomes a plain dict of the same
    tensors, layers in shared memory sent as their place, other sparse layers as their non-zeros (see :func:`unship`)."""

    __slots__ = ("sparse",)

    def __init__(self, values: dict[str, Any], sparse: dict[str, tuple[Any, int, NonZeros]]) -> None:
        super().__init__(values)
        self.sparse = sparse  # key -> (the tensor made, its version then, its non-zeros)

    def __reduce__(self) -> tuple[Callable[[list[tuple[str, str, Any]]], dict[str, Any]], tuple[Any, ...]]:
        return unship, (_payload(self),)


def _payload(batch: Shipped) -> list[tuple[str, str, Any]]:
    torch = sys.modules["torch"]
    payload: list[tuple[str, str, Any]] = []
    for key, value in batch.items():
        sparse = batch.sparse.get(key)
        array = _as_numpy(torch, value)
        if array is not None and (place := _shared.place_of(array)) is not None:  # in shared memory: its place
            payload.append((key, "shared", place))
        elif sparse is not None and sparse[0] is value and value._version == sparse[1]:  # not changed in place
            flat, values = sparse[2].compact(value.numel())
            payload.append((key, "scattered", (flat, values, tuple(value.shape), value.numpy().dtype)))
        elif array is not None:
            payload.append((key, "array", array))
        else:
            payload.append((key, "object", value))  # pickled by torch's own rules
    return payload


def _as_numpy(torch: Any, value: Any) -> np.ndarray | None:
    """A plain CPU tensor as the numpy array sharing its memory (``None`` for anything else)."""
    if type(value) is not torch.Tensor or value.device.type != "cpu" or value.layout != torch.strided:
        return None
    try:
        array: np.ndarray = value.detach().numpy()
    except (TypeError, RuntimeError):  # a dtype numpy lacks (bfloat16), a conjugate view
        return None
    return array


def unship(payload: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """The batch a worker pickled as :class:`Shipped`, rebuilt in this process as a plain dict."""
    import torch

    batch: dict[str, Any] = {}
    for key, kind, value in payload:
        if kind == "shared":
            batch[key] = torch.from_numpy(_shared.attach(*value))
        elif kind == "scattered":
            batch[key] = torch.from_numpy(Scattered.dense(*value))
        elif kind == "array":
            batch[key] = torch.from_numpy(value if value.flags.writeable else value.copy())
        else:
            batch[key] = value
    return batch


def register() -> Callable[[tuple[int, int], np.dtype], np.ndarray]:
    """Let torch's ``default_collate`` collate batches starting with a :class:`FirstItem` (when torch is
    loaded), and return where dense batch arrays go: shared memory in a DataLoader worker
    (:func:`._shared.zeros`), else this process's pool (:func:`._buffers.zeros`)."""
    if sys.modules.get("torch") is None:  # not imported (or blocked)
        return _buffers.zeros
    from torch.utils.data import get_worker_info
    from torch.utils.data._utils.collate import default_collate_fn_map

    if FirstItem not in default_collate_fn_map:
        default_collate_fn_map[FirstItem] = collate_first
    return _buffers.zeros if get_worker_info() is None else _shared.zeros


def collate_first(batch: Sequence[Any], *, collate_fn_map: dict[Any, Callable[..., Any]] | None = None) -> Any:
    """``default_collate`` of a batch whose first item is a :class:`FirstItem` (see the module)."""
    from torch.utils.data import get_worker_info
    from torch.utils.data._utils.collate import collate

    first = batch[0]
    gathered = first.gathered
    if not gathered.unchanged(batch):
        with _read_only_rows_copied():
            return collate([dict(first), *batch[1:]], collate_fn_map=collate_fn_map)
    import torch

    tensors = {key: torch.from_numpy(array) for key, array in gathered.arrays.items()}
    with _read_only_rows_copied():
        result = {
            key: tensors[key] if key in tensors else collate([item[key] for item in batch], collate_fn_map=collate_fn_map)
            for key in first
        }
    if get_worker_info() is None:
        return result
    sparse = {key: (tensors[key], tensors[key]._version, found) for key, found in gathered.scattered.items()}
    return Shipped(result, sparse)


@contextlib.contextmanager
def _read_only_rows_copied() -> Iterator[None]:
    """Silence torch's warning about the read-only item rows: ``default_collate`` copies them."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The given NumPy array is not writable", UserWarning)
        yield


def _collates_as_is(array: np.ndarray) -> bool:
    """Whether ``torch.from_numpy(array)`` is what ``default_collate`` makes of its rows."""
    dtype = array.dtype
    return dtype.isnative and dtype.kind in _TORCH_KINDS and (dtype.kind != "u" or dtype in _TORCH_UNSIGNED)
