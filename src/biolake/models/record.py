"""Record registry (LaminDB 2.x's ``ln.Record``): flexible records with features, grouped by record types.

A record with ``is_type=True`` is a type (a sheet): ``Sample``, ``Donor``, ``Compound``.
Records of the type (``type=sheet``) carry feature values, so a sheet needs no migration
to gain a column: a feature is its column.

The registry's class is named ``Record`` as in LaminDB 2.x; the abstract base of every
registry (LaminDB 1.x's ``ln.models.Record``) stays ``biolake.models.base.Record``, also
exported as ``ln.models.SQLRecord``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models, transaction

from biolake.models import base
from biolake.models.constants import MAIN_BRANCH
from biolake.models.extensions import CanValidate, HasParents
from biolake.models.features import HasFeatures
from biolake.models.query import Manager, QuerySet
from biolake.models.record_list import RecordList
from biolake.models.sheets import records_from_dataframe
from biolake.models.space import InSpace

if TYPE_CHECKING:
    import pandas as pd


class RecordQuerySet(QuerySet):
    """Records as a table: one row per record, its feature values as columns."""

    def df(self, include: list[str] | str | None = None, features: bool | list[str] | str = True,
           limit: int | None = None) -> pd.DataFrame:
        """The records as a DataFrame; ``features=False`` leaves out the feature columns."""
        include = [include] if isinstance(include, str) else list(include or [])
        if features is True and "features" not in include:
            include.append("features")
        return super().df(include=include, features=False if features is True else features, limit=limit)

    def to_dataframe(self, include: list[str] | str | None = None, features: bool | list[str] | str = True,
                     limit: int | None = 100) -> pd.DataFrame:
        """LaminDB 2.x's name of :meth:`df` (at most ``limit`` rows)."""
        return self.df(include=include, features=features, limit=limit)


class RecordManager(Manager.from_queryset(RecordQuerySet)):  # type: ignore[misc]
    """``Record.objects``: the record QuerySet on a ready instance."""


class Record(base.TracksCreator, InSpace, CanValidate, HasParents, HasFeatures):  # type: ignore[misc]  # each abstract base declares its own Meta; Django merges them, mypy cannot
    """A flexible record: a sample, donor, cell line, compound, ..., with feature values.

    Args:
        name: a name (optional).
        type: the record type (a record with ``is_type=True``) this record belongs to.
        is_type: whether this record is a type (a sheet) that groups others.
        features: feature values saved with the record, e.g. ``{"temperature": 21.6}``.
        description: free text.
        reference: an external id or URL; ``reference_type`` says which (e.g. ``"url"``).

    Example:
        >>> sample_sheet = ln.Record(name="Sample", is_type=True).save()  # doctest: +SKIP
        >>> ln.Record(name="S1", type=sample_sheet, features={"temperature": 21.6}).save()  # doctest: +SKIP
        >>> ln.Record.filter(type=sample_sheet).to_dataframe()  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 16
    _name_field: ClassVar[str] = "name"
    _search_fields: ClassVar[tuple[str, ...]] = ("name", "description")
    _repr_fields: ClassVar[tuple[str, ...]] = ("uid", "name", "description", "is_type", "type_id", "created_at")
    _not_label_accessors: ClassVar[frozenset[str]] = frozenset({"artifacts"})  # linked artifacts are no feature values

    _pending_values: dict[str, Any] | None = None  # ``features=`` of an unsaved record

    uid = models.CharField(max_length=16, unique=True, editable=False)
    name = models.CharField(max_length=150, null=True, blank=True, db_index=True)
    description = models.TextField(null=True, blank=True)
    is_type = models.BooleanField(default=False, db_index=True)
    type = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="records")
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)
    schema = models.ForeignKey("biolake.Schema", models.PROTECT, null=True, blank=True, related_name="records")
    reference = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    reference_type = models.CharField(max_length=25, null=True, blank=True)
    branch_id = models.SmallIntegerField(default=MAIN_BRANCH)
    created_at = models.DateTimeField(auto_now_add=True, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, editable=False)
    feature_values = models.ManyToManyField(
        "biolake.FeatureValue", through="biolake.RecordFeatureValue", related_name="records"
    )
    ulabels = models.ManyToManyField("biolake.ULabel", through="biolake.RecordULabel", related_name="records")
    artifacts = models.ManyToManyField("biolake.Artifact", through="biolake.ArtifactRecord", related_name="records")

    objects = RecordManager()

    def __init__(self, *args: Any, features: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending_values = dict(features) if features else None

    @classmethod
    def from_dataframe(cls, df: pd.DataFrame, type: Record | None = None, name_column: str = "name") -> RecordList:
        """Records of a sheet, one per row of ``df``, unsaved; ``.save()`` the returned list.

        The column ``name_column`` (if present) names the records; every other column is a
        feature (created from the column's dtype when no feature has its name yet).

        Example:
            >>> sheet = ln.Record(name="Sample", is_type=True).save()  # doctest: +SKIP
            >>> ln.Record.from_dataframe(df, type=sheet).save()  # doctest: +SKIP
        """
        return RecordList(records_from_dataframe(cls, df, type, name_column))

    from_df = from_dataframe

    def save(self, *args: Any, **kwargs: Any) -> Record:  # type: ignore[override]
        """Save the record and the feature values given as ``features=``."""
        if not self._pending_values:
            super().save(*args, **kwargs)
            return self
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.features.add_values(self._pending_values)
        self._pending_values = None
        return self
