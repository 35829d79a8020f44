"""Values that a registry lacks but its public source knows: validated, and saved with the artifact.

Registries with a public source (the bio registries: ``bt.Gene``, ``bt.CellType``, ...) are
recognized by their ``public()`` method, so curators need not import them. A value that is
not in the registry but exists as it is in the public source counts as validated ("validated
via public source"); its record is made from the public source and saved when the curated
artifact is saved, all in one transaction. A synonym in the public source is offered to
``standardize`` like a registry synonym.

Example::

    ✓ "var_index" is validated against Gene.ensembl_gene_id
    → 3 terms of "var_index" validated via public source gencode (saved with the artifact): 'ENSG00000153563', ...
    ...
    ✓ added 3 records from public with Gene.ensembl_gene_id for "var_index": 'ENSG00000153563', ...
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import transaction

from biolake import _logging as log
from biolake.models import save, validation, validation_report


def source_of(model: Any) -> Any:
    """The public source of ``model`` (a ``PublicOntology``), or None if it has none."""
    if not hasattr(model, "public"):
        return None
    try:
        return model.public()
    except LookupError:  # an entity without a source (e.g. Pathway before add_source)
        return None


def knows_field(ontology: Any, field: str) -> bool:
    """Whether the public source has ``field`` (its id or one of its columns)."""
    return field == ontology.id_field or field in ontology.df().columns


def extend(model: Any, field: str, result: validation.InspectResult) -> tuple[validation.InspectResult, list[Any]]:
    """``result`` (from the registry) with the values its public source knows counted as validated.

    Returns the extended result and the values validated via the public source (input order).
    Public synonyms of the remaining values join ``synonyms_mapper``.
    """
    rest = [v for v in result.non_validated if v not in result.synonyms_mapper]
    ontology = source_of(model) if rest else None
    if ontology is None or not knows_field(ontology, field):
        return result, []
    strings = [v for v in rest if isinstance(v, str)]
    public = ontology.inspect(strings, field=field, mute=True) if strings else None
    if public is None:
        return result, []
    found = set(public.validated)
    via_public = [v for v in rest if v in found]
    mapper = {**result.synonyms_mapper, **{k: v for k, v in public.synonyms_mapper.items() if k not in found}}
    extended = dataclasses.replace(
        result,
        validated=[*result.validated, *via_public],
        non_validated=[v for v in result.non_validated if v not in found],
        synonyms_mapper=mapper,
    )
    return extended, via_public


def report(key: str, model: Any, values: list[Any]) -> str:
    """``3 terms of "var_index" validated via public source gencode (saved with the artifact): ...``."""
    ontology = source_of(model)
    name = f" {ontology.source.name}" if ontology is not None else ""
    return (
        f"{validation_report.count(len(values), 'term')} of \"{key}\" validated via public source{name} "
        f"(saved with the artifact): {validation_report.listing(values)}"
    )


def save_records(pending: list[tuple[str, Any, str, list[Any]]]) -> list[Any]:
    """Save the records of values validated via public sources, all or nothing.

    ``pending``: ``(key, model, field, values)`` per categorical key. Ontology terms are
    saved one by one so that their ancestors come along as parents; others in bulk.
    """
    saved: list[Any] = []
    messages = []
    with transaction.atomic():
        for key, model, field, values in pending:
            records = [r for r in model.from_values(values, field=field, mute=True) if r._state.adding]
            if hasattr(model, "parents"):
                for record in records:
                    record.save()
            else:
                save(records)
            saved += records
            if records:
                shown = validation_report.listing([getattr(r, field) for r in records])
                messages.append(
                    f"added {validation_report.count(len(records), 'record')} from public with "
                    f'{model.__name__}.{field} for "{key}": {shown}'
                )
    for message in messages:  # printed once committed
        log.success(message)
    return saved
