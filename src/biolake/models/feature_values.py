"""Checking and storing feature values: one value row per distinct (feature, value)."""

from __future__ import annotations

import datetime
from pathlib import PurePath
from typing import Any

from biolake.errors import ValidationError
from biolake.models.feature import Feature, FeatureValue


def features_by_name(names: list[str]) -> dict[str, Feature]:
    """The features with these names (one query); a clear error for unknown names."""
    found = {f.name: f for f in Feature.objects.filter(name__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        known = ", ".join(sorted(Feature.objects.values_list("name", flat=True))[:20]) or "none yet"
        raise ValidationError(
            f"Unknown feature(s): {', '.join(map(repr, missing))}. Known features: {known}. "
            f"Create one with ln.Feature(name={missing[0]!r}, dtype=...).save().",
            non_validated={"features": missing},
        )
    return found


def _matches(base: str, value: Any) -> bool:
    checks = {
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "num": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "str": lambda v: isinstance(v, str),
        "bool": lambda v: isinstance(v, bool),
        "date": lambda v: isinstance(v, datetime.date) or _is_iso(v, datetime.date),
        "datetime": lambda v: isinstance(v, datetime.datetime) or _is_iso(v, datetime.datetime),
        "dict": lambda v: isinstance(v, dict),
        "path": lambda v: isinstance(v, (str, PurePath)),
        "url": lambda v: isinstance(v, str),
    }
    return checks[base](value)


def _is_iso(value: Any, kind: type) -> bool:
    if not isinstance(value, str):
        return False
    try:
        kind.fromisoformat(value)  # type: ignore[attr-defined]
    except ValueError:
        return False
    return True


def check_value(feature: Feature, value: Any) -> list[Any]:
    """The value(s) of a non-categorical feature, checked against its dtype (a list for list dtypes)."""
    dtype = feature.parsed_dtype
    values = value if dtype.is_list and isinstance(value, (list, tuple)) else [value]
    if dtype.is_list and not isinstance(value, (list, tuple)):
        values = [value]
    bad = [v for v in values if not _matches(dtype.base, v)]
    if bad:
        raise ValidationError(
            f"Value {bad[0]!r} of feature {feature.name!r} is not of dtype {feature.dtype!r} "
            f"(it is a {type(bad[0]).__name__}).",
            non_validated={feature.name: bad},
        )
    return list(values)


def _columns(base: str, value: Any) -> dict[str, Any]:
    if base in ("int", "float", "num", "bool"):
        return {"value_num": float(value)}
    if base in ("date", "datetime"):
        return {"value_str": value.isoformat() if hasattr(value, "isoformat") else value}
    if base in ("str", "path", "url"):
        return {"value_str": str(value)}
    return {}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    return value


def value_rows(pairs: list[tuple[Feature, Any]]) -> list[FeatureValue]:
    """The FeatureValue rows of (feature, value) pairs, created where missing (two queries)."""
    wanted: dict[tuple[int, str], FeatureValue] = {}
    for feature, value in pairs:
        stored = _jsonable(value)
        row = FeatureValue(feature=feature, value=stored, hash=FeatureValue.hash_of(stored),
                           **_columns(feature.parsed_dtype.base, value))
        wanted[(feature.pk, row.hash)] = row
    if not wanted:
        return []
    FeatureValue.objects.bulk_create(list(wanted.values()), ignore_conflicts=True)
    hashes = {h for _, h in wanted}
    feature_ids = {f for f, _ in wanted}
    rows = FeatureValue.objects.filter(feature_id__in=feature_ids, hash__in=hashes)
    by_key = {(r.feature_id, r.hash): r for r in rows}
    return [by_key[key] for key in wanted]


__all__ = ["check_value", "features_by_name", "value_rows"]
