"""Wet-lab registries: what was sampled from whom, how it was treated, in which experiment and well."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from biolake.models.base import MAIN_BRANCH, TracksCreator
from biolake.models.extensions import CanValidate
from biolake.setup import django_boot
from biolake.wetlab import links  # the link tables Django loads with this app

django_boot.add_module("wetlab")  # before the classes (links, above, did it already): Django finds a model's app by its module


class WetlabRecord(TracksCreator, CanValidate):
    """Fields shared by the wet-lab registries."""

    _uid_length: ClassVar[int] = 12
    _name_field: ClassVar[str] = "name"

    name = models.CharField(max_length=256, db_index=True)
    description = models.TextField(null=True, blank=True)
    branch_id = models.SmallIntegerField(default=MAIN_BRANCH)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class Donor(WetlabRecord):
    """A person or animal that biosamples come from."""

    uid = models.CharField(max_length=12, unique=True, editable=False)
    organism = models.ForeignKey("bio.Organism", models.PROTECT, null=True, blank=True, related_name="donors")
    ethnicity = models.ForeignKey("bio.Ethnicity", models.PROTECT, null=True, blank=True, related_name="donors")
    sex = models.CharField(max_length=20, null=True, blank=True)
    age = models.CharField(max_length=64, null=True, blank=True)
    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactDonor, related_name="donors")


class Treatment(WetlabRecord):
    """A compound or genetic perturbation applied to biosamples."""

    uid = models.CharField(max_length=12, unique=True, editable=False)
    type = models.CharField(max_length=20, choices=[("compound", "compound"), ("genetic", "genetic")])
    concentration = models.FloatField(null=True, blank=True)
    concentration_unit = models.CharField(max_length=20, null=True, blank=True)
    duration_h = models.FloatField(null=True, blank=True)
    targets = models.ManyToManyField("bio.Gene", related_name="treatments", blank=True)
    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactTreatment, related_name="treatments")


class Experiment(WetlabRecord):
    """An experiment: a set of biosamples processed and measured together."""

    uid = models.CharField(max_length=12, unique=True, editable=False)
    date = models.DateField(null=True, blank=True)
    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactExperiment, related_name="experiments")


class Biosample(WetlabRecord):
    """A specimen: cells, tissue or a library, from a donor, maybe treated."""

    uid = models.CharField(max_length=12, unique=True, editable=False)
    donor = models.ForeignKey(Donor, models.PROTECT, null=True, blank=True, related_name="biosamples")
    experiment = models.ForeignKey(Experiment, models.PROTECT, null=True, blank=True, related_name="biosamples")
    organism = models.ForeignKey("bio.Organism", models.PROTECT, null=True, blank=True, related_name="biosamples")
    tissues = models.ManyToManyField("bio.Tissue", related_name="biosamples", blank=True)
    cell_types = models.ManyToManyField("bio.CellType", related_name="biosamples", blank=True)
    diseases = models.ManyToManyField("bio.Disease", related_name="biosamples", blank=True)
    treatments = models.ManyToManyField(Treatment, related_name="biosamples", blank=True)
    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactBiosample, related_name="biosamples")


class Well(WetlabRecord):
    """A well of a plate, holding a biosample."""

    uid = models.CharField(max_length=12, unique=True, editable=False)
    plate = models.CharField(max_length=64, db_index=True)
    row = models.CharField(max_length=4)
    column = models.PositiveSmallIntegerField()
    biosample = models.ForeignKey(Biosample, models.PROTECT, null=True, blank=True, related_name="wells")
    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactWell, related_name="wells")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plate", "row", "column"], name="unique_well_position")]
