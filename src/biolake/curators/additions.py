"""Registering terms that do not validate yet (``add_new_from``)."""

from __future__ import annotations

from typing import Any

from biolake import _logging as log
from biolake.errors import ValidationError
from biolake.models import save
from biolake.models.value_matching import TypeFilter

_FILLED_BY_SAVE = frozenset({"uid", "created_by"})  # set by Record.save() and the constructor


def addable(model: Any, field: str) -> bool:
    """Whether a record of ``model`` can be made from a value of ``field`` alone.

    Not for registries with other required fields, such as Feature (its dtype).
    """
    if getattr(model, "_required_fields", ()):  # nullable in the table, required for most records
        return False
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name == field or f.name in _FILLED_BY_SAVE:
            continue
        if f.null or f.has_default() or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        return False
    return True


def add(model: Any, field: str, values: list[Any], type_name: TypeFilter = None) -> list[Any]:
    """Create one record per value in bulk (labels of the type ``type_name``, if given; with
    the field values a feature's ``cat_filters`` name, if those are given)."""
    if not values:
        return []
    if hasattr(model, "import_source"):  # a bio registry: take the records from its public source
        return _add_from_public(model, field, values)
    if not addable(model, field):
        required = list(getattr(model, "_required_fields", ())) + [
            f.name for f in model._meta.concrete_fields
            if not (f.primary_key or f.null or f.has_default() or f.name in _FILLED_BY_SAVE or f.name == field)
            and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)
        ]
        raise ValidationError(
            f"{model.__name__} records need more than a {field}: create them yourself, setting "
            f"{', '.join(required)} too.",
            non_validated={field: list(values)},
        )
    extra: dict[str, Any] = {}
    if isinstance(type_name, dict):
        extra = filter_fields(model, type_name)
    elif type_name is not None:
        extra["type"] = label_type(model, type_name)
    records = [model(**{field: value}, **extra) for value in values]
    save(records)
    return records


def filter_fields(model: Any, filters: dict[str, Any]) -> dict[str, Any]:
    """Field values that make a new record match ``filters``: ``{"type__uid": "x"}`` → ``{"type": <record x>}``."""
    fields: dict[str, Any] = {}
    for lookup, value in filters.items():
        name, _, rest = lookup.partition("__")
        if not rest:
            fields[name] = value
            continue
        related = model._meta.get_field(name).related_model
        fields[name] = related.objects.get(**{rest: value})
    return fields


def label_type(model: Any, type_name: str) -> Any:
    """The label type named ``type_name`` (``cat[ULabel[Perturbation]]``)."""
    found = model.filter(name=type_name, is_type=True).first()
    if found is None:
        raise ValidationError(
            f"There is no {model.__name__} type {type_name!r}: create it with "
            f"ln.{model.__name__}(name={type_name!r}, is_type=True).save()"
        )
    return found



def _add_from_public(model: Any, field: str, values: list[Any]) -> list[Any]:
    """Records of a bio registry from its public source; values it does not know are created plainly."""
    records = [r for r in model.from_values(values, field=field) if r._state.adding]
    save(records)
    known = {getattr(r, field) for r in records}
    log.success(f"added {len(records)} records from public with {model.__name__}.{field}")
    plain = [v for v in values if v not in known]
    if plain:
        plain_records = [model(**{field: value}) for value in plain]
        save(plain_records)
        records += plain_records
    return records
