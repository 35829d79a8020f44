"""``artifact.features`` and ``artifact.labels``: feature values, labels and per-slot schemas of a record."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import models, transaction

from biolake import _logging as log
from biolake.errors import ValidationError
from biolake.models import dtypes
from biolake.models.feature import Feature
from biolake.models.feature_values import check_value, features_by_name, value_rows
from biolake.models.label_links import LabelLink, label_link, label_links, label_rows
from biolake.models.links import (
    ArtifactFeatureValue,
    ArtifactSchema,
    CollectionFeatureValue,
    RecordFeatureValue,
    RunFeatureValue,
)
from biolake.models.ulabel import ULabel


# registry → (feature value link, owner column); label links are found by ``label_links``
_LINKS: dict[str, tuple[type[models.Model], str]] = {
    "Artifact": (ArtifactFeatureValue, "artifact"),
    "Collection": (CollectionFeatureValue, "collection"),
    "Run": (RunFeatureValue, "run"),
    "Record": (RecordFeatureValue, "record"),
}


def _owner_link(record: Any) -> tuple[type[models.Model], str]:
    """The link table of feature values of a record, and its owner column."""
    return _LINKS[type(record).__name__]


def _label_link(record: Any, model: Any) -> LabelLink:
    """The link table between a record and labels of ``model``; refused for runs."""
    if not label_links(type(record)):
        raise ValidationError(f"{type(record).__name__} records have no labels; add labels to artifacts or collections.")
    return label_link(type(record), model)


def _from_source(model: Any, feature: Feature, names: list[str], field: str) -> dict[str, Any]:
    """Records of a registry with a public source (``bio.CellType``) for ``names``, saved; announced."""
    records = [r for r in model.from_values(names, field=field, mute=True) if getattr(r, field) in names]
    for record in records:
        if record._state.adding:
            record.save()
    if records:
        log.info(f"linked {model.__name__} record(s) {', '.join(repr(getattr(r, field)) for r in records)} "
                 f"for feature {feature.name!r}")
    return {getattr(r, field): r for r in records}


def _check_filtered(feature: Feature, model: Any, records: list[Any], filters: dict[str, Any]) -> None:
    """Records passed for a feature with ``cat_filters`` must match them."""
    if not records:
        return
    matching = set(model.objects.filter(pk__in=[r.pk for r in records], **filters).values_list("pk", flat=True))
    outside = [r for r in records if r.pk not in matching]
    if outside:
        raise ValidationError(
            f"{len(outside)} record(s) do not match the cat_filters of feature {feature.name!r} "
            f"({feature.cat_filters}): {', '.join(map(repr, outside[:3]))}.",
            non_validated={feature.name: [str(r) for r in outside]},
        )


def _label_records(feature: Feature, values: Any) -> list[Any]:
    """The labels named by a categorical feature value (names or records), one query.

    Untyped ``cat[ULabel]`` features register new names as labels (announced); registries with
    a public source (``cat[bio.CellType]``) take missing names from it (saved, announced); labels
    of a type (``cat[ULabel[T]]``) and other registries must exist, and unknown values are refused.
    """
    dtype = feature.parsed_dtype
    items = list(values) if isinstance(values, (list, tuple, set)) else [values]
    records = [v for v in items if hasattr(v, "_meta")]
    names = [v for v in items if not hasattr(v, "_meta")]
    assert dtype.registry is not None  # parse() names the registry of every categorical dtype
    wrong = [r for r in records if dtypes.registry_name(type(r)) != dtype.registry]
    if wrong:
        raise ValidationError(
            f"Feature {feature.name!r} takes {dtype.registry} records, not {dtypes.registry_name(type(wrong[0]))}: {wrong[0]!r}.",
            non_validated={feature.name: [str(r) for r in wrong]},
        )
    model = dtypes.registry_model(dtype.registry)
    filters = feature.cat_filter_lookups
    if filters:
        _check_filtered(feature, model, records, filters)
    if not names:
        return records
    field = dtype.field or model._name_field
    query = model.objects.filter(**{f"{field}__in": names}, **filters)
    if dtype.type_name:
        query = query.filter(type__name=dtype.type_name)
    found = {getattr(r, field): r for r in query}
    missing = [n for n in names if n not in found]
    restricted = bool(dtype.type_name or filters)  # only existing records that match count
    if missing and model is ULabel and dtype.registry == "ULabel" and not restricted:
        for name in missing:
            found[name] = ULabel(name=name).save()
        log.info(f"created ULabel(s) {', '.join(map(repr, missing))} for feature {feature.name!r}")
        missing = []
    if missing and hasattr(model, "public") and not filters:
        found |= _from_source(model, feature, missing, field)
        missing = [n for n in missing if n not in found]
    if missing:
        raise ValidationError(
            f"{len(missing)} value(s) of feature {feature.name!r} are not in {dtype.registry}.{field}: "
            f"{', '.join(map(repr, missing))}. Register them first, e.g. {model.__name__}({field}={missing[0]!r}).save().",
            non_validated={feature.name: missing},
        )
    return records + [found[n] for n in names]


def _link_labels(record: Any, pairs: list[tuple[Feature | None, Any]]) -> None:
    """Link (feature, label) pairs to a record, each through the link table of the label's registry."""
    by_model: dict[Any, list[tuple[Feature | None, Any]]] = defaultdict(list)
    for feature, label in pairs:
        by_model[type(label)].append((feature, label))
    for model, model_pairs in by_model.items():
        link = _label_link(record, model)
        link.through.objects.bulk_create(
            [link.through(**{link.owner: record, link.column: label, "feature": f}) for f, label in model_pairs],
            ignore_conflicts=True,
        )


