"""Queries by feature: ``Artifact.filter(temperature__gt=20, experiment="My experiment")``.

Keywords that name no field of the registry are read as feature names: categorical
features match the records of the registry their dtype names (``cat[bio.CellType]``) linked
with that feature, others the stored feature values.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from biolake.errors import ValidationError
from biolake.models.dtypes import comparable_column, query_value
from biolake.models.label_links import label_link, label_links
from biolake.models.registries import registry_model


def _is_field(model: Any, name: str) -> bool:
    if name == "pk":
        return True
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _feature_model(model: Any) -> Any:
    """The ``Feature`` registry, reached through ``model``'s feature values (``models.feature``
    itself imports this module)."""
    return model._meta.get_field("feature_values").related_model._meta.get_field("feature").related_model


def split_feature_lookups(model: Any, kwargs: dict[str, Any], db: str = "default") -> tuple[dict[str, Any], list[Q]]:
    """Keyword lookups on fields, and one condition per feature lookup (one query for the features)."""
    if not hasattr(model, "feature_values"):
        return kwargs, []
    keys = [k for k in kwargs if not _is_field(model, k.split("__", 1)[0])]
    if not keys:
        return kwargs, []
    names = sorted({k.split("__", 1)[0] for k in keys})
    features = {f.name: f for f in _feature_model(model)._plain.using(db).filter(name__in=names)}
    unknown = [n for n in names if n not in features]
    if unknown:
        fields = sorted(f.name for f in model._meta.get_fields() if not f.name.startswith("_"))
        raise ValidationError(
            f"{', '.join(map(repr, unknown))} is neither a field of {model.__name__} nor a feature. "
            f"Fields: {', '.join(fields)}. Create a feature with ln.Feature(name={unknown[0]!r}, dtype=...).save().",
            non_validated={"lookups": unknown},
        )
    rest = {k: v for k, v in kwargs.items() if k not in keys}
    conditions = []
    for key in keys:
        name, _, lookup = key.partition("__")
        conditions.append(_condition(model, features[name], lookup, kwargs[key]))
    return rest, conditions


def _condition(model: Any, feature: Any, lookup: str, value: Any) -> Q:
    suffix = f"__{lookup}" if lookup else ""
    dtype = feature.parsed_dtype
    if dtype.is_categorical:
        if not label_links(model):
            raise ValidationError(f"{model.__name__} records have no labels: cannot filter by {feature.name!r}.")
        assert dtype.registry is not None  # parse() names the registry of every categorical dtype
        link = label_link(model, registry_model(dtype.registry))
        if hasattr(value, "_meta"):
            return Q(**{f"{link.query_name}__feature": feature, f"{link.query_name}__{link.column}": value})
        field = dtype.field or link.name_field
        return Q(**{f"{link.query_name}__feature": feature, f"{link.query_name}__{link.column}__{field}{suffix}": value})
    column = comparable_column(feature.parsed_dtype)
    value = query_value(feature.parsed_dtype, value)
    return Q(feature_values__feature=feature, **{f"feature_values__{column}{suffix}": value})
