"""Django app ``biolake``: the core registries.

Importing this package makes the current instance ready (configures Django and
connects); ``import biolake`` alone does not.
"""

from __future__ import annotations

from biolake.setup import ensure_ready as _ensure_ready

_ensure_ready(check=False)  # configures Django, which re-imports this package half-way

from biolake.models.artifact import Artifact  # noqa: E402
from biolake.models.collection import Collection  # noqa: E402
from biolake.models.feature import Feature, FeatureValue  # noqa: E402
from biolake.models.links import (  # noqa: E402
    ArtifactFeatureValue,
    ArtifactSchema,
    ArtifactULabel,
    CollectionArtifact,
    CollectionFeatureValue,
    CollectionULabel,
    RunFeatureValue,
    RunInputArtifact,
    RunInputCollection,
    SchemaComponent,
    SchemaFeature,
)
from biolake.models.run import Run  # noqa: E402
from biolake.models.save import save  # noqa: E402
from biolake.models.schema import Schema  # noqa: E402
from biolake.models.storage import Storage  # noqa: E402
from biolake.models.transform import Transform  # noqa: E402
from biolake.models.ulabel import ULabel  # noqa: E402
from biolake.models.user import User  # noqa: E402

from django.apps import apps as _apps  # noqa: E402

if _apps.ready:  # imported after Django's set-up: complete the activation now (else activate() does)
    _ensure_ready()  # schema check and default records

__all__ = [
    "Artifact",
    "ArtifactFeatureValue",
    "ArtifactSchema",
    "ArtifactULabel",
    "Feature",
    "FeatureValue",
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
