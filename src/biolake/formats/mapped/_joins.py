"""Join the var names (genes) of several stores, and map each store's columns onto the join.

The joint order is the one ``anndata.concat`` gives, so ``MappedDataset.var_joint`` equals
the var names of the concatenated AnnData: ``"inner"`` keeps the genes every store has, in
the first store's order; ``"outer"`` takes the union (sorted, as ``pandas.Index.union``
sorts); ``None`` requires identical var names. A :class:`ColumnMap` turns one store's row
(dense, or CSR ``indices``/``data``) into a row over the joint genes: absent genes are
zeros, genes outside an inner join are dropped.

Example:
    >>> import pandas as pd
    >>> joint = joint_var_names([pd.Index(["a", "b", "c"]), pd.Index(["c", "a"])], "inner")
    >>> list(joint)
    ['a', 'c']
    >>> ColumnMap.between(pd.Index(["c", "a"]), joint).dense_row(np.array([3.0, 1.0]), np.float32)
    array([1., 3.], dtype=float32)
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Literal

import numpy as np

from biolake.errors import ValidationError

if TYPE_CHECKING:
    import pandas as pd
    import scipy.sparse

Join = Literal["inner", "outer"] | None


def joint_var_names(var_names: list[pd.Index], join: Join, labels: list[str] | None = None) -> pd.Index:
    """The joint var names of stores with ``var_names`` (``labels`` name the stores in errors)."""
    if join not in ("inner", "outer", None):
        raise ValueError(f"join must be 'inner', 'outer' or None, not {join!r}")
    labels = labels or [f"store {i}" for i in range(len(var_names))]
    first = var_names[0]
    if all(names.equals(first) for names in var_names[1:]):
        return first
    if join is None:
        i = next(i for i, names in enumerate(var_names) if not names.equals(first))
        only_first = list(first.difference(var_names[i])[:5])
        only_other = list(var_names[i].difference(first)[:5])
        raise ValidationError(
            f"join=None needs identical var names, but '{labels[i]}' differs from '{labels[0]}'"
            f" (only in the first: {only_first}, only in '{labels[i]}': {only_other}, or another order);"
            " pass join='inner' or join='outer'",
            non_validated={"var_names": only_first + only_other},
        )
    for label, names in zip(labels, var_names):
        if names.has_duplicates:
            duplicated = list(names[names.duplicated()].unique()[:5])
            raise ValidationError(
                f"'{label}' has duplicated var names {duplicated}: a join over var names needs unique names",
                non_validated={"var_names": duplicated},
            )
    if join == "inner":
        return functools.reduce(lambda left, right: left.intersection(right, sort=False), var_names)
    return functools.reduce(lambda left, right: left.union(right), var_names)


class ColumnMap:
    """Where each column of one store goes in the joint var order.

    Args:
        lookup: for each store column, its joint position, or -1 when the join drops it;
            ``None`` when the store's columns are the joint columns already.
        n_out: the number of joint columns.
    """

    def __init__(self, lookup: np.ndarray | None, n_out: int) -> None:
        self.n_out = n_out
        self.lookup = lookup
        self.identity = lookup is None
        if lookup is not None:
            self._src = np.flatnonzero(lookup >= 0)
            self._dst = lookup[self._src]
            # Every joint column present once (an inner join): a dense row is one `take`.
            self._take: np.ndarray | None = None
            if len(self._dst) == n_out:
                self._take = np.empty(n_out, np.int64)
                self._take[self._dst] = self._src

    @classmethod
    def between(cls, names: pd.Index, joint: pd.Index) -> ColumnMap:
        """The map from a store with var ``names`` onto ``joint``."""
        if names.equals(joint):
            return cls(None, len(joint))
        return cls(joint.get_indexer(names).astype(np.int64), len(joint))

    def dense_row(self, row: np.ndarray, dtype: np.dtype | type) -> np.ndarray:
        """A dense store row over the joint columns."""
        if self.identity:
            return _own(row, dtype)
        if self._take is not None:
            taken: np.ndarray = row[self._take].astype(dtype, copy=False)
            return taken
        out = np.zeros(self.n_out, dtype)
        out[self._dst] = row[self._src]
        return out

    def sparse_row(self, indices: np.ndarray, data: np.ndarray, dtype: np.dtype | type) -> np.ndarray:
        """A CSR row (its ``indices`` and ``data``) as a dense row over the joint columns (a column listed
        twice gets the sum, as in scipy)."""
        out = np.zeros(self.n_out, dtype)
        if self.lookup is not None:  # not identity
            position = self.lookup[indices]
            keep = position >= 0
            indices, data = position[keep], data[keep]
        if len(indices) < 2 or (indices[1:] > indices[:-1]).all():  # sorted and distinct (canonical CSR)
            out[indices] = data
        else:  # duplicate entries add up, as in scipy
            np.add.at(out, indices, data.astype(dtype, copy=False))
        return out

    def dense_rows(self, block: np.ndarray, dtype: np.dtype | type) -> np.ndarray:
        """A 2-D dense block over the joint columns."""
        if self.identity:
            return _own(block, dtype)
        if self._take is not None:
            return block[:, self._take].astype(dtype, copy=False)
        out = np.zeros((block.shape[0], self.n_out), dtype)
        out[:, self._dst] = block[:, self._src]
        return out

    def sparse_rows(
        self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, dtype: np.dtype | type
    ) -> scipy.sparse.csr_matrix:
        """CSR rows as a ``scipy.sparse.csr_matrix`` over the joint columns (kept sparse)."""
        import scipy.sparse

        data = data.astype(dtype, copy=False)
        if self.lookup is not None:  # not identity
            position = self.lookup[indices]
            keep = position >= 0
            if not keep.all():
                kept_before = np.concatenate(([0], np.cumsum(keep)))
                indptr = kept_before[indptr]
                data, position = data[keep], position[keep]
            indices = position
        shape = (len(indptr) - 1, self.n_out)
        return scipy.sparse.csr_matrix((data, indices, indptr), shape=shape)


def _own(values: np.ndarray, dtype: np.dtype | type) -> np.ndarray:
    """``values`` as ``dtype``, copied only when it is read-only (a cached chunk) or cast."""
    if values.flags.writeable and values.dtype == dtype:
        return values
    return np.array(values, dtype=dtype)
