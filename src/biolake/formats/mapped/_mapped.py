"""The map-style dataset over many AnnData stores; ``biolake.formats.mapped`` adds torch.

:class:`MappedCore` holds everything but the optional ``torch.utils.data.Dataset`` base:
one :mod:`._sources` source per store, the var join (:mod:`._joins`), the label encoders
(:mod:`._labels`), the cells kept by ``obs_filter``, and the block-shuffled batches
(:mod:`._blocks`), all modules of the :mod:`biolake.formats.mapped` package.
Everything decided once happens in ``__init__``; reading a cell touches only its store.
"""

from __future__ import annotations

import bisect
import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from biolake.errors import ValidationError
from biolake.formats.mapped import _blocks, _collate, _fetch, _labels, _rows, _windows
from biolake.formats.mapped._joins import ColumnMap, joint_var_names
from biolake.formats.mapped._sources import AnnDataSource, open_source

STORE_KEY = "_store_idx"


PathArg = str | os.PathLike[str]


class MappedCore:
    """Many ``.h5ad`` / ``.zarr`` AnnData stores as one indexable dataset of cells.

    Item ``i`` is a dict: each of ``layers_keys`` (``"X"`` by default) maps to the cell's
    expression row over :attr:`var_joint` (numpy, ``dtype``), each of ``obs_keys`` to its
    label (an ``int`` code when encoded, else the raw value) and ``"_store_idx"`` to the
    position of its store in ``paths``.

    Args:
        paths: the stores, in order (cells are numbered store by store).
        obs_keys: obs columns returned with each cell.
        layers_keys: ``"X"`` and/or names of ``layers``; each must be dense or CSR.
        join: ``"inner"`` (genes in every store, first store's order), ``"outer"`` (all genes,
            sorted, zeros where a store lacks one) or ``None`` (stores must have identical
            var names). Identical var names never cost a mapping.
        encode_labels: encode all ``obs_keys`` (``True``), none (``False``) or the listed ones
            as integer codes consistent across stores (see :attr:`encoders`); -1 means missing.
        obs_filter: keep only cells whose obs column matches: ``{"cell_type": ["T cell",
            "B cell"], "assay": "10x"}`` (a list means any of its values; all keys must match).
        dtype: dtype of the expression rows; ``None`` keeps the stored one (promoted to one
            dtype over all stores, so batches stack).
        cache_categories: keep each cell's label codes in memory (1-4 bytes per cell and key).
            ``False`` reads a cell's labels from its store on access instead.
        rows: per path, the (sorted) row positions of the cells to keep, instead of ``obs_filter``.

    Raises:
        UnknownFormatError: a path that is not ``.h5ad`` or ``.zarr``, or a CSC/unknown matrix.
        PathNotFoundError: a path that does not exist.
        ValidationError: a store without an obs key, filter key or layer; var names that
            differ with ``join=None``, or duplicated var names with a join.
    """

    def __init__(
        self,
        paths: Sequence[PathArg] | PathArg,
        obs_keys: Sequence[str] | str | None = None,
        layers_keys: Sequence[str] | str | None = None,
        join: Literal["inner", "outer"] | None = "inner",
        encode_labels: bool | Sequence[str] = True,
        obs_filter: dict[str, Any] | None = None,
        dtype: str | np.dtype | None = "float32",
        cache_categories: bool = True,
        rows: Sequence[Any] | None = None,
    ) -> None:
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        if not paths:
            raise ValueError("mapped() needs at least one path")
        self._sources: list[AnnDataSource] = [open_source(path) for path in paths]
        self.paths: list[Path] = [source.path for source in self._sources]
        self.obs_keys: list[str] = _as_list(obs_keys)
        self.layers_keys: list[str] = _as_list(layers_keys) or ["X"]
        self.join = join
        self.cache_categories = cache_categories
        self._encoded = set(self.obs_keys) if encode_labels is True else set(_as_list(encode_labels or []))
        self._check_keys()
        self._check_obs_keys()
        if rows is not None and (obs_filter or len(rows) != len(self._sources)):
            raise ValueError("rows takes one array of row positions per path, and no obs_filter")
        self._selections = (
            [_select(source, obs_filter) for source in self._sources]
            if rows is None
            else [np.asarray(r, dtype=np.int64) for r in rows]
        )
        self.n_obs_list: list[int] = [
            source.n_obs if selection is None else len(selection)
            for source, selection in zip(self._sources, self._selections)
        ]
        self._offsets: list[int] = np.concatenate(([0], np.cumsum(self.n_obs_list))).tolist()
        self._row_offsets = np.concatenate(([0], np.cumsum([source.n_obs for source in self._sources]))).astype(np.int64)
        self._concatenated: dict[str, np.ndarray] = {}
        self._setup_vars()
        self._dtypes = self._setup_dtypes(dtype)
        self._setup_labels()

    # -- set-up --------------------------------------------------------------------------
    def _check_keys(self) -> None:
        if not_in_obs_keys := sorted(self._encoded - set(self.obs_keys)):
            raise ValueError(f"encode_labels names {not_in_obs_keys}, which are not in obs_keys {self.obs_keys}")
        names = [*self.layers_keys, *self.obs_keys, STORE_KEY]
        if clashes := sorted({name for name in names if names.count(name) > 1}):
            raise ValueError(f"{clashes} used twice in layers_keys / obs_keys ('{STORE_KEY}' is reserved)")

    def _check_obs_keys(self) -> None:
        missing: dict[str, list[str]] = {}
        for source in self._sources:
            if absent := [key for key in self.obs_keys if not source.has_obs(key)]:
                missing[source.path.name] = absent
        if missing:
            where = "; ".join(f"'{name}' has no obs column {absent}" for name, absent in missing.items())
            keys = sorted({key for absent in missing.values() for key in absent})
            raise ValidationError(f"obs_keys missing from stores: {where}", non_validated={"obs_keys": keys})

    def _setup_vars(self) -> None:
        import pandas as pd

        var_names = [pd.Index(source.var_names()) for source in self._sources]
        labels = [source.path.name for source in self._sources]
        self.var_joint: pd.Index = joint_var_names(var_names, self.join, labels)
        self._column_maps = [ColumnMap.between(names, self.var_joint) for names in var_names]
        for source, names in zip(self._sources, var_names):
            for layer in self.layers_keys:
                shape = source.matrix(layer).shape
                if shape != (source.n_obs, len(names)):
                    raise ValidationError(
                        f"{layer} of '{source.path.name}' has shape {shape}, but the store has"
                        f" {source.n_obs} cells and {len(names)} var names"
                    )

    def _setup_dtypes(self, dtype: str | np.dtype | None) -> dict[str, np.dtype]:
        if dtype is not None:
            return dict.fromkeys(self.layers_keys, np.dtype(dtype))
        return {
            layer: np.result_type(*(source.matrix(layer).dtype for source in self._sources))
            for layer in self.layers_keys
        }

    def _setup_labels(self) -> None:
        self._categories: dict[str, Any] = {}
        self._codes: dict[str, list[np.ndarray]] = {}
        self._values: dict[str, list[np.ndarray]] = {}
        for key in self.obs_keys:
            if key in self._encoded:
                columns = [_labels.as_categorical(source.obs_column(key)) for source in self._sources]
                self._categories[key] = _labels.union_categories(columns)
                if self.cache_categories:
                    self._codes[key] = [_labels.recode(column, self._categories[key]) for column in columns]
            elif self.cache_categories:
                self._values[key] = [_labels.as_values(source.obs_column(key)) for source in self._sources]
        self.encoders: dict[str, dict[Any, int]] = {
            key: {category: code for code, category in enumerate(categories)}
            for key, categories in self._categories.items()
        }

    # -- map-style access ----------------------------------------------------------------
    def __len__(self) -> int:
        return self._offsets[-1]

    def __getitem__(self, idx: int) -> dict[str, Any]:
        store, row = self._locate(idx)
        source, columns = self._sources[store], self._column_maps[store]
        item: dict[str, Any] = {}
        for layer in self.layers_keys:
            matrix = source.matrix(layer)
            if matrix.sparse:
                item[layer] = columns.sparse_row(*matrix.row(row), self._dtypes[layer])
            else:
                item[layer] = columns.dense_row(matrix.row(row), self._dtypes[layer])
        for key in self.obs_keys:
            item[key] = self._label(key, store, row)
        item[STORE_KEY] = store
        return item

    def _locate(self, idx: int) -> tuple[int, int]:
        """The store and the file row of cell ``idx``."""
        n = len(self)
        if not isinstance(idx, (int, np.integer)):
            raise TypeError(f"cells are indexed by an int, not {type(idx).__name__}")
        position = int(idx) + n if idx < 0 else int(idx)
        if not 0 <= position < n:
            raise IndexError(f"cell {idx} out of range for {n} cells")
        store = bisect.bisect_right(self._offsets, position) - 1
        local = position - self._offsets[store]
        selection = self._selections[store]
        return store, local if selection is None else int(selection[local])

    def _label(self, key: str, store: int, row: int) -> Any:
        if key in self._codes:
            return int(self._codes[key][store][row])
        if key in self._values:
            return self._values[key][store][row]
        value = self._sources[store].obs_values(key, row, row + 1)[0]
        return self.encoders[key].get(value, -1) if key in self._encoded else value

    def __getitems__(self, indices: Sequence[int]) -> list[dict[str, Any]]:
        """The items ``[self[i] for i in indices]`` (same order and values), read in bulk.

        ``torch.utils.data.DataLoader`` calls this with each batch of indices. The cells are
        grouped by store; a memory-mapped store (an uncompressed ``.h5ad``) is gathered
        from directly, any other is read in as few slices as possible: its rows sorted,
        neighbours merged into ranges (:func:`._rows.coalesce`), one read per range.

        Layer values are read-only row views of one array per layer. ``default_collate`` of
        the items (what a DataLoader makes of them) is the batch it makes of ``self[i]``
        items, built from those arrays without stacking rows, and sent from a DataLoader
        worker as its place in shared memory (:mod:`._shared`), else as its non-zeros (:mod:`._collate`).

        Example:
            >>> items = ds.__getitems__([5, 0, 5])  # doctest: +SKIP
            >>> items[0]["X"].shape == ds[5]["X"].shape  # doctest: +SKIP
            True
        """
        positions = self._positions(indices)
        if not len(positions):
            return []
        allocate = _collate.register()
        stores, rows = self._file_rows(positions)
        cells = _grouped(stores)
        gathered = _collate.Gathered(len(positions))
        for layer in self.layers_keys:
            parts = [
                _fetch.Part(self._read_needed(group, layer, rows[at]), self._column_maps[group], rows[at], at)
                for group, at in cells
            ]
            n_out, dtype = len(self.var_joint), self._dtypes[layer]
            dense, non_zeros = _fetch.gather(parts, len(positions), n_out, dtype, allocate)
            gathered.add_rows(layer, dense, non_zeros)
        for key in self.obs_keys:
            if key in self._codes:  # encoded and cached: one gather over all stores
                gathered.add_codes(key, self._all_labels(key)[self._row_offsets[stores] + rows])
            elif key in self._encoded:
                gathered.add_codes(key, self._batch_labels(key, rows, cells, as_items=False))
            else:
                gathered.add_values(key, self._batch_labels(key, rows, cells, as_items=True))
        gathered.add_codes(STORE_KEY, stores.astype(np.int64))
        return gathered.items()

    def _positions(self, indices: Sequence[int]) -> np.ndarray:
        """``indices`` as non-negative cell positions (checked like ``__getitem__`` checks one)."""
        array = np.asarray(indices)
        if not array.size:
            return np.empty(0, np.int64)
        if array.ndim != 1 or array.dtype.kind not in "iub":
            raise TypeError(f"cells are indexed by a list of ints, not {array.dtype} values of shape {array.shape}")
        array = array.astype(np.int64)
        n = len(self)
        positions = np.where(array < 0, array + n, array)
        if (bad := np.flatnonzero((positions < 0) | (positions >= n))).size:
            raise IndexError(f"cell {int(array[bad[0]])} out of range for {n} cells")
        return positions

    def _file_rows(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The store and the file row of each cell position."""
        stores = np.searchsorted(self._offsets, positions, side="right") - 1
        rows = positions - np.asarray(self._offsets)[stores]
        for store, selection in enumerate(self._selections):
            if selection is not None:
                mine = stores == store
                rows[mine] = selection[rows[mine]]
        return stores, rows

    def _read_needed(self, group: int, layer: str, file_rows: np.ndarray) -> _rows.Rows:
        """The rows ``file_rows`` of store ``group``: the sorted rows coalesced into ranges."""
        matrix = self._sources[group].matrix(layer)
        whole = matrix.mapped
        return whole if whole is not None else matrix.read_ranges(*_rows.coalesce(np.unique(file_rows)))

    def _batch(
        self,
        stores: np.ndarray,
        rows: np.ndarray,
        groups: np.ndarray,
        part: Callable[[int, str, np.ndarray], _fetch.Part],
        cached: dict[str, np.ndarray],
    ) -> dict[str, Any]:
        """The cells ``(stores, rows)`` as a batch, read group by group: ``part(group, layer, at)``
        is the :class:`._fetch.Part` of the cells at batch positions ``at`` of ``group``;
        ``cached`` holds the batch's labels of keys kept in memory (:meth:`_epoch_labels`).

        Layers are 2-D arrays, labels arrays.
        """
        n = len(rows)
        cells = _grouped(groups)
        batch: dict[str, Any] = {}
        for layer in self.layers_keys:
            parts = [part(group, layer, at) for group, at in cells]
            batch[layer] = _fetch.dense_batch(parts, n, len(self.var_joint), self._dtypes[layer])
        by_store = None
        for key in self.obs_keys:
            if key in cached:
                batch[key] = cached[key]
                continue
            by_store = by_store or _grouped(stores)
            batch[key] = self._batch_labels(key, rows, by_store, as_items=False)
        batch[STORE_KEY] = stores.astype(np.int64)
        return batch

    def _epoch_labels(self, stores: np.ndarray, rows: np.ndarray) -> dict[str, np.ndarray]:
        """The labels kept in memory (codes, or values) of the cells ``(stores, rows)``, one gather per key."""
        keys = self._row_offsets[stores] + rows
        return {key: self._all_labels(key)[keys] for key in self.obs_keys if key in self._codes or key in self._values}

    def _batch_labels(self, key: str, rows: np.ndarray, by_store: list[tuple[int, np.ndarray]], as_items: bool) -> Any:
        parts = [(self._labels_of(key, store, rows[at]), at) for store, at in by_store]
        if key in self._encoded:
            codes = _fetch.gather_labels(parts, len(rows)).astype(np.int64)
            return codes.tolist() if as_items else codes
        return _fetch.gather_objects(parts, len(rows)) if as_items else _fetch.gather_labels(parts, len(rows))

    def _all_labels(self, key: str) -> np.ndarray:
        """The cached labels of ``key`` of all stores' file rows, concatenated (codes as ``int64``)."""
        if key not in self._concatenated:
            if key in self._codes:
                self._concatenated[key] = np.concatenate(self._codes[key]).astype(np.int64)
            else:
                self._concatenated[key] = np.concatenate(self._values[key])
        return self._concatenated[key]

    def _labels_of(self, key: str, store: int, file_rows: np.ndarray) -> np.ndarray:
        """The labels of ``file_rows`` of ``store``: codes when encoded, else raw values."""
        cached = self._codes.get(key) or self._values.get(key)
        if cached is not None:
            labels: np.ndarray = cached[store][file_rows]
            return labels
        needed = np.unique(file_rows)
        starts, stops = _rows.coalesce(needed)
        source = self._sources[store]
        values = np.concatenate([source.obs_values(key, int(a), int(b)) for a, b in zip(starts, stops)])
        labels = values[_rows.RowIndex.of_ranges(starts, stops).local(file_rows)]
        return _labels.encode_values(labels, self._categories[key]) if key in self._encoded else labels

    # -- batches -------------------------------------------------------------------------
    def iter_batches(
        self,
        batch_size: int,
        shuffle: bool = True,
        block_size: int = 1024,
        seed: int | None = None,
        drop_last: bool = False,
        window: int = 8,
    ) -> Iterator[dict[str, np.ndarray]]:
        """Batches of stacked numpy arrays, block-shuffled: the fast path over files.

        Each store's cells are cut into blocks of ``block_size`` consecutive rows; with
        ``shuffle`` the block order is random and the cells of every ``window`` consecutive
        blocks are permuted together (so a batch mixes cells from up to ``window`` blocks
        of any stores, not from the whole dataset; see :mod:`biolake.formats.mapped._blocks`).
        Every cell comes exactly once per call. Without ``shuffle`` batches follow the
        dataset order. Stores are read a few windows at a time (at least 8,192 cells), their
        cells copied in the order they are served (straight from the memory map of an
        uncompressed ``.h5ad``), so that scipy densifies each batch from a slice of those
        rows (:mod:`._windows`). Reads happen in the calling process; a ``DataLoader`` with workers
        parallelises :meth:`__getitems__` instead.

        Args:
            batch_size: cells per batch; the last batch may be smaller unless ``drop_last``.
            shuffle: shuffle blocks and rows within windows.
            block_size: rows per block.
            seed: seed of the shuffles; ``None`` draws a fresh one (a new order each call).
            drop_last: skip a last batch smaller than ``batch_size``.
            window: blocks pooled and shuffled together (memory: the rows of
                ``max(window * block_size, 8192)`` cells, two reads at a time).

        Yields:
            dicts with the keys of an item; layers are 2-D ``(cells, genes)`` arrays, encoded
            labels and ``"_store_idx"`` ``int64`` arrays.

        Example:
            >>> for batch in ds.iter_batches(256, seed=0):  # doctest: +SKIP
            ...     model.step(collate(batch))
        """
        rng = np.random.default_rng(seed) if shuffle else None
        plan = _blocks.plan_blocks([source.n_obs for source in self._sources], self._selections, block_size)
        epoch = _blocks.epoch(plan, window, rng)
        # A memory-mapped store whose indices and data are not addressed alike is gathered from
        # directly when a batch spans many windows (tiny blocks); otherwise every store is read
        # window by window, its cells in the order they are served.
        gather = window * block_size < batch_size
        direct = [gather and all(_direct(s.matrix(layer).mapped) for layer in self.layers_keys) for s in self._sources]
        reads = _windows.WindowReads(plan, epoch, self._column_maps, direct, self._read_ranges, self._whole, self._dtypes)
        # Everything per cell is looked up once per epoch; a batch takes slices.
        stores, rows, groups = reads.stores, reads.rows, reads.groups()
        labels = self._epoch_labels(stores, rows)
        for begin in _blocks.batch_bounds(len(epoch.cells), batch_size, drop_last):
            end = begin + batch_size
            part = functools.partial(_window_part, reads, begin)
            cached = {key: values[begin:end].copy() for key, values in labels.items()}
            yield self._batch(stores[begin:end], rows[begin:end], groups[begin:end], part, cached)

    def _read_ranges(
        self, store: int, layer: str, starts: np.ndarray, stops: np.ndarray
    ) -> _rows.CsrPieces | _rows.DenseRows:
        return self._sources[store].matrix(layer).read_pieces(starts, stops)

    def _whole(self, store: int, layer: str) -> _rows.Rows | None:
        return self._sources[store].matrix(layer).mapped

    # -- labels --------------------------------------------------------------------------
    def get_merged_categories(self, key: str) -> list[Any]:
        """The categories of obs column ``key`` over all stores (the encoder order)."""
        if key in self._categories:
            return list(self._categories[key])
        columns = [_labels.as_categorical(source.obs_column(key)) for source in self._sources]
        return list(_labels.union_categories(columns))

    def get_merged_labels(self, key: str) -> np.ndarray:
        """The (decoded) values of obs column ``key`` for every cell, in dataset order."""
        if key in self._codes:
            import pandas as pd

            codes = self._merged(self._codes[key])
            return np.asarray(pd.Categorical.from_codes(codes, self._categories[key]), dtype=object)
        if key in self._values:
            return self._merged(self._values[key])
        return self._merged([_labels.as_values(source.obs_column(key)) for source in self._sources])

    def get_label_weights(self, obs_keys: str | Sequence[str]) -> np.ndarray:
        """Per-cell sampling weights, inversely proportional to the frequency of its label.

        With several keys, each combination of labels is one class. Every class present gets
        total weight 1, so ``torch.utils.data.WeightedRandomSampler(weights, len(ds))``
        draws the classes about equally often.
        """
        keys = _as_list(obs_keys)
        if not keys:
            raise ValueError("get_label_weights needs at least one obs key")
        labels = [
            self._merged(self._codes[key]) if key in self._codes else self.get_merged_labels(key)
            for key in keys
        ]
        return _labels.inverse_frequency_weights(labels)

    def _merged(self, per_store: list[np.ndarray]) -> np.ndarray:
        """Per-store arrays over all file rows, concatenated over the kept cells."""
        kept = [
            values if selection is None else values[selection]
            for values, selection in zip(per_store, self._selections)
        ]
        return np.concatenate(kept)

    # -- resources -----------------------------------------------------------------------
    def close(self) -> None:
        """Close the file handles of this process; using the dataset again reopens them."""
        for source in self._sources:
            source.close()

    def __enter__(self) -> MappedCore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(n_obs={len(self)}, n_vars={len(self.var_joint)}, stores={len(self._sources)},"
            f" join={self.join!r}, layers_keys={self.layers_keys}, obs_keys={self.obs_keys})"
        )


def _window_part(reads: _windows.WindowReads, begin: int, group: int, layer: str, at: np.ndarray) -> _fetch.Part:
    return reads.part(group, layer, begin, at)


def _grouped(groups: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Each distinct value of ``groups`` with the positions holding it (in order)."""
    if len(groups) and groups[0] == groups[-1] and (groups == groups[0]).all():  # one group (iter_batches)
        return [(int(groups[0]), np.arange(len(groups)))]
    if len(groups) < 2 or (groups[1:] >= groups[:-1]).all():  # already in order (iter_batches)
        order, ordered = np.arange(len(groups)), groups
    else:
        order = np.argsort(groups, kind="stable")
        ordered = groups[order]
    firsts = np.concatenate(([0], np.flatnonzero(ordered[1:] != ordered[:-1]) + 1))
    bounds = [*firsts.tolist(), len(groups)]
    return [(int(ordered[first]), order[first : bounds[k + 1]]) for k, first in enumerate(firsts.tolist())]


def _as_list(value: Sequence[str] | str | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _select(source: AnnDataSource, obs_filter: dict[str, Any] | None) -> np.ndarray | None:
    """The rows of ``source`` kept by ``obs_filter`` (``None``: all rows)."""
    if not obs_filter:
        return None
    import pandas as pd

    keep = np.ones(source.n_obs, bool)
    for key, wanted in obs_filter.items():
        if not source.has_obs(key):
            raise ValidationError(
                f"obs_filter key '{key}' is not an obs column of '{source.path.name}'",
                non_validated={"obs_filter": [key]},
            )
        wanted = [wanted] if isinstance(wanted, (str, bytes)) or not isinstance(wanted, Iterable) else list(wanted)
        keep &= pd.Series(source.obs_column(key)).isin(wanted).to_numpy()
    return np.flatnonzero(keep)


def _direct(whole: _rows.Rows | None) -> bool:
    """Whether a memory-mapped matrix is gathered from directly by tiny blocks (not served by windows)."""
    return isinstance(whole, _rows.MappedCsr) and whole.paired is None
