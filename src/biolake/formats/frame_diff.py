"""Structured differences between two DataFrames or two AnnData objects (two artifact versions).

:func:`diff_frames` compares shape, columns, dtypes, the categories of categorical columns
(added, removed and renamed: a category is *renamed* when exactly the rows that had the old
value have the new one) and, for frames up to ``row_limit`` rows, the cells of the rows both
frames share by index. :func:`diff_anndata` does the same for ``obs`` and ``var`` and lists
the keys of ``layers``, ``obsm``, ``varm``, ``obsp``, ``varp`` and ``uns`` added or removed.

Example:
    >>> print(diff_frames(old, new))  # doctest: +SKIP
    shape: 3 × 11 → 3 × 11
    categories of 'perturbation': renamed 'IFNJ' → 'IFNG'
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AnnDataDiff", "CategoryChange", "CellChange", "FrameDiff", "diff_anndata", "diff_frames"]

ROW_LIMIT = 100_000  # frames with more rows are compared by index and columns only
MAX_LISTED = 50  # rows and cells listed one by one; beyond, counts


@dataclasses.dataclass(frozen=True)
class CategoryChange:
    """How the categories of one categorical column changed."""

    column: str
    added: list[str] = dataclasses.field(default_factory=list)
    removed: list[str] = dataclasses.field(default_factory=list)
    renamed: dict[str, str] = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        parts = [f"renamed {old!r} → {new!r}" for old, new in self.renamed.items()]
        if self.added:
            parts.append("added " + ", ".join(map(repr, self.added)))
        if self.removed:
            parts.append("removed " + ", ".join(map(repr, self.removed)))
        return f"categories of {self.column!r}: " + "; ".join(parts)


@dataclasses.dataclass(frozen=True)
class CellChange:
    """One value that differs between the two frames (row by index label, column by name)."""

    row: str
    column: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"[{self.row}, {self.column}]: {self.old!r} → {self.new!r}"


@dataclasses.dataclass
class FrameDiff:
    """The difference between two DataFrames; ``str()`` prints it, ``bool()`` says whether they differ."""

    shape: tuple[tuple[int, int], tuple[int, int]]
    columns_added: list[str] = dataclasses.field(default_factory=list)
    columns_removed: list[str] = dataclasses.field(default_factory=list)
    dtypes_changed: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    categories: list[CategoryChange] = dataclasses.field(default_factory=list)
    rows_added: list[str] = dataclasses.field(default_factory=list)
    rows_removed: list[str] = dataclasses.field(default_factory=list)
    n_rows_added: int = 0
    n_rows_removed: int = 0
    cells_compared: bool = True
    cell_changes: list[CellChange] = dataclasses.field(default_factory=list)
    n_cells_changed: int = 0
    n_rows_changed: int = 0

    def __bool__(self) -> bool:
        return bool(
            self.shape[0] != self.shape[1] or self.columns_added or self.columns_removed or self.dtypes_changed
            or self.categories or self.n_rows_added or self.n_rows_removed or self.n_cells_changed
        )

    def lines(self, name: str = "") -> list[str]:
        """The diff as text lines (``name`` prefixes the section, e.g. ``obs``)."""
        (r0, c0), (r1, c1) = self.shape
        prefix = f"{name} " if name else ""
        out = [f"{prefix}shape: {r0} × {c0} → {r1} × {c1}"]
        if self.columns_added:
            out.append(f"{prefix}columns added: " + ", ".join(self.columns_added))
        if self.columns_removed:
            out.append(f"{prefix}columns removed: " + ", ".join(self.columns_removed))
        for column, (old, new) in self.dtypes_changed.items():
            out.append(f"{prefix}dtype of {column!r}: {old} → {new}")
        out.extend(f"{prefix}{change}" for change in self.categories)
        out.extend(_listed(f"{prefix}rows added", self.rows_added, self.n_rows_added))
        out.extend(_listed(f"{prefix}rows removed", self.rows_removed, self.n_rows_removed))
        if not self.cells_compared:
            out.append(f"{prefix}values not compared (more than {ROW_LIMIT} rows)")
        elif self.n_cells_changed:
            out.append(f"{prefix}values changed: {self.n_cells_changed} in {self.n_rows_changed} row(s)")
            out.extend(f"  {change}" for change in self.cell_changes)
            if self.n_cells_changed > len(self.cell_changes):
                out.append(f"  ... and {self.n_cells_changed - len(self.cell_changes)} more")
        if not self:
            out.append(f"{prefix}no differences")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return dataclasses.asdict(self)


@dataclasses.dataclass
class AnnDataDiff:
    """The difference between two AnnData objects: ``obs``, ``var`` and the keys of the other slots."""

    shape: tuple[tuple[int, int], tuple[int, int]]
    obs: FrameDiff
    var: FrameDiff
    keys_added: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    keys_removed: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.shape[0] != self.shape[1] or self.obs or self.var or self.keys_added or self.keys_removed)

    def lines(self) -> list[str]:
        """The diff as text lines."""
        (o0, v0), (o1, v1) = self.shape
        out = [f"shape: {o0} obs × {v0} var → {o1} obs × {v1} var"]
        out.extend(self.obs.lines("obs")[1:] if self.obs else [])
        out.extend(self.var.lines("var")[1:] if self.var else [])
        for slot, keys in self.keys_added.items():
            out.append(f"{slot} keys added: " + ", ".join(keys))
        for slot, keys in self.keys_removed.items():
            out.append(f"{slot} keys removed: " + ", ".join(keys))
        if not self:
            out.append("no differences")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return dataclasses.asdict(self)


def _listed(title: str, items: list[str], total: int) -> list[str]:
    if not total:
        return []
    more = f" (and {total - len(items)} more)" if total > len(items) else ""
    return [f"{title} ({total}): " + ", ".join(items) + more]


def diff_frames(old: pd.DataFrame, new: pd.DataFrame, row_limit: int = ROW_LIMIT, max_listed: int = MAX_LISTED) -> FrameDiff:
    """The structured difference from ``old`` to ``new``.

    Args:
        old: the earlier frame.
        new: the later frame.
        row_limit: compare values only when both frames have at most this many rows.
        max_listed: list at most this many added/removed rows and changed cells.
    """
    old_cols, new_cols = [str(c) for c in old.columns], [str(c) for c in new.columns]
    common = [c for c in old.columns if c in set(new.columns)]
    result = FrameDiff(
        shape=(old.shape, new.shape),
        columns_added=[c for c in new_cols if c not in set(old_cols)],
        columns_removed=[c for c in old_cols if c not in set(new_cols)],
    )
    renames: dict[Any, dict[Any, Any]] = {}
    for column in common:
        a, b = old[column], new[column]
        if str(a.dtype) != str(b.dtype) and not (_is_categorical(a) and _is_categorical(b)):
            result.dtypes_changed[str(column)] = (str(a.dtype), str(b.dtype))
        if _is_categorical(a) and _is_categorical(b):
            change = _category_change(str(column), a, b)
            if change is not None:
                result.categories.append(change)
                renames[column] = {_category_key(a, k): v for k, v in change.renamed.items()}
    _diff_rows(old, new, result, max_listed)
    if max(len(old), len(new)) > row_limit or not (old.index.is_unique and new.index.is_unique):
        result.cells_compared = False
    else:
        _diff_cells(old, new, common, renames, result, max_listed)
    return result


def _is_categorical(series: pd.Series) -> bool:
    return str(series.dtype) == "category"


def _category_key(series: pd.Series, text: str) -> Any:
    """The category of ``series`` whose ``str()`` is ``text``."""
    return next(c for c in series.cat.categories if str(c) == text)


def _category_change(column: str, a: pd.Series, b: pd.Series) -> CategoryChange | None:
    old_cats, new_cats = list(a.cat.categories), list(b.cat.categories)
    removed = [c for c in old_cats if c not in set(new_cats)]
    added = [c for c in new_cats if c not in set(old_cats)]
    if not removed and not added:
        return None
    renamed = _renamed(a, b, removed, added)
    return CategoryChange(
        column=column,
        added=[str(c) for c in added if c not in renamed.values()],
        removed=[str(c) for c in removed if c not in renamed],
        renamed={str(k): str(v) for k, v in renamed.items()},
    )


def _renamed(a: pd.Series, b: pd.Series, removed: list[Any], added: list[Any]) -> dict[Any, Any]:
    """Removed categories whose rows (by shared index) all carry one added category, and only they."""
    if not (a.index.is_unique and b.index.is_unique):
        return {}
    shared = a.index.intersection(b.index)
    old, new = a.loc[shared], b.loc[shared]
    renamed: dict[Any, Any] = {}
    for category in removed:
        rows = old == category
        values = set(new[rows].dropna().unique())
        if len(values) != 1 or not rows.any():
            continue
        (candidate,) = values
        if candidate in added and candidate not in renamed.values() and bool((new == candidate).eq(rows).all()):
            renamed[category] = candidate
    return renamed


def _diff_rows(old: pd.DataFrame, new: pd.DataFrame, result: FrameDiff, max_listed: int) -> None:
    added = new.index.difference(old.index, sort=False)
    removed = old.index.difference(new.index, sort=False)
    result.n_rows_added, result.n_rows_removed = len(added), len(removed)
    result.rows_added = [str(i) for i in added[:max_listed]]
    result.rows_removed = [str(i) for i in removed[:max_listed]]


def _diff_cells(
    old: pd.DataFrame, new: pd.DataFrame, columns: list[Any], renames: dict[Any, dict[Any, Any]],
    result: FrameDiff, max_listed: int,
) -> None:
    """Compare the values of the shared rows (in ``old``'s order) and shared columns."""
    shared = old.index.intersection(new.index, sort=False)
    changed_rows: set[Any] = set()
    for column in columns:
        a = old.loc[shared, column].astype(object)
        b = new.loc[shared, column].astype(object)
        if column in renames:
            a = a.map(lambda value, mapping=renames[column]: mapping.get(value, value))
        differs = ~((a == b) | (a.isna() & b.isna()))
        n = int(differs.sum())
        if not n:
            continue
        result.n_cells_changed += n
        changed_rows.update(a.index[differs.to_numpy()])
        for row in a.index[differs.to_numpy()]:
            if len(result.cell_changes) >= max_listed:
                break
            result.cell_changes.append(CellChange(str(row), str(column), _plain(a[row]), _plain(b[row])))
    result.n_rows_changed = len(changed_rows)
    order = {str(label): i for i, label in enumerate(shared)}
    result.cell_changes.sort(key=lambda c: (order[c.row], c.column))


def _plain(value: Any) -> Any:
    """A numpy scalar as a Python one (for printing and JSON)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


_SLOTS = ("layers", "obsm", "varm", "obsp", "varp", "uns")


def diff_anndata(old: Any, new: Any, row_limit: int = ROW_LIMIT, max_listed: int = MAX_LISTED) -> AnnDataDiff:
    """The structured difference from AnnData ``old`` to ``new`` (``obs``, ``var``, slot keys)."""
    result = AnnDataDiff(
        shape=((old.n_obs, old.n_vars), (new.n_obs, new.n_vars)),
        obs=diff_frames(old.obs, new.obs, row_limit, max_listed),
        var=diff_frames(old.var, new.var, row_limit, max_listed),
    )
    for slot in _SLOTS:
        old_keys, new_keys = set(getattr(old, slot).keys()), set(getattr(new, slot).keys())
        if new_keys - old_keys:
            result.keys_added[slot] = sorted(map(str, new_keys - old_keys))
        if old_keys - new_keys:
            result.keys_removed[slot] = sorted(map(str, old_keys - new_keys))
    return result
