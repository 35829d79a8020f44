"""The obs index of an AnnData/MuData artifact: a parquet sidecar of its obs, registered on it.

``artifact.obs_index`` is the :class:`ObsIndex` record (raises ``AttributeError`` when the
artifact has none yet). The sidecar is written when the artifact is saved (one small parquet
of obs, another of var); artifacts saved before have theirs built on the first cell query or
by ``biolake index build``. Sidecars are not artifacts, so ``Artifact.filter()`` never lists them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from biolake.formats import obs_sidecar
from biolake.storage import transfer

if TYPE_CHECKING:
    from upath import UPath

    from biolake.models.artifact import Artifact

INDEXED_OTYPES = frozenset({"AnnData", "MuData"})


class ObsIndex(models.Model):
    """Where an artifact's obs sidecar is and what it holds (cells, genes, columns)."""

    artifact = models.OneToOneField("biolake.Artifact", models.CASCADE, related_name="obs_index")
    obs_key = models.CharField(max_length=255)
    var_key = models.CharField(max_length=255)
    n_obs = models.BigIntegerField()
    n_vars = models.BigIntegerField()
    columns = models.JSONField(default=dict)  # obs column → arrow type
    categories = models.JSONField(default=dict)  # obs column → its values, for columns with few (prunes queries)
    size = models.BigIntegerField(null=True)
    format_version = models.SmallIntegerField(default=obs_sidecar.FORMAT_VERSION)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "biolake"

    @property
    def path(self) -> UPath:
        """The obs sidecar (parquet) in the artifact's storage location."""
        return self.artifact.storage.location.join(self.obs_key)

    @property
    def var_path(self) -> UPath:
        """The var sidecar (parquet)."""
        return self.artifact.storage.location.join(self.var_key)

    def __str__(self) -> str:
        return repr(self)

    def __repr__(self) -> str:
        return f"ObsIndex(artifact={self.artifact.uid!r}, n_obs={self.n_obs}, n_vars={self.n_vars}, path='{self.path}')"


def indexable(artifact: Artifact) -> bool:
    """Whether the artifact holds cells (an AnnData or MuData)."""
    return artifact.otype in INDEXED_OTYPES


def existing(artifact: Artifact) -> ObsIndex | None:
    """The artifact's index record, or ``None``."""
    try:
        return artifact.obs_index  # type: ignore[no-any-return]
    except ObsIndex.DoesNotExist:
        return None


def write(artifact: Artifact, obj: Any = None) -> ObsIndex:
    """Write the sidecars of a saved artifact (from ``obj`` when in memory, else from its file) and register them."""
    if obj is None:
        obs, var = obs_sidecar.read_obs_var(artifact.path, artifact.suffix)
    else:
        obs, var = obs_sidecar.obs_var_of(obj)
    obs_key, var_key = obs_sidecar.sidecar_keys(artifact.uid)
    table = obs_sidecar.obs_table(obs, artifact.uid)
    location = artifact.storage.location
    size = obs_sidecar.write_table(table, location.join(obs_key))
    obs_sidecar.write_table(obs_sidecar.var_table(var), location.join(var_key))
    columns = {field.name: str(field.type) for field in table.schema if field.name not in obs_sidecar.RESERVED}
    categories = obs_sidecar.few_values(table)
    record, _ = ObsIndex.objects.update_or_create(
        artifact=artifact,
        defaults={
            "obs_key": obs_key, "var_key": var_key, "n_obs": len(obs), "n_vars": len(var),
            "columns": columns, "categories": categories, "size": size, "format_version": obs_sidecar.FORMAT_VERSION,
        },
    )
    artifact._state.fields_cache["obs_index"] = record  # Django may have cached "no index" before
    return record


def remove_sidecars(artifact: Artifact) -> None:
    """Delete the sidecar files of an artifact (after its record is gone)."""
    location = artifact.storage.location
    for key in obs_sidecar.sidecar_keys(artifact.uid):
        transfer.remove(location.join(key))
