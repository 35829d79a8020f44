"""Reading a collection back as one: load (concatenate), open (lazy), cache; input tracking."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from biolake import _process
from biolake.errors import UnknownFormatError
from biolake.formats.mapped import mapped as make_mapped
from biolake.models import artifact_access
from biolake.storage import paths

if TYPE_CHECKING:
    from biolake.models.artifact import Artifact
    from biolake.models.collection import Collection

SOURCE_COLUMN = "artifact_uid"


def track_input(collection: Collection) -> None:
    """Link a saved collection as an input of the tracked run, unless that run created it."""
    run = _process.run.get()
    if run is None or collection._state.adding or collection.run_id == run.pk:
        return
    run.input_collections.add(collection)


def _members(collection: Collection) -> list[Artifact]:
    return list(collection.ordered_artifacts)


def _single_otype(members: list[Artifact]) -> str:
    otypes = {a.otype for a in members}
    if len(otypes) != 1 or None in otypes:
        kinds = ", ".join(sorted(str(o) for o in otypes))
        raise UnknownFormatError(
            f"A collection loads as one object only when all its artifacts are DataFrames or all are "
            f"AnnData; this one mixes: {kinds}. Load the artifacts one by one: collection.artifacts.all()."
        )
    return otypes.pop()


def cache(collection: Collection) -> list[Path]:
    """Local paths of all members, in order (remote bytes are downloaded once)."""
    paths = [artifact_access._local(a) for a in _members(collection)]
    track_input(collection)
    return paths


def load(collection: Collection, join: Literal["inner", "outer"] = "outer", **kwargs: Any) -> Any:
    """Concatenate the members: DataFrames (rows) or AnnData (cells), with a column naming each row's artifact."""
    members = _members(collection)
    otype = _single_otype(members)
    objects = [artifact_access.load_untracked(a, **kwargs) for a in members]
    uids = [a.uid for a in members]
    if otype == "DataFrame":
        import pandas as pd

        frames = [obj.assign(**{SOURCE_COLUMN: uid}) for obj, uid in zip(objects, uids)]
        result = pd.concat(frames, join=join)
    elif otype == "AnnData":
        import anndata

        result = anndata.concat(objects, join=join, label=SOURCE_COLUMN, keys=uids, index_unique=None)
    else:
        raise UnknownFormatError(f"Collections of {otype} cannot be concatenated; load the artifacts one by one.")
    track_input(collection)
    return result


def open(collection: Collection, **kwargs: Any) -> Any:  # noqa: A001 (mirrors the public method name)
    """Lazy access: one pyarrow Dataset over parquet members; backed AnnData objects for h5ad/zarr."""
    members = _members(collection)
    suffixes = {a.suffix for a in members}
    if suffixes == {".parquet"}:
        import pyarrow.dataset as ds

        upaths = [artifact_access.stored_path(a) for a in members]
        if any(paths.is_remote(p) for p in upaths):
            result = ds.dataset([p.path for p in upaths], format="parquet", filesystem=upaths[0].fs)
        else:
            result = ds.dataset([str(Path(p.path)) for p in upaths], format="parquet")
    elif suffixes <= {".h5ad", ".zarr", ".anndata.zarr"}:
        result = [artifact_access.open_untracked(a, **kwargs) for a in members]
    else:
        raise UnknownFormatError(
            f"open() works on collections of parquet or of h5ad/zarr artifacts, not {sorted(suffixes)}."
        )
    track_input(collection)
    return result


def mapped(collection: Collection, **kwargs: Any) -> Any:
    """A map-style (torch) dataset over the cells of all h5ad/zarr members."""
    members = _members(collection)
    bad = sorted({a.suffix for a in members} - {".h5ad", ".zarr", ".anndata.zarr"})
    if bad:
        raise UnknownFormatError(f"mapped() works on h5ad and zarr artifacts; this collection also has {bad}.")
    dataset = make_mapped([artifact_access._local(a) for a in members], **kwargs)
    track_input(collection)
    return dataset
