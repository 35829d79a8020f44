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
            ``bt.Gene.ensembl_gene_id``, ``list[int]``, ... (see :mod:`biolake.models.dtypes`);
            not needed for a feature type.
        type: a feature type (``Feature(name=..., is_type=True)``) this feature belongs to.
        is_type: this feature is a type that groups other features.
        cat_filters: restrict the permissible values of a categorical feature to the records
            matching these lookups, e.g. ``{"source": source_record}`` or ``{"type": perturbation}``.

    Example:
        >>> ln.Feature(name="temperature", dtype=float, unit="°C").save()  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 12
    _name_field: ClassVar[str] = "name"
    _search_fields: ClassVar[tuple[str, ...]] = ("name", "description", "synonyms")
    _required_fields: ClassVar[tuple[str, ...]] = ("dtype",)  # of every feature but feature types
    _repr_fields: ClassVar[tuple[str, ...]] = ("uid", "name", "dtype", "is_type", "type_id", "unit", "description", "created_at")

    uid = models.CharField(max_length=12, unique=True, editable=False)
    name = models.CharField(max_length=150, unique=True)
    dtype = models.CharField(max_length=255, null=True, blank=True)  # None for feature types
    description = models.TextField(null=True, blank=True)
    unit = models.CharField(max_length=30, null=True, blank=True)
    nullable = models.BooleanField(default=True)
    default_value = models.JSONField(null=True, blank=True)
    synonyms = models.TextField(null=True, blank=True)  # "|"-separated
    coerce = models.BooleanField(default=False)
    is_type = models.BooleanField(default=False)
    type = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="features")
    cat_filters = models.JSONField(null=True, blank=True)
    branch_id = models.SmallIntegerField(default=MAIN_BRANCH)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "dtype" in kwargs and kwargs["dtype"] is not None:
            kwargs["dtype"] = dtypes.normalize(kwargs["dtype"])
        if kwargs.get("cat_filters"):
            kwargs["cat_filters"] = _serialize_filters(kwargs["cat_filters"])
        super().__init__(*args, **kwargs)
        if self._state.adding and not self.is_type and not self.dtype and "name" in kwargs:
            raise ValidationError(
                f"Feature {self.name!r} needs a dtype, e.g. ln.Feature(name={self.name!r}, dtype=float); "
                "only a feature type (is_type=True) has none."
            )

    @classmethod
    def from_dataframe(cls, df: Any, field: Any = None) -> Any:
        """One (unsaved) feature per column of ``df``, dtype inferred from the column (LaminDB 2.x name).

        Existing features of the same name are returned instead of new ones; ``.save()`` the list.

        Example:
            >>> ln.Feature.from_dataframe(df).save()  # doctest: +SKIP
        """
        from biolake.models.feature_inference import features_from_dataframe

        return features_from_dataframe(cls, df)

    from_df = from_dataframe

    @property
    def cat_filter_lookups(self) -> dict[str, Any]:
        """The stored ``cat_filters`` as query lookups on the feature's registry."""
        return dict(self.cat_filters or {})

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


def _serialize_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """``{"source": record}`` → ``{"source__uid": "..."}`` (records by uid, plain values as they are)."""
    stored: dict[str, Any] = {}
    for lookup, value in filters.items():
        if hasattr(value, "_meta"):
            stored[f"{lookup}__uid" if hasattr(value, "uid") else f"{lookup}__pk"] = getattr(value, "uid", value.pk)
        else:
            stored[lookup] = value
    return stored
