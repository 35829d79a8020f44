"""Zero-copy transfer: saving an artifact read from another instance (``Artifact.using("other")``).

The record is copied with its uid, its features, labels and schemas; its storage location
is registered here and the bytes stay where they are. A run of a ``transfer`` transform
points back to the origin instance, artifact and run. Already here (same hash)? Then the
existing record is returned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from biolake import _logging as log
from biolake.models.storage import storage_for_root
from biolake.models.constants import MAIN_BRANCH
from biolake.models.feature import Feature
from biolake.models.links import ArtifactFeatureValue, ArtifactSchema, ArtifactULabel
from biolake.models.run import Run
from biolake.models.schema import Schema
from biolake.models.shared_bytes import TRANSFER_TRANSFORM_PREFIX, after_transfer
from biolake.models.transform import Transform
from biolake.models.ulabel import ULabel

if TYPE_CHECKING:
    from biolake.models.artifact import Artifact

_COPIED_FIELDS = (
    "uid", "key", "description", "suffix", "kind", "otype", "size", "hash", "hash_type", "n_files",
    "n_observations", "version", "managed",
)


def transfer_artifact(artifact: Artifact) -> Artifact:
    """Make ``artifact`` (read from another instance) a record of the current instance; returns it."""
    origin = artifact._state.db
    model = type(artifact)
    existing = model._plain.filter(hash=artifact.hash, branch_id=MAIN_BRANCH).first()
    if existing is not None:
        log.info(f"artifact {artifact.uid} is in this instance already (same hash): {existing.uid}")
        artifact._become(existing)
        return artifact
    values = {name: getattr(artifact, name) for name in _COPIED_FIELDS}
    origin_storage = artifact.storage
    with transaction.atomic():
        storage = storage_for_root(origin_storage.root, origin_storage.options)
        values["is_latest"] = not model._plain.filter(storage=storage, key=artifact.key, is_latest=True).exists() if artifact.key else True
        new = model(storage=storage, run=_transfer_run(origin, artifact), **values)
        super(model, new).save()
        _copy_annotations(origin, artifact, new)
    after_transfer(new)
    log.success(f"transferred artifact {new.uid} from instance {origin!r} (bytes stay at {new.path})")
    artifact._become(new)
    return artifact


def _transfer_run(origin: str, artifact: Artifact) -> Run:
    transform = Transform.filter(key=f"{TRANSFER_TRANSFORM_PREFIX}{origin}", type="upload").first()
    if transform is None:
        transform = Transform(key=f"{TRANSFER_TRANSFORM_PREFIX}{origin}", type="upload", description="zero-copy transfers").save()
    origin_run = artifact.run
    params = {
        "origin_instance": origin,
        "origin_artifact": artifact.uid,
        "origin_run": origin_run.uid if origin_run else None,
        "origin_transform": origin_run.transform.key if origin_run else None,
    }
    return Run(transform=transform, params=params, status="completed", finished_at=artifact.created_at).save()


def _features_here(names_dtypes: dict[str, str]) -> dict[str, Feature]:
    here = {f.name: f for f in Feature._plain.filter(name__in=list(names_dtypes))}
    for name, dtype in names_dtypes.items():
        if name not in here:
            here[name] = Feature(name=name, dtype=dtype).save()
    return here


def _copy_annotations(origin: str, artifact: Artifact, new: Artifact) -> None:
    values = list(
        ArtifactFeatureValue.objects.using(origin).filter(artifact_id=artifact.pk).values_list(
            "featurevalue__feature__name", "featurevalue__feature__dtype", "featurevalue__value"
        )
    )
    labels = list(
        ArtifactULabel.objects.using(origin).filter(artifact_id=artifact.pk).values_list(
            "ulabel__name", "ulabel__type__name", "feature__name", "feature__dtype"
        )
    )
    features = _features_here({n: d for n, d, _ in values} | {n: d for _, _, n, d in labels if n})
    if values:
        new.features.add_values({name: value for name, _, value in values})
    for name, type_name, feature_name, _ in labels:
        label_type = ULabel(name=type_name, is_type=True).save() if type_name else None
        label = ULabel(name=name, type=label_type).save()
        ArtifactULabel.objects.get_or_create(artifact=new, ulabel=label, feature=features.get(feature_name))
    for link in ArtifactSchema.objects.using(origin).filter(artifact_id=artifact.pk).select_related("schema"):
        new.features.add_schema(_schema_here(origin, link.schema), slot=link.slot or "columns")


def _schema_here(origin: str, schema: Schema) -> Schema:
    members = list(schema.features.using(origin).order_by("links_schema__position").values_list("name", "dtype"))
    features = _features_here(dict(members))
    fields = {f: getattr(schema, f) for f in ("name", "description", "itype", "dtype", "otype", "minimal_set",
                                               "maximal_set", "ordered_set", "coerce_dtype")}
    here = Schema(features=[features[name] for name, _ in members], **fields)
    return here.save() if here._state.adding else here
