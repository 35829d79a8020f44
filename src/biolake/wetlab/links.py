"""All link tables of the ``wetlab`` app: artifacts to wet-lab records, each with its feature.

``ArtifactBiosample(artifact, biosample, feature)`` and so on; the feature is nullable
(``biosample.artifacts.add(artifact)`` links without one). The accessors on artifacts are
``biosamples``, ``donors``, ``treatments``, ``experiments`` and ``wells``.
"""

from __future__ import annotations

from biolake.models.label_links import label_link_model
from biolake.setup import django_boot

django_boot.add_module("wetlab")  # before the classes: Django finds a model's app by its module

ArtifactDonor = label_link_model("Artifact", "wetlab.Donor", __name__)
ArtifactTreatment = label_link_model("Artifact", "wetlab.Treatment", __name__)
ArtifactExperiment = label_link_model("Artifact", "wetlab.Experiment", __name__)
ArtifactBiosample = label_link_model("Artifact", "wetlab.Biosample", __name__)
ArtifactWell = label_link_model("Artifact", "wetlab.Well", __name__)
