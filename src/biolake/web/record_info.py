"""What ``describe()`` shows, as plain data for templates: general rows, features, labels, schemas."""

from __future__ import annotations

from typing import Any

from biolake.models import describe


def general_rows(record: Any) -> list[tuple[str, Any]]:
    """(label, value) rows of the General branch of ``describe()``, empty values left out."""
    rows = (
        describe._general_rows(record) + describe._run_rows(record) + describe._transform_rows(record)
        + describe._provenance_rows(record)
    )
    return [(label, value) for label, value in rows if value is not None and value != ""]


def labels(record: Any) -> list[dict[str, Any]]:
    """One entry per label registry: accessor, registry, and names by feature ("" without one)."""
    out = []
    for (accessor, registry), by_feature in describe._labels(record).items():
        out.append({
            "accessor": accessor, "registry": registry,
            "by_feature": sorted((feature, sorted(set(names))) for feature, names in by_feature.items()),
        })
    return out


def dataset_features(record: Any) -> list[dict[str, Any]]:
    """Per schema slot: the schema and its features (name, dtype)."""
    slots = record.features.slots
    return [
        {"slot": slot or "columns", "schema": schema, "features": list(schema.ordered_features)}
        for slot, schema in sorted(slots.items())
    ]


def feature_values(record: Any) -> list[tuple[str, Any]]:
    """Linked feature values (``artifact.features.add_values``), sorted by feature name."""
    return sorted(record.features.get_values().items())