def _schema_feature_ids(record: Any) -> list[int]:
    """Ids of the features in the schemas linked to an artifact (the columns curation validated)."""
    if type(record).__name__ != "Artifact":
        return []
    schema_ids = ArtifactSchema.objects.filter(artifact=record).values_list("schema_id", flat=True)
    return list(Feature.objects.filter(schemas__id__in=list(schema_ids)).values_list("id", flat=True))


def validate_values(values: dict[str, Any], schema: Any = None) -> tuple[list[tuple[Feature, Any]], list[tuple[Feature | None, Any]]]:
    """``(plain values, labels)`` of feature values, each paired with its feature; raises
    :class:`~biolake.errors.ValidationError` naming what is wrong (nothing is linked yet)."""
    features = features_by_name(list(values))
    if schema is not None:
        _check_schema(schema, set(values))
    plain: list[tuple[Feature, Any]] = []
    labels: list[tuple[Feature | None, Any]] = []
    for name, value in values.items():
        feature = features[name]
        if feature.parsed_dtype.is_categorical:
            labels += [(feature, record) for record in _label_records(feature, value)]
        else:
            plain += [(feature, v) for v in check_value(feature, value)]
    return plain, labels


def _check_schema(schema: Any, names: set[str]) -> None:
    if schema._state.adding:
        raise ValidationError("Save the schema first: schema.save().")
    members = set(schema.features.values_list("name", flat=True))
    missing = sorted(members - names) if schema.minimal_set else []
    extra = sorted(names - members) if schema.maximal_set else []
    label = f"schema {schema.name!r}" if schema.name else f"schema {schema.uid!r}"
    if missing:
        raise ValidationError(f"{label} requires feature(s) {', '.join(map(repr, missing))}: add their values.")
    if extra:
        raise ValidationError(f"{label} has no feature(s) {', '.join(map(repr, extra))} (it allows only "
                              f"{', '.join(map(repr, sorted(members)))}).")


