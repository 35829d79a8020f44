"""Schema registry: which features (columns) a dataset has or must have, per slot."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models, transaction

from biolake import _logging as log
from biolake.models import dtypes
from biolake.models.base import MAIN_BRANCH, TracksCreator
from biolake.storage.hashing import hash_bytes
from biolake.errors import ValidationError
from biolake.models.links import SchemaComponent, SchemaFeature
from biolake.models.space import InSpace
from biolake.models.current import visible_branch_ids

OTYPES = ("DataFrame", "AnnData", "MuData")


class Schema(TracksCreator, InSpace):  # type: ignore[misc]  # each abstract base declares its own Meta; Django merges them, mypy cannot
    """A set of features, or a rule for them (``itype``), that datasets are validated against.

    Args:
        features: the features (columns) of the schema, in order.
        itype: a registry field whose values are the allowed column names (e.g.
            ``bt.Gene.ensembl_gene_id``); with ``dtype`` for the values of those columns.
        components: per-slot schemas of composite objects, e.g. ``{"obs": s1, "var": s2}``.
        members: for a schema inferred from data with an ``itype``: the column names it holds.

    Identical definitions are deduplicated by their hash.

    Example:
        >>> ln.Schema(name="My schema", features=[ln.Feature(name="a", dtype=int).save()]).save()  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 16
    _name_field: ClassVar[str] = "name"
    _search_fields: ClassVar[tuple[str, ...]] = ("name", "description")
    _repr_fields: ClassVar[tuple[str, ...]] = ("uid", "name", "n", "itype", "dtype", "otype", "hash", "created_at")

    uid = models.CharField(max_length=16, unique=True, editable=False)
    name = models.CharField(max_length=150, null=True, blank=True, db_index=True)
    description = models.TextField(null=True, blank=True)
    n = models.IntegerField(default=0)
    itype = models.CharField(max_length=120, null=True, blank=True)
    dtype = models.CharField(max_length=64, null=True, blank=True)
    otype = models.CharField(max_length=64, null=True, blank=True)
    minimal_set = models.BooleanField(default=True)
    maximal_set = models.BooleanField(default=False)
    ordered_set = models.BooleanField(default=False)
    coerce_dtype = models.BooleanField(default=False)
    index = models.ForeignKey("biolake.Feature", models.PROTECT, null=True, blank=True, related_name="+")
    hash = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    features = models.ManyToManyField("biolake.Feature", through="biolake.SchemaFeature", related_name="schemas")
    components = models.ManyToManyField(
        "self", through="biolake.SchemaComponent", symmetrical=False, related_name="composites"
    )
    branch_id = models.SmallIntegerField(default=MAIN_BRANCH)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    # per instance (set by __init__); the class defaults serve records read from the database
    _feature_list: list[Any] = []
    _members: list[str] | None = None
    _component_map: dict[str, Any] = {}

    def __init__(
        self,
        features: list[Any] | None = None,
        *args: Any,
        itype: Any = None,
        dtype: Any = None,
        components: dict[str, Any] | None = None,
        members: list[str] | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(*args, **fields)
        self._members = list(members) if members is not None else None
        self._feature_list = list(features or [])
        self._component_map = dict(components or {})
        if itype is not None:  # a registry field (bt.Gene.ensembl_gene_id), a registry, or its name
            self.itype = itype if isinstance(itype, str) else dtypes.normalize(itype)[len("cat[") : -1]
        if dtype is not None:
            self.dtype = dtypes.normalize(dtype)
        unsaved = [f.name for f in self._feature_list if f._state.adding]
        if unsaved:
            raise ValidationError(f"Save the features first: {', '.join(unsaved)}.")
        self.n = len(self._feature_list) if self._members is None else len(self._members)
        self.hash = self._definition_hash()
        existing = Schema.objects.filter(hash=self.hash, branch_id__in=visible_branch_ids()).first()
        if existing is not None:
            log.info(f"returning existing schema with same hash: {existing!r}")
            self._become(existing)

    def _definition_hash(self) -> str:
        uids = [f.uid for f in self._feature_list]
        parts = [
            f"itype={self.itype}", f"dtype={self.dtype}", f"otype={self.otype}",
            f"minimal={self.minimal_set}", f"maximal={self.maximal_set}", f"ordered={self.ordered_set}",
            f"coerce={self.coerce_dtype}", f"index={self.index_id}",
            "features=" + ",".join(uids if self.ordered_set else sorted(uids)),
            "components=" + ",".join(f"{slot}:{c.uid}" for slot, c in sorted(self._component_map.items())),
        ]
        if self._members is not None:  # the column names an itype schema was inferred from
            parts.append("members=" + hash_bytes("\n".join(self._members).encode()))
        return hash_bytes("\n".join(parts).encode())

    def save(self, *args: Any, **kwargs: Any) -> Schema:  # type: ignore[override]
        """Save the schema with its ordered features and slot components, in one transaction."""
        if not self._state.adding:
            super().save(*args, **kwargs)
            return self
        with transaction.atomic():
            super().save(*args, **kwargs)
            SchemaFeature.objects.bulk_create(
                [SchemaFeature(schema=self, feature=f, position=i) for i, f in enumerate(self._feature_list)]
            )
            SchemaComponent.objects.bulk_create(
                [SchemaComponent(composite=self, component=c, slot=slot) for slot, c in self._component_map.items()]
            )
        return self

    @property
    def ordered_features(self) -> Any:
        """The features in their saved order."""
        return self.features.order_by("links_schema__position")

    @property
    def slots(self) -> dict[str, Schema]:
        """Component schemas by slot (``{"obs": ..., "var": ...}``) of a composite schema."""
        links = SchemaComponent.objects.filter(composite=self).select_related("component")
        return {link.slot: link.component for link in links}
