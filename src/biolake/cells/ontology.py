"""Ontology-linked obs columns: which registry a column's terms belong to, and their descendants.

A column is linked to a registry by a feature of the same name (``dtype="cat[bio.CellType]"``)
or, without one, by the CELLxGENE naming convention (``cell_type`` → ``bio.CellType``, ...).
``include_children=True`` widens ``column="T cell"`` / ``column__in=[...]`` to the terms and
all their descendants (names and ontology ids) in the registry's hierarchy.
"""

from __future__ import annotations

from typing import Any

from biolake import _logging as log
from biolake.errors import ValidationError
from biolake.models import Feature, hierarchy
from biolake.models.dtypes import parse as parse_dtype
from biolake.models.registries import registry_model

from biolake.cells.filters import Condition

CONVENTIONAL: dict[str, str] = {
    "cell_type": "bio.CellType",
    "tissue": "bio.Tissue",
    "disease": "bio.Disease",
    "organism": "bio.Organism",
    "assay": "bio.ExperimentalFactor",
    "development_stage": "bio.DevelopmentalStage",
    "self_reported_ethnicity": "bio.Ethnicity",
    "cell_line": "bio.CellLine",
}


def registry_of(column: str) -> type[Any] | None:
    """The ontology registry whose terms ``column`` holds, if any (and enabled)."""
    base = column.removesuffix("_ontology_term_id")
    name = None
    feature = Feature.filter(name__in=[column, base]).first()
    if feature is not None:
        parsed = parse_dtype(feature.dtype)
        name = parsed.registry if parsed.registry and parsed.registry != "ULabel" else None
    name = name or CONVENTIONAL.get(base)
    if name is None:
        return None
    try:
        model = registry_model(name)
    except ValidationError:
        return None
    return model if any(f.name == "parents" for f in model._meta.get_fields()) else None


def with_children(conditions: list[Condition]) -> list[Condition]:
    """The conditions with ontology terms widened to their descendants."""
    widened, linked = [], 0
    for condition in conditions:
        model = registry_of(condition.column) if condition.lookup in ("exact", "in") else None
        if model is None or condition.value is None:
            widened.append(condition)
            continue
        linked += 1
        values = condition.value if condition.lookup == "in" else [condition.value]
        widened.append(Condition(condition.column, "in", _terms_and_descendants(model, values, condition.column)))
    if not linked:
        log.warning("include_children=True changed nothing: no filter is on an ontology-linked obs column")
    return widened


def _terms_and_descendants(model: type[Any], values: list[Any], column: str) -> list[str]:
    found: list[str] = []
    for value in values:
        record = model.filter(name=value).first() or model.filter(ontology_id=value).first()
        if record is None:
            raise ValidationError(
                f"{value!r} of obs column '{column}' is not a term of {model.__name__}: "
                f"add it (e.g. {model.__name__}.from_source(name={value!r}).save()) or check the spelling",
                non_validated={column: [value]},
            )
        for term in [record, *hierarchy.relatives(record, "children")]:
            found.extend(v for v in (term.name, term.ontology_id) if v)
    return list(dict.fromkeys(found))
