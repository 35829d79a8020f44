"""Validating values against a registry field: ``validate``, ``inspect``, ``standardize``, ``from_values``.

``CanValidate`` (``biolake.models.extensions``) hands these calls here, so
``ln.ULabel.validate(values)`` is :func:`validate` with ``model=ln.ULabel``; curators call
:func:`validate_values`. Each call runs one query, however many values are passed; work
happens on the distinct values, then maps back (a million values with a thousand distinct
ones take well under a second). :class:`InspectResult` is also what public sources'
``inspect`` returns.

Only records that are not in the trash count. ``field`` is ``None`` (the registry's name
field), a field name, or a field (``ln.ULabel.name``).

Example:
    >>> ln.ULabel.validate(["DMSO", "IFNJ"])  # doctest: +SKIP
    array([ True, False])
    >>> ln.ULabel.standardize(["dmso", "IFNJ"])  # doctest: +SKIP
    ['DMSO', 'IFNJ']
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from biolake import _logging as log
from biolake.errors import ValidationWarning
from biolake.models import validation_report, value_matching
from biolake.models.value_matching import TypeFilter
from biolake.models.record_list import RecordList

# numpy and pandas load on first use: importing the registries must stay cheap
if TYPE_CHECKING:
    import numpy as np

__all__ = ["InspectResult", "from_values", "inspect", "standardize", "validate", "validate_values"]


@dataclasses.dataclass
class InspectResult:
    """Which values are validated, which not, and which map to a canonical value.

    Returned by registries (``ln.ULabel.inspect``) and public sources
    (``bt.CellType.public().inspect``) alike.

    Attributes:
        validated: distinct values that exist in the field as they are, in input order.
        non_validated: distinct values that do not (synonyms and case variants included),
            in input order. Missing values (``None``, ``NaN``) are in neither list.
        synonyms_mapper: non-validated values that ``standardize`` maps to a canonical
            value (through synonyms, case or, in public sources, the replacement of an
            obsolete id), e.g. ``{"T-cell": "T cell"}``.
        ambiguous: values that match several records → the ids of those records; none is
            picked for them. Always empty for registries, where the oldest record wins.
    """

    validated: list[Any]
    non_validated: list[Any]
    synonyms_mapper: dict[Any, Any]
    ambiguous: dict[Any, list[Any]] = dataclasses.field(default_factory=dict)

    @property
    def unmapped(self) -> list[Any]:
        """Non-validated values that are not synonyms either: typos or new terms."""
        return [v for v in self.non_validated if v not in self.synonyms_mapper]

    @property
    def frac_validated(self) -> float:
        """Share of distinct values that validated (1.0 for no values)."""
        total = len(self.validated) + len(self.non_validated)
        return len(self.validated) / total if total else 1.0


def validate(
    model: Any, values: Any, field: Any = None, mute: bool = False, type_filter: TypeFilter = None, **kwargs: Any
) -> np.ndarray:
    """A boolean array: ``True`` where the value exists in ``field`` (exact match).

    Args:
        model: the registry.
        values: a string, list, array, Series, Index or Categorical.
        field: ``None`` (the name field), a field name or a field (``ln.ULabel.name``).
        mute: print nothing.
        type_filter: only labels of this label type count (``ULabel.type.name``).
    """
    name = value_matching.field_name(model, field)
    found = value_matching.distinct(values)
    reference = value_matching.fetch(model, name, found.uniques, type_filter=type_filter)
    exact, _ = reference.match(found.uniques, case_sensitive=True)
    if not mute:
        bad = [v for v, ok in zip(found.uniques, exact) if not ok]
        if bad:
            log.warning(f"{validation_report.not_validated(bad)}; inspect with .inspect()", ValidationWarning)
    return found.spread(exact, False)


def inspect(
    model: Any,
    values: Any,
    field: Any = None,
    mute: bool = False,
    synonyms_field: str | None = "synonyms",
    case_sensitive: bool = False,
    type_filter: TypeFilter = None,
    **kwargs: Any,
) -> InspectResult:
    """Validated and non-validated values, and the synonyms among the latter, with a printed summary.

    Example:
        >>> ln.ULabel.inspect(["DMSO", "ifng", "foo"])  # doctest: +SKIP
        ✓ 1 term is validated
        ! 2 terms are not validated: 'ifng', 'foo'
        → 1 synonym found: "ifng" → "IFNG"; standardize with .standardize()
    """
    result = _inspect(model, values, field, synonyms_field, case_sensitive, type_filter)
    if not mute:
        _print_summary(result)
    return result


def validate_values(model: Any, field: Any, values: Any, type_filter: TypeFilter = None) -> InspectResult:
    """:func:`inspect` for curators: no output, synonyms and case variants detected.

    ``type_filter`` restricts ULabels to one label type (``cat[ULabel[Perturbation]]``).
    """
    return _inspect(model, values, field, "synonyms", False, type_filter)


def standardize(
    model: Any,
    values: Any,
    field: Any = None,
    synonyms_field: str | None = "synonyms",
    return_mapper: bool = False,
    case_sensitive: bool = False,
    mute: bool = False,
    type_filter: TypeFilter = None,
    **kwargs: Any,
) -> Any:
    """Values mapped to canonical ones through synonyms and (unless ``case_sensitive``) case.

    Exact matches and values that match nothing are kept as they are.

    Returns:
        a string for a string, a list for any other input, or with ``return_mapper=True``
        the dict of the values that change (``{"T-cell": "T cell"}``).
    """
    import numpy as np

    found, _, mapped = _match(model, values, field, synonyms_field, case_sensitive, type_filter)
    mapper = {v: m for v, m in zip(found.uniques, mapped) if m is not None}
    if not mute and mapper:
        log.info(f"standardized {validation_report.count(len(mapper), 'term')}: {validation_report.mapping(mapper)}")
    if return_mapper:
        return mapper
    standardized = np.empty(len(found.uniques), dtype=object)
    standardized[:] = [m if m is not None else v for v, m in zip(found.uniques, mapped)]
    if found.scalar:
        return standardized[0] if len(standardized) else values
    result = found.spread(standardized, None)
    missing = found.codes < 0
    if missing.any():  # keep missing values as they were (None or NaN)
        original = np.asarray(values, dtype=object) if hasattr(values, "__array__") else None
        result[missing] = (original if original is not None else value_matching.as_object_array(values))[missing]
    return result.tolist()


def from_values(
    model: Any, values: Any, field: Any = None, type_filter: TypeFilter = None, create: bool = False, **kwargs: Any
) -> RecordList:
    """The records whose ``field`` equals one of ``values``: input order, one per value.

    ``create=True`` adds a new (unsaved) record for each value no record has yet.
    """
    name = value_matching.field_name(model, field)
    uniques = value_matching.distinct(values).uniques
    found = value_matching.records(model, name, uniques, type_filter)
    if create:
        return RecordList(found[v] if v in found else model(**{name: v}) for v in uniques)
    return RecordList(found[v] for v in uniques if v in found)


def _inspect(
    model: Any, values: Any, field: Any, synonyms_field: str | None, case_sensitive: bool, type_filter: TypeFilter
) -> InspectResult:
    found, exact, mapped = _match(model, values, field, synonyms_field, case_sensitive, type_filter)
    validated = [v for v, ok in zip(found.uniques, exact) if ok]
    non_validated = [v for v, ok in zip(found.uniques, exact) if not ok]
    mapper = {v: m for v, m in zip(found.uniques, mapped) if m is not None}
    return InspectResult(validated, non_validated, mapper)


def _print_summary(result: InspectResult) -> None:
    if result.validated:
        log.success(validation_report.validated(len(result.validated)))
    if result.non_validated:
        log.warning(validation_report.not_validated(result.non_validated), ValidationWarning)
    if result.synonyms_mapper:
        log.info(validation_report.synonyms_found(result.synonyms_mapper))


def _match(
    model: Any, values: Any, field: Any, synonyms_field: str | None, case_sensitive: bool, type_filter: TypeFilter
) -> tuple[value_matching.Distinct, Any, list[Any]]:
    """The distinct values, which exist in the field (one query), and what each maps to."""
    found = value_matching.distinct(values)
    reference = value_matching.fetch(
        model,
        value_matching.field_name(model, field),
        found.uniques,
        value_matching.synonyms_field_name(model, synonyms_field),
        case_sensitive,
        type_filter,
    )
    exact, mapped = reference.match(found.uniques, case_sensitive)
    return found, exact, mapped
