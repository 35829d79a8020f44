"""Feature registry (dimensions of datasets) and FeatureValue (deduplicated values of features)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.db import models

from biolake import _process
from biolake.models import dtypes
from biolake.models.extensions import CanValidate
from biolake.models.base import MAIN_BRANCH, TracksCreator
from biolake.models.space import InSpace
from biolake.storage.hashing import hash_bytes
from biolake.errors import ValidationError


class Feature(TracksCreator, InSpace, CanValidate):  # type: ignore[misc]  # each abstract base declares its own Meta; Django merges them, mypy cannot
    """A measured or annotated dimension: a column of a dataset, or a value linked to an artifact.

    Args:
        name: unique name, e.g. a column name.
        dtype: ``int``, ``float``, ``str``, ``ln.ULabel``, ``"cat[ULabel[Perturbation]]"``,
            ``bt.Gene.ensembl_gene_id``, ``list[int]``, ... (see :mod:`biolake.models.dtypes`).

    Example:
        >>> ln.Feature(name="temperature", dtype=float, unit="°C").save()  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 12
    _name_field: ClassVar[str] = "name"
    _search_fields: ClassVar[tuple[str, ...]] = ("name", "description", "synonyms")
    _repr_fields: ClassVar[tuple[str, ...]] = ("uid", "name", "dtype", "unit", "description", "created_at")

    uid = models.CharField(max_length=12, unique=True, editable=False)
    name = models.CharField(max_length=150, unique=True)
    dtype = models.CharField(max_length=255)
    description = models.TextField(null=True, blank=True)
    unit = models.CharField(max_length=30, null=True, blank=True)
    nullable = models.BooleanField(default=True)
    default_value = models.JSONField(null=True, blank=True)
    synonyms = models.TextField(null=True, blank=True)  # "|"-separated
    coerce = models.BooleanField(default=False)
    branch_id = models.SmallIntegerField(default=MAIN_BRANCH)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "dtype" in kwargs and kwargs["dtype"] is not None:
            kwargs["dtype"] = dtypes.normalize(kwargs["dtype"])
        super().__init__(*args, **kwargs)

    @property
    def parsed_dtype(self) -> dtypes.Dtype:
        """The dtype, parsed."""
        return dtypes.parse(self.dtype)

    def save(self, *args: Any, **kwargs: Any) -> Feature:  # type: ignore[override]
        """Save; an existing feature with the same name and dtype is returned instead
        (unless ``ln.settings.creation.search_names`` is off)."""
        if self._state.adding and _process.search_names.get():
            existing = Feature.objects.filter(name=self.name).first()
            if existing is not None:
                if existing.dtype != self.dtype:
                    raise ValidationError(
                        f"Feature {self.name!r} exists with dtype {existing.dtype!r}, not {self.dtype!r}."
                    )
                self._become(existing)
                return self
        super().save(*args, **kwargs)
        return self


class FeatureValue(models.Model):
    """One value of a feature, shared by every artifact (or run) that has it.

    ``value`` holds the JSON value; ``value_num`` and ``value_str`` hold it again in a
    comparable column (numbers and booleans; strings, dates and datetimes as ISO text).
    """

    feature = models.ForeignKey(Feature, models.CASCADE, related_name="values")
    value = models.JSONField()
    value_num = models.FloatField(null=True, blank=True, db_index=True)
    value_str = models.TextField(null=True, blank=True, db_index=True)
    hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)

    class Meta:
        app_label = "biolake"
        constraints = [models.UniqueConstraint(fields=["feature", "hash"], name="unique_feature_value")]

    @staticmethod
    def hash_of(value: Any) -> str:
        """Hash of a JSON value: the same value, the same row."""
        return hash_bytes(json.dumps(value, sort_keys=True, default=str).encode())

    def __repr__(self) -> str:
        return f"FeatureValue(feature={self.feature.name!r}, value={self.value!r})"
