"""Matching values against a registry field: one query, whatever the number of values.

The database side of :mod:`biolake.models.validation`.

The distinct input values go to the database as ONE parameter (a JSON array read with
``json_each`` on SQLite, a ``text[]`` array on PostgreSQL), so neither SQLite's limit on
query parameters nor the number of values changes the query count. Matching itself runs on
the distinct values in Python; results map back to every input value through the codes
of :func:`distinct` (vectorized with numpy).

Case-insensitive candidates are found with SQL ``LOWER()``, which folds only ASCII letters on
SQLite; matching in Python then folds any letter.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Union

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.db.models import Q
from django.db.models.functions import Lower

from biolake.errors import ValidationError
from biolake.models.dtypes import registry_name
from biolake.models.one_param import in_values

# numpy and pandas load on first use: importing the registries must stay cheap
if TYPE_CHECKING:
    import numpy as np

    from biolake.models.base import Record

# up to this many distinct values, records with synonyms are found with one LIKE per value;
# above it, every record that has synonyms is read (a scan either way, this one is bounded)
LIKE_LIMIT = 32
_LOWER = "_biolake_lower"

# a label type name (``cat[ULabel[Perturbation]]``) or the lookups of a feature's ``cat_filters``
TypeFilter = Union[str, dict[str, Any], None]


@dataclasses.dataclass
class Distinct:
    """The distinct non-missing values of an input, and where each input value falls among them."""

    uniques: list[Any]  # in order of first appearance
    codes: np.ndarray  # per input value: index into ``uniques``, -1 for a missing value
    scalar: bool = False  # the input was a single string

    def spread(self, per_unique: np.ndarray, missing: Any) -> np.ndarray:
        """Per-unique results mapped back to every input value (``missing`` for missing ones)."""
        import numpy as np

        extended = np.append(per_unique, np.asarray([missing], dtype=per_unique.dtype))
        return extended[self.codes]  # code -1 picks the appended ``missing``


def distinct(values: Any) -> Distinct:
    """Factorize ``values`` (a string, list, array, Series, Index or Categorical)."""
    import numpy as np
    import pandas as pd

    scalar = isinstance(values, str)
    if scalar:
        values = [values]
    if not isinstance(values, (pd.Series, pd.Index, pd.Categorical, np.ndarray)):
        values = as_object_array(values)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return Distinct(uniques=list(uniques), codes=np.asarray(codes), scalar=scalar)


def as_object_array(values: Any) -> np.ndarray:
    """A 1-d object array of the values (tuples and lists stay single values)."""
    import numpy as np

    values = values if isinstance(values, (list, tuple)) else list(values)
    array = np.empty(len(values), dtype=object)
    try:
        array[:] = values
    except ValueError:  # values that numpy would unpack (tuples, lists of equal length)
        for i, value in enumerate(values):
            array[i] = value
    return array


def field_name(model: type[Record], field: Any) -> str:
    """The field name: ``None`` (the name field), a string, or a descriptor (``ln.ULabel.name``)."""
    name: str | None
    if field is None:
        name = model._name_field
    elif isinstance(field, str):
        name = field
    else:
        name = getattr(getattr(field, "field", None), "name", None)
        if name is None:
            raise TypeError(f"field must be a field name or a field such as {model.__name__}.name, not {field!r}")
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        raise ValidationError(f"{model.__name__} has no field {name!r}.") from None
    return name


def synonyms_field_name(model: type[Record], synonyms_field: str | None) -> str | None:
    """``synonyms_field`` if the model has it, else ``None``."""
    if not synonyms_field:
        return None
    try:
        model._meta.get_field(synonyms_field)
    except FieldDoesNotExist:
        return None
    return synonyms_field


def registry_label(model: type[Record], field: str, type_filter: TypeFilter = None) -> str:
    """``ULabel.name``, ``ULabel[Perturbation].name``, ``bio.Gene.ensembl_gene_id``,
    ``ULabel[type__uid='...'].name`` (a feature's ``cat_filters``)."""
    if isinstance(type_filter, dict):
        typed = "[" + ", ".join(f"{k}={v!r}" for k, v in type_filter.items()) + "]"
    else:
        typed = f"[{type_filter}]" if type_filter else ""
    return f"{registry_name(model)}{typed}.{field}"


def base_queryset(model: type[Record], type_filter: TypeFilter = None) -> Any:
    """The records that count: not trashed, and of the label type ``type_filter`` if given
    (a name), or matching the lookups of a feature's ``cat_filters`` (a dict)."""
    qs = model.filter()  # the registry's default conditions: branch_id=1 where it has a branch
    if isinstance(type_filter, dict):
        qs = qs.filter(**type_filter)
    elif type_filter is not None:
        qs = qs.filter(type__name=type_filter)
    return qs


def _is_text(model: type[Record], field: str) -> bool:
    return isinstance(model._meta.get_field(field), (models.CharField, models.TextField))


def _in(qs: Any, values: list[Any]) -> Any:
    """The right-hand side of ``__in``: all values as one query parameter where possible."""
    return in_values(connections[qs.db].vendor, values)


@dataclasses.dataclass
class Reference:
    """What the registry holds for a set of values (read by :func:`fetch`)."""

    canonical: set[Any]
    synonyms: dict[Any, Any]  # synonym → canonical value
    folded: dict[str, Any]  # casefolded canonical value or synonym → canonical value

    def match(self, uniques: list[Any], case_sensitive: bool) -> tuple[np.ndarray, list[Any]]:
        """Per value: whether it is canonical, and the canonical value it maps to (or ``None``)."""
        import numpy as np

        exact = np.fromiter((v in self.canonical for v in uniques), dtype=bool, count=len(uniques))
        mapped: list[Any] = [None] * len(uniques)
        if not self.synonyms and (case_sensitive or not self.folded):
            return exact, mapped
        for i, value in enumerate(uniques):
            if exact[i]:
                continue
            target = self.synonyms.get(value)
            if target is None and not case_sensitive and isinstance(value, str):
                target = self.folded.get(value.casefold())
            mapped[i] = target
        return exact, mapped


def fetch(
    model: type[Record],
    field: str,
    uniques: list[Any],
    synonyms_field: str | None = None,
    case_sensitive: bool = True,
    type_filter: TypeFilter = None,
) -> Reference:
    """Read, in one query, the canonical values (and synonyms) that ``uniques`` can match."""
    reference = Reference(set(), {}, {})
    text = _is_text(model, field)
    values = [str(v) for v in uniques if isinstance(v, str)] if text else list(uniques)
    if not values:
        return reference
    qs = base_queryset(model, type_filter)
    condition = Q(**{f"{field}__in": _in(qs, values) if text else values})
    if text and not case_sensitive:
        qs = qs.annotate(**{_LOWER: Lower(field)})
        condition |= Q(**{f"{_LOWER}__in": _in(qs, sorted({v.lower() for v in values}))})
    if synonyms_field:
        if len(values) <= LIKE_LIMIT:
            for value in values:
                condition |= Q(**{f"{synonyms_field}__icontains": value})
        else:
            condition |= Q(**{f"{synonyms_field}__gt": ""})
    qs = qs.filter(condition).order_by("pk")
    if synonyms_field:
        rows = list(qs.values_list(field, synonyms_field))
    else:
        rows = [(value, None) for value in qs.values_list(field, flat=True)]
    return _build(reference, rows, case_sensitive)


def _build(reference: Reference, rows: list[tuple[Any, Any]], case_sensitive: bool) -> Reference:
    for value, _ in rows:  # by id: on ambiguity the oldest record wins
        reference.canonical.add(value)
        if not case_sensitive and isinstance(value, str):
            reference.folded.setdefault(value.casefold(), value)
    for value, synonyms in rows:  # names win over synonyms
        for synonym in (synonyms or "").split("|"):
            if synonym and synonym not in reference.canonical:
                reference.synonyms.setdefault(synonym, value)
                if not case_sensitive:
                    reference.folded.setdefault(synonym.casefold(), value)
    return reference


def records(model: type[Record], field: str, uniques: list[Any], type_filter: TypeFilter = None) -> dict[Any, Any]:
    """The first record (by id) per value of ``uniques`` that exists, in one query."""
    text = _is_text(model, field)
    values = [str(v) for v in uniques if isinstance(v, str)] if text else list(uniques)
    if not values:
        return {}
    qs = base_queryset(model, type_filter)
    found: dict[Any, Any] = {}
    for record in qs.filter(**{f"{field}__in": _in(qs, values) if text else values}).order_by("pk"):
        found.setdefault(getattr(record, field), record)
    return found
