"""``artifact.diff(other)``: what changed between two artifacts (e.g. two versions) of a DataFrame or AnnData.

Loads both objects and hands them to :mod:`biolake.formats.frame_diff`; the result says
which artifacts were compared and prints as text.

Example:
    >>> v0, v1 = ln.Artifact.get(key="my_datasets/rnaseq1.parquet").versions.all()  # doctest: +SKIP
    >>> print(v0.diff(v1))  # doctest: +SKIP
    Artifact 3hTDb1YqAAQN2ckj0000 → 3hTDb1YqAAQN2ckj0001 (DataFrame)
    shape: 3 × 11 → 3 × 11
    categories of 'perturbation': renamed 'IFNJ' → 'IFNG'
"""

from __future__ import annotations

import dataclasses
from typing import Any

from biolake.errors import InvalidArgument
from biolake.formats.frame_diff import AnnDataDiff, FrameDiff, diff_anndata, diff_frames

__all__ = ["ArtifactDiff", "diff"]

_KINDS = {"DataFrame": "DataFrame", "AnnData": "AnnData"}


@dataclasses.dataclass
class ArtifactDiff:
    """The difference from artifact ``old_uid`` to ``new_uid``; ``changes`` holds the details."""

    old_uid: str
    new_uid: str
    otype: str
    changes: FrameDiff | AnnDataDiff

    def __bool__(self) -> bool:
        return bool(self.changes)

    def lines(self) -> list[str]:
        """The diff as text lines, headed by the two uids."""
        return [f"Artifact {self.old_uid} → {self.new_uid} ({self.otype})", *self.changes.lines()]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return str(self)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return {"old_uid": self.old_uid, "new_uid": self.new_uid, "otype": self.otype, **self.changes.to_dict()}


def _otype(artifact: Any, obj: Any) -> str:
    name = type(obj).__name__
    if name not in _KINDS:
        raise InvalidArgument(
            f"Artifact {artifact.uid} ({artifact.key or artifact.suffix}) loads as {name}: "
            "diff() compares DataFrame or AnnData artifacts (parquet, csv, h5ad, zarr)."
        )
    return name


def _stored(artifact: Any) -> Any:
    """The artifact as read from the database: it loads the stored bytes, not an in-memory object
    that may have changed since it was saved (``from_df(df)`` keeps ``df``)."""
    return type(artifact).objects.using(artifact._state.db or "default").get(pk=artifact.pk)


def diff(old: Any, new: Any, row_limit: int | None = None) -> ArtifactDiff:
    """The structured difference from artifact ``old`` to artifact ``new``.

    Args:
        old: the earlier artifact (saved).
        new: the later one; both must load as DataFrames or both as AnnData objects.
        row_limit: compare values row by row only up to this many rows (default
            :data:`biolake.formats.frame_diff.ROW_LIMIT`); larger frames are compared by
            shape, columns, dtypes, categories and index.

    Raises:
        InvalidArgument: an artifact is not a DataFrame or AnnData, or they differ in type.
    """
    from biolake.formats import frame_diff

    if type(new).__name__ != "Artifact":
        raise InvalidArgument(f"diff() compares two artifacts, not an artifact and {type(new).__name__}.")
    old_obj, new_obj = _stored(old).load(), _stored(new).load()
    kinds = _otype(old, old_obj), _otype(new, new_obj)
    if kinds[0] != kinds[1]:
        raise InvalidArgument(f"Cannot compare a {kinds[0]} ({old.uid}) with an {kinds[1]} ({new.uid}).")
    limit = frame_diff.ROW_LIMIT if row_limit is None else row_limit
    changes = diff_frames(old_obj, new_obj, limit) if kinds[0] == "DataFrame" else diff_anndata(old_obj, new_obj, limit)
    return ArtifactDiff(old_uid=old.uid, new_uid=new.uid, otype=kinds[0], changes=changes)
