"""Obs indexes on demand: build the missing ones (with a progress bar), for a query or ``biolake index build``."""

from __future__ import annotations

from typing import Any

from biolake import _logging as log
from biolake.models import Artifact, obs_index
from biolake.models.obs_index import ObsIndex


def indexable(artifacts: Any) -> list[Artifact]:
    """The AnnData/MuData artifacts among ``artifacts`` (a queryset or a list), with storage and index joined."""
    if artifacts is None:
        artifacts = Artifact.filter()
    if hasattr(artifacts, "filter"):
        return list(artifacts.filter(otype__in=sorted(obs_index.INDEXED_OTYPES)).select_related("storage", "obs_index"))
    return [a for a in artifacts if obs_index.indexable(a)]


def ensure(artifacts: list[Artifact], progress: bool = True) -> list[ObsIndex]:
    """The index of each artifact, building those that are missing (or older than this release's layout)."""
    missing = [a for a in artifacts if _stale(obs_index.existing(a))]
    if missing:
        log.info(f"building the obs index of {len(missing)} artifact(s) saved before it existed")
        _build_all(missing, progress)
    return [obs_index.existing(a) or obs_index.write(a) for a in artifacts]


def build(artifacts: Any = None, force: bool = False, progress: bool = True) -> int:
    """Build missing indexes (all with ``force``) of ``artifacts`` (default: every artifact); returns how many."""
    candidates = indexable(artifacts)
    todo = candidates if force else [a for a in candidates if _stale(obs_index.existing(a))]
    _build_all(todo, progress)
    return len(todo)


def _stale(index: ObsIndex | None) -> bool:
    from biolake.formats.obs_sidecar import FORMAT_VERSION

    return index is None or index.format_version < FORMAT_VERSION


def _build_all(artifacts: list[Artifact], progress: bool) -> None:
    if not artifacts:
        return
    from rich.progress import track

    steps = track(artifacts, description="indexing obs", transient=True) if progress and len(artifacts) > 1 else artifacts
    for artifact in steps:
        obs_index.write(artifact)