class FeatureManager:
    """Feature values and per-slot schemas of an artifact (or run).

    Example:
        >>> artifact.features.add_values({"temperature": 21.6, "experiment": "My experiment"})  # doctest: +SKIP
        >>> artifact.features.get_values()  # doctest: +SKIP
    """

    def __init__(self, record: Any) -> None:
        self._record = record

    def add_values(self, values: dict[str, Any], schema: Any = None) -> None:
        """Validate and link feature values; categorical values are linked as labels with their feature.

        With ``schema``, the features must be those of the schema: all of them unless it is not
        a minimal set (``minimal_set=False``), and no others if it is a maximal set.
        """
        plain, labels = validate_values(values, schema)
        with transaction.atomic():
            link, owner = _owner_link(self._record)
            rows = value_rows(plain)
            link.objects.bulk_create([link(**{owner: self._record, "featurevalue": row}) for row in rows], ignore_conflicts=True)
            _link_labels(self._record, labels)

    def set_values(self, values: dict[str, Any]) -> None:
        """Replace the record's feature values by ``values`` (LaminDB 2.x), all or nothing.

        Every value added with :meth:`add_values` is removed first; labels that curation linked
        for the columns of a validated schema stay.

        Example:
            >>> artifact.features.set_values({"temperature": 22.1})  # doctest: +SKIP
        """
        features_by_name(list(values))  # unknown features fail before anything is removed
        with transaction.atomic():
            link, owner = _owner_link(self._record)
            link.objects.filter(**{owner: self._record}).delete()
            in_schemas = _schema_feature_ids(self._record)
            for label in label_links(type(self._record)):
                rows = label.through.objects.filter(**{label.owner: self._record, "feature__isnull": False})
                rows.exclude(feature_id__in=in_schemas).delete()
            self.add_values(values)

    def get_values(self) -> dict[str, Any]:
        """Feature name → value (a list where a feature has several values)."""
        collected: dict[str, list[Any]] = defaultdict(list)
        link, owner = _owner_link(self._record)
        for name, value in link.objects.filter(**{owner: self._record}).values_list(
            "featurevalue__feature__name", "featurevalue__value"
        ).order_by("id"):
            collected[name].append(value)
        for _, feature_name, value, _ in label_rows(type(self._record), [self._record.pk], feature_only=True):
            collected[str(feature_name)].append(value)
        return {name: items[0] if len(items) == 1 else items for name, items in collected.items()}

    def remove_values(self, feature: str | Feature | list[str], value: Any = None) -> None:
        """Unlink the values of one or several features (only ``value`` if given)."""
        names = [feature] if isinstance(feature, (str, Feature)) else list(feature)
        names = [n.name if isinstance(n, Feature) else n for n in names]
        features = features_by_name(names)
        link, owner = _owner_link(self._record)
        for f in features.values():
            values = link.objects.filter(**{owner: self._record, "featurevalue__feature": f})
            if value is not None:
                values = values.filter(featurevalue__value=value)
            values.delete()
            if f.parsed_dtype.is_categorical:
                assert f.parsed_dtype.registry is not None  # parse() names the registry of every categorical dtype
                label = _label_link(self._record, dtypes.registry_model(f.parsed_dtype.registry))
                labels = label.through.objects.filter(**{label.owner: self._record, "feature": f})
                if value is not None:
                    name = getattr(value, label.name_field) if hasattr(value, "_meta") else value
                    labels = labels.filter(**{f"{label.column}__{label.name_field}": name})
                labels.delete()

    def add_schema(self, schema: Any, slot: str = "columns") -> None:
        """Link a schema that describes ``slot`` of the artifact (``columns``, ``obs``, ``var``, ...)."""
        ArtifactSchema.objects.update_or_create(artifact=self._record, slot=slot, defaults={"schema": schema})

    @property
    def slots(self) -> dict[str, Any]:
        """Slot → schema."""
        links = ArtifactSchema.objects.filter(artifact=self._record).select_related("schema")
        return {link.slot or "": link.schema for link in links}

    def __repr__(self) -> str:
        return f"FeatureManager({self.get_values()!r})"


class LabelManager:
    """Labels of an artifact, optionally recorded per feature."""

    def __init__(self, record: Any) -> None:
        self._record = record

    def add(self, records: Any, feature: Feature | str | None = None) -> None:
        """Link labels to the record: records of any registry (``ULabel``, ``bio.CellType``, ...),
        or names of the feature's registry; with ``feature``, each is linked as a value of it."""
        if isinstance(feature, str):
            feature = features_by_name([feature])[feature]
        items = records if isinstance(records, (list, tuple, set)) or hasattr(records, "model") else [records]
        labels = _label_records(feature, list(items)) if feature is not None else list(items)
        _link_labels(self._record, [(feature, label) for label in labels])

    def get(self, feature: Feature | str | None = None) -> Any:
        """The labels of the record: of one feature (records of its registry), else its ULabels."""
        if feature is None:
            link = _label_link(self._record, ULabel)
            return ULabel.objects.filter(**{f"{link.label_query_name}__{link.owner}": self._record}).distinct()
        if isinstance(feature, str):
            feature = features_by_name([feature])[feature]
        registry = feature.parsed_dtype.registry
        if registry is None:
            raise ValidationError(f"Feature {feature.name!r} is not categorical ({feature.dtype}): it has no labels.")
        link = _label_link(self._record, dtypes.registry_model(registry))
        return link.model.objects.filter(
            **{f"{link.label_query_name}__{link.owner}": self._record, f"{link.label_query_name}__feature": feature}
        ).distinct()


class HasFeatures(models.Model):
    """Records with feature values and labels (artifacts, collections)."""

    class Meta:
        abstract = True

    @property
    def features(self) -> FeatureManager:
        """Feature values (and, for artifacts, per-slot schemas): ``record.features.add_values({...})``."""
        return FeatureManager(self)

    @property
    def labels(self) -> LabelManager:
        """Labels, optionally per feature: ``record.labels.add(records, feature=...)``."""
        return LabelManager(self)
