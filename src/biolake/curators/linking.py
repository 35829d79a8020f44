"""After a curated dataset is saved: link its schema per slot and its labels (ULabel, bio records) with their features.

Slots whose schema has an ``itype`` get an inferred schema that describes the actual
columns (or ``var`` index): with ``itype`` Feature its features are those columns; with
another registry its ``n`` is their number and its hash covers their values, so each set
of columns has its own schema record, shared by every artifact with the same set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from biolake.curators.slot import CatTarget, SlotCurator
from biolake.models import ArtifactSchema, Feature, Schema, ULabel, validation
from biolake.models.label_links import LabelLink, label_links


def link(artifact: Any, slots: Mapping[str, SlotCurator]) -> tuple[int, int]:
    """Link one schema per slot and the labels of categorical columns (ULabel, bio, ...); returns the counts."""
    schema_links = [
        ArtifactSchema(artifact=artifact, schema=slot_schema(slot), slot=name) for name, slot in slots.items()
    ]
    label_rows: dict[Any, list[Any]] = defaultdict(list)  # link table → its rows
    for slot in slots.values():
        for target in slot.targets.values():
            label = _label_link(artifact, target)
            if label is None:
                continue
            values = slot.values(target)
            records = validation.from_values(target.model, values, field=target.field, type_filter=target.type_name)
            label_rows[label.through] += [
                label.through(**{label.owner: artifact, label.column: r, "feature": target.feature}) for r in records
            ]
    with transaction.atomic():
        ArtifactSchema.objects.bulk_create(schema_links, ignore_conflicts=True)
        for through, rows in label_rows.items():
            through.objects.bulk_create(rows, ignore_conflicts=True)
    return len(schema_links), sum(len(rows) for rows in label_rows.values())


def _label_link(artifact: Any, target: CatTarget) -> LabelLink | None:
    """The link table for a categorical target's values: ULabel targets with a feature, and
    columns of other registries linked to artifacts (``cat[bio.CellType]``); else None."""
    if target.feature is None or (target.model is not ULabel and target.source != "column"):
        return None
    for label in label_links(type(artifact)):
        if label.model is target.model:
            return label
    return None


def slot_schema(slot: SlotCurator) -> Any:
    """The schema to link for a slot: its own, or one inferred from the values its ``itype`` validated."""
    if slot.itype is None:
        return slot.schema
    target = slot.targets[slot.itype_key]
    return inferred_schema(slot.schema, target.model, target.field, [str(v) for v in slot.values(target)])


def inferred_schema(schema: Any, model: Any, field: str, values: list[str]) -> Any:
    """A saved schema for exactly ``values`` (column or var names) of an ``itype`` schema."""
    if model is Feature:
        features = validation.from_values(Feature, values, field=field)
        return Schema(features=features, itype=schema.itype, dtype=schema.dtype, otype=None).save()
    # exactly these values, in their order: maximal and ordered; deduplicated by the members' hash
    inferred = Schema(itype=schema.itype, dtype=schema.dtype, members=values, maximal_set=True, ordered_set=True)
    is_new = inferred._state.adding
    inferred.save()
    relation = _member_relation(model)
    if is_new and relation is not None:  # e.g. Schema.genes: query schemas by the genes they hold
        getattr(inferred, relation).add(*validation.from_values(model, values, field=field))
    return inferred


def _member_relation(model: Any) -> str | None:
    """The Schema relation holding records of ``model`` (``genes`` for bio.Gene), if there is one."""
    for relation in Schema._meta.related_objects:
        if relation.many_to_many and relation.related_model is model:
            return relation.get_accessor_name()
    return None
