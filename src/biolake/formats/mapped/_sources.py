"""One AnnData store on disk (``.h5ad`` through h5py, ``.zarr`` through zarr), read lazily.

A source reads the parts :class:`~biolake.formats.mapped.MappedDataset` needs without
loading a matrix: the number of cells, the var names, obs columns (whole or by range),
and rows of ``X`` or a layer, dense or CSR (one row of CSR is one ``indptr`` range).

Handles are opened on first use in the process that uses them. The source remembers the
pid that opened them and opens fresh ones in any other process (a DataLoader worker after
a fork), and ``__getstate__`` leaves them out, so a source can be pickled to a spawned
worker. Nothing here is imported by ``import biolake.formats``.

Example:
    >>> source = open_source("pbmc.h5ad")  # doctest: +SKIP
    >>> source.n_obs, source.matrix("X").row(0)  # doctest: +SKIP
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np

from biolake.errors import PathNotFoundError, UnknownFormatError, ValidationError
from biolake.formats.mapped import _mmap
from biolake.formats.mapped._chunk_cache import ChunkedRows
from biolake.formats.mapped._rows import CsrPieces, CsrRows, DenseRows, MappedCsr, RowIndex, ranges_positions

#: h5py chunk cache per dataset: a compressed h5ad is decompressed chunk by chunk.
H5_CHUNK_CACHE_BYTES = 16 * 1024 * 1024


def open_source(path: str | os.PathLike[str]) -> AnnDataSource:
    """The source for ``path``, chosen by its suffix (``.h5ad``, ``.zarr``, ``.anndata.zarr``)."""
    path = Path(path)
    if path.suffix == ".h5ad":
        cls: type[AnnDataSource] = H5adSource
    elif path.suffix == ".zarr":
        cls = ZarrSource
    else:
        raise UnknownFormatError(
            f"Cannot map '{path.name}': mapped() reads .h5ad files and .zarr stores", suffix=path.suffix
        )
    if not path.exists():
        raise PathNotFoundError(f"No such file or store: '{path}'", path=str(path))
    return cls(path)


def encoding_type(elem: Any) -> str:
    """The anndata ``encoding-type`` attribute of an element (``""`` when there is none)."""
    value = elem.attrs.get("encoding-type", "")
    return value.decode() if isinstance(value, bytes) else str(value)


class DenseMatrix:
    """A dense 2-D array on disk (h5py dataset or zarr array), read by row or by row ranges.

    Args:
        array: the array, read by slicing.
        view: the same array memory-mapped (:mod:`._mmap`), or ``None``.
    """

    sparse: Literal[False] = False

    def __init__(self, array: Any, view: np.ndarray | None = None) -> None:
        self._array = array
        self._view = view
        rows, columns = array.shape
        self.shape = (int(rows), int(columns))
        self.dtype = np.dtype(array.dtype)

    @property
    def mapped(self) -> DenseRows | None:
        """The whole matrix memory-mapped (rows gathered without a read), or ``None``."""
        return None if self._view is None else DenseRows(self._view)

    def row(self, i: int) -> np.ndarray:
        """Row ``i`` as a 1-D array (read-only when memory-mapped)."""
        return self._view[i] if self._view is not None else np.asarray(self._array[i])

    def read_pieces(self, starts: np.ndarray, stops: np.ndarray) -> DenseRows:
        """As :meth:`read_ranges` (dense rows are concatenated right away)."""
        return self.read_ranges(starts, stops)

    def read_ranges(self, starts: np.ndarray, stops: np.ndarray) -> DenseRows:
        """The rows of the sorted ranges ``starts[k]:stops[k]`` in memory: one slice per range."""
        rows = self._array if self._view is None else self._view
        parts = [np.asarray(rows[int(a) : int(b)]) for a, b in zip(starts, stops)]
        values = np.concatenate(parts) if parts else np.empty((0, self.shape[1]), self.dtype)
        return DenseRows(values, RowIndex.of_ranges(starts, stops))


class CsrMatrix:
    """A CSR matrix on disk (``data``/``indices``/``indptr``); ``indptr`` is held in memory.

    Args:
        group: the group holding ``data``, ``indices`` and ``indptr``.
        wrap: how to read ``data`` and ``indices`` by slices (given the array and its name).
        runs: maps a 1-D array (:func:`._mmap.dataset_runs`), or returns ``None``.
        indptr: ``indptr`` when the caller has read it already (else it is read here).
    """

    sparse: Literal[True] = True

    def __init__(
        self,
        group: Any,
        wrap: Callable[[Any, str], Any],
        runs: Callable[[Any], _mmap.Runs | None] = lambda _: None,
        indptr: np.ndarray | None = None,
    ) -> None:
        self._data = wrap(group["data"], "data")
        self._indices = wrap(group["indices"], "indices")
        self._indptr = np.asarray(group["indptr"][:] if indptr is None else indptr, dtype=np.int64)
        rows, columns = group.attrs["shape"]
        self.shape = (int(rows), int(columns))
        self.dtype = np.dtype(self._data.dtype)
        self._mapped = self._map_rows(group, runs) if self._indptr[-1] > 0 else None

    def _map_rows(self, group: Any, runs: Callable[[Any], _mmap.Runs | None]) -> MappedCsr | None:
        data, indices = runs(group["data"]), runs(group["indices"])
        if data is None or indices is None:
            return None
        starts, stops = self._indptr[:-1], self._indptr[1:]
        lengths = stops - starts
        breaks = np.union1d(data.first[1:], indices.first[1:])
        crosses = np.searchsorted(breaks, starts, side="right") != np.searchsorted(breaks, stops - 1, side="right")
        straddles = crosses & (lengths > 0)
        lengths[straddles] = 0
        data_starts, indices_starts = data.translate(starts), indices.translate(starts)
        return MappedCsr(
            data.view,
            indices.view,
            self._indptr,
            data_starts,
            indices_starts,
            lengths,
            straddles,
            breaks,
            self._read_elements,
            _mmap.paired_views(data, indices, data_starts, indices_starts, lengths),
        )

    @property
    def mapped(self) -> MappedCsr | None:
        """The whole matrix memory-mapped (rows gathered without a read), or ``None``."""
        return self._mapped

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Row ``i`` as ``(indices, data)``: one slice of each, none for an empty row."""
        if self._mapped is not None:
            return self._mapped.row(i)
        return self._read_elements(int(self._indptr[i]), int(self._indptr[i + 1]))

    def _read_elements(self, begin: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        if begin == end:
            return np.empty(0, np.int64), np.empty(0, self.dtype)
        return np.asarray(self._indices[begin:end]), np.asarray(self._data[begin:end])

    def read_ranges(self, starts: np.ndarray, stops: np.ndarray) -> CsrRows:
        """The rows of the sorted ranges ``starts[k]:stops[k]``, in memory (see :meth:`read_pieces`)."""
        return self.read_pieces(starts, stops).rows()

    def read_pieces(self, starts: np.ndarray, stops: np.ndarray) -> CsrPieces:
        """The rows of the sorted ranges ``starts[k]:stops[k]``, range by range.

        One slice of ``data`` and one of ``indices`` per range (none for a range of empty
        rows): taken from the memory map, or read through h5py / zarr.
        """
        if self._mapped is not None:
            return self._mapped.copy_ranges(starts, stops)
        begins, ends = self._indptr[starts], self._indptr[stops]
        data = [np.asarray(self._data[int(a) : int(b)]) for a, b in zip(begins, ends) if b > a]
        indices = [np.asarray(self._indices[int(a) : int(b)]) for a, b in zip(begins, ends) if b > a]
        positions = ranges_positions(starts, stops)
        lengths = self._indptr[positions + 1] - self._indptr[positions]
        return CsrPieces(data, indices, lengths, RowIndex.of_ranges(starts, stops))


Matrix = DenseMatrix | CsrMatrix


class AnnDataSource(ABC):
    """Lazy, per-process read access to one AnnData store.

    Args:
        path: the ``.h5ad`` file or ``.zarr`` store.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pid: int | None = None
        self._root: Any = None
        self._matrices: dict[str, Matrix] = {}
        self._obs_readers: dict[str, Callable[[int, int], np.ndarray]] = {}
        self._map: Any = None

    # -- handles -------------------------------------------------------------------------
    @abstractmethod
    def _open(self) -> Any:
        """Open the store and return its root (an h5py File or a zarr Group)."""

    def _close(self, root: Any) -> None:
        """Release ``root``; zarr groups hold nothing to close."""

    @property
    def root(self) -> Any:
        """The open store of this process, opened on first use and again after a fork."""
        if self._root is None or self._pid != os.getpid():
            if self._pid != os.getpid():
                # Handles inherited through a fork belong to the parent: drop them unused.
                self._forget()
            self._root = self._open()
            self._pid = os.getpid()
        return self._root

    def _forget(self) -> None:
        self._root = None
        self._matrices = {}
        self._obs_readers = {}
        self._map = None

    def close(self) -> None:
        """Close the handles this process opened; the next read opens them again."""
        if self._root is not None and self._pid == os.getpid():
            self._close(self._root)
        self._forget()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.update(_pid=None, _root=None, _matrices={}, _obs_readers={}, _map=None)
        return state

    # -- metadata ------------------------------------------------------------------------
    @functools.cached_property
    def n_obs(self) -> int:
        """The number of cells (rows of ``obs``), read once."""
        obs = self._group("obs")
        return int(obs[_index_name(obs)].shape[0])

    def var_names(self) -> np.ndarray:
        """The var index (gene identifiers) as an array of strings."""
        import anndata

        var = self._group("var")
        return np.asarray(anndata.io.read_elem(var[_index_name(var)]))

    def obs_columns(self) -> list[str]:
        """The names of the obs columns."""
        obs = self._group("obs")
        index = _index_name(obs)
        return [name for name in obs.keys() if name != index]

    def has_obs(self, key: str) -> bool:
        """Whether obs has a column ``key``."""
        return key in self._group("obs") and key != _index_name(self._group("obs"))

    def obs_column(self, key: str) -> Any:
        """The whole obs column ``key``: a ``pandas.Categorical`` or a numpy array."""
        import anndata

        return anndata.io.read_elem(self._obs_elem(key))

    def obs_values(self, key: str, start: int, stop: int) -> np.ndarray:
        """Raw values of obs column ``key`` for rows ``start:stop`` (strings as ``str`` objects).

        Categorical codes and plain arrays are read by range; other encodings (nullable
        integers, ...) are read whole once per process.
        """
        self.root  # noqa: B018  (resets per-process caches after a fork)
        if key not in self._obs_readers:
            self._obs_readers[key] = self._obs_reader(key)
        return self._obs_readers[key](start, stop)

    def _obs_reader(self, key: str) -> Callable[[int, int], np.ndarray]:
        import anndata

        elem = self._obs_elem(key)
        encoding = encoding_type(elem)
        if encoding == "categorical":
            categories = np.asarray(anndata.io.read_elem(elem["categories"]), dtype=object)
            codes = self._rows_of(elem["codes"], f"obs/{key}/codes")

            def decode(start: int, stop: int) -> np.ndarray:
                found = np.asarray(codes[start:stop])
                if not len(categories):
                    return np.full(len(found), np.nan, dtype=object)
                return np.where(found >= 0, categories[found], np.nan)

            return decode
        if encoding in ("array", "string-array") and not hasattr(elem, "keys"):
            rows = self._string_rows(elem, key) if encoding == "string-array" else self._rows_of(elem, f"obs/{key}")
            return lambda start, stop: _strings_as_objects(np.asarray(rows[start:stop]))
        whole = _strings_as_objects(np.asarray(anndata.io.read_elem(elem)))
        return lambda start, stop: whole[start:stop]

    def _string_rows(self, elem: Any, key: str) -> Any:
        return self._rows_of(elem, f"obs/{key}")

    def _rows_of(self, array: Any, name: str) -> Any:
        """``array`` as read by rows: as it is for h5py; through the chunk cache for zarr."""
        return array

    def _view(self, array: Any) -> np.ndarray | None:
        """The 2-D ``array`` memory-mapped, when its bytes allow it (:mod:`._mmap`); else ``None``."""
        return None

    def _runs(self, array: Any) -> _mmap.Runs | None:
        """Where the 1-D ``array`` lies in the memory-mapped file (:mod:`._mmap`); else ``None``."""
        return None

    def _obs_elem(self, key: str) -> Any:
        if not self.has_obs(key):
            raise ValidationError(
                f"'{self.path.name}' has no obs column '{key}'; its columns: {self.obs_columns()}",
                non_validated={"obs_keys": [key]},
            )
        return self._group("obs")[key]

    def _group(self, name: str) -> Any:
        root = self.root
        if name not in root:
            raise ValidationError(f"'{self.path.name}' has no '{name}': is it an AnnData store?")
        return root[name]

    # -- matrices ------------------------------------------------------------------------
    def matrix(self, layer: str) -> Matrix:
        """``X`` (``layer="X"``) or ``layers[layer]``, opened once per process."""
        self.root  # noqa: B018  (resets per-process caches after a fork)
        if layer not in self._matrices:
            self._matrices[layer] = self._open_matrix(layer)
        return self._matrices[layer]

    def _open_matrix(self, layer: str) -> Matrix:
        root = self.root
        where = "X" if layer == "X" else f"layers/{layer}"
        elem = root[where] if where in root else None
        if elem is None:
            raise ValidationError(f"'{self.path.name}' has no {where}", non_validated={"layers_keys": [layer]})
        encoding = encoding_type(elem)
        if not hasattr(elem, "keys"):
            if len(elem.shape) != 2:
                raise UnknownFormatError(f"{layer} of '{self.path.name}' is not 2-D (shape {elem.shape})")
            return DenseMatrix(self._rows_of(elem, where), self._view(elem))
        if encoding == "csr_matrix":
            return CsrMatrix(elem, lambda array, name: self._rows_of(array, f"{where}/{name}"), self._runs)
        hint = "; store it as CSR (adata.X = scipy.sparse.csr_matrix(adata.X))" if encoding == "csc_matrix" else ""
        raise UnknownFormatError(
            f"{layer} of '{self.path.name}' is '{encoding or 'unknown'}': mapped() reads dense and CSR matrices{hint}"
        )


class H5adSource(AnnDataSource):
    """An ``.h5ad`` file read through h5py."""

    def _open(self) -> Any:
        import h5py

        return h5py.File(self.path, "r", rdcc_nbytes=H5_CHUNK_CACHE_BYTES, rdcc_nslots=10007)

    def _close(self, root: Any) -> None:
        root.close()

    def _string_rows(self, elem: Any, key: str) -> Any:
        return elem.asstr()

    def _view(self, array: Any) -> np.ndarray | None:
        return _mmap.dataset_view(array, self._file_map())

    def _runs(self, array: Any) -> _mmap.Runs | None:
        return _mmap.dataset_runs(array, self._file_map())

    def _file_map(self) -> Any:
        if self._map is None:
            self._map = _mmap.open_map(self.path) or False
        return self._map or None


class ZarrSource(AnnDataSource):
    """A ``.zarr`` AnnData store (zarr format 2 or 3) read through zarr."""

    def _open(self) -> Any:
        import zarr

        return zarr.open_group(str(self.path), mode="r")

    def _rows_of(self, array: Any, name: str) -> Any:
        return ChunkedRows(array, key=(str(self.path), name))


def _index_name(df_group: Any) -> str:
    name = df_group.attrs.get("_index", "_index")
    return name.decode() if isinstance(name, bytes) else str(name)


def _strings_as_objects(values: np.ndarray) -> np.ndarray:
    return values.astype(object) if values.dtype.kind in "OSUT" else values
