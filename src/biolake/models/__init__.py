"""Django app ``biolake``: the core registries.

Importing this package configures Django (settings and app registry: no instance, no
database, no I/O); the first query connects to the current instance (``ensure_ready()``).
``import biolake`` alone does neither.
"""

from __future__ import annotations

from biolake.setup.django_boot import configure as _configure

_configure()  # Django's set-up imports this package again, half-way: the classes follow

from biolake.models.artifact import Artifact  # noqa: E402
from biolake.models.base import Record, TracksCreator  # noqa: E402  (the base of every registry: 1.x's name)
from biolake.models.base import Record as SQLRecord  # noqa: E402  (2.x's name of the same base)
from biolake.models.branch import Branch  # noqa: E402
from biolake.models.collection import Collection  # noqa: E402
from biolake.models.feature import Feature, FeatureValue  # noqa: E402
from biolake.models.links import (  # noqa: E402
    ArtifactFeatureValue,
    ArtifactSchema,
    ArtifactULabel,
    CollectionArtifact,
    CollectionFeatureValue,
    CollectionULabel,
    ArtifactProject,
    ArtifactRecord,
    ArtifactReference,
    CollectionProject,
    RecordFeatureValue,
    RecordProject,
    RecordReference,
    RecordULabel,
    RunFeatureValue,
    RunInputArtifact,
    RunInputCollection,
    SchemaComponent,
    SchemaFeature,
)
from biolake.models.obs_index import ObsIndex  # noqa: E402
from biolake.models.project import Project  # noqa: E402
from biolake.models.record import Record as _Record  # noqa: E402  (``ln.Record``: the registry of flexible records)
from biolake.models.reference import Reference  # noqa: E402
from biolake.models.run import Run  # noqa: E402
from biolake.models.save import save  # noqa: E402
from biolake.models.schema import Schema  # noqa: E402
from biolake.models.space import Space  # noqa: E402
from biolake.models.storage import Storage  # noqa: E402
from biolake.models.transform import Transform  # noqa: E402
from biolake.models.ulabel import ULabel  # noqa: E402
from biolake.models.user import User  # noqa: E402
from biolake.models import branching as _branching  # noqa: E402
from biolake import _process as _process  # noqa: E402
from biolake.models.defaults import ensure_defaults as _ensure_defaults  # noqa: E402
from biolake.setup.django_boot import add_activation_hook as _add_activation_hook  # noqa: E402

_add_activation_hook(_ensure_defaults)  # each activated instance gets its user and storage records
_process.branch_actions.update(switch=_branching.switch, merge=_branching.merge)  # for ln.setup.switch / merge

__all__ = [
    "Artifact",
    "ArtifactProject",
    "ArtifactRecord",
    "ArtifactReference",
    "Branch",
    "CollectionProject",
    "Project",
    "Record",
    "RecordFeatureValue",
    "RecordProject",
    "RecordReference",
    "RecordULabel",
    "Reference",
    "SQLRecord",
    "Space",
    "TracksCreator",
    "ArtifactFeatureValue",
    "ArtifactSchema",
    "ArtifactULabel",
    "Feature",
    "FeatureValue",
    "ObsIndex",
    "RunFeatureValue",
    "Schema",
    "SchemaComponent",
    "SchemaFeature",
    "ULabel",
    "Collection",
    "CollectionFeatureValue",
    "CollectionULabel",
    "CollectionArtifact",
    "Run",
    "RunInputArtifact",
    "RunInputCollection",
    "Storage",
    "Transform",
    "User",
    "save",
]
