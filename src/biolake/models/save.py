"""``ln.save(records)``: save many records at once with bulk inserts."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any, Iterable

from django.db import transaction

from biolake.models.uids import encode_version

if TYPE_CHECKING:
    from biolake.models.base import Record

_BATCH = 2000
# attributes of records that need their own ``save()``: bytes to store, feature values to link
_OWN_SAVE = ("_source", "_pending", "_pending_values")


def save(records: Iterable[Any]) -> list[Any]:
    """Save records in bulk: new records are bulk-inserted in one transaction.

    Records that need their own ``save()`` go through it: artifacts with bytes to store,
    records with feature values (``ln.Record(..., features=...)``), and versioned records whose key already names a family (they become its new version).
    """
    records = list(records)
    groups: dict[type[Record], list[Any]] = defaultdict(list)
    single: list[Any] = []
    for record in records:
        if record._state.adding and not any(getattr(record, a, None) is not None for a in _OWN_SAVE):
            groups[type(record)].append(record)
        else:
            single.append(record)
    with transaction.atomic():
        for model, group in groups.items():
            bulk, rest = _split_versioned(model, group)
            for record in bulk:
                if not record.uid:
                    record.uid = record._new_uid()
            model.objects.bulk_create(bulk, batch_size=_BATCH)
            single.extend(rest)
    for record in single:
        record.save()
    return records


def _split_versioned(model: type[Record], group: list[Any]) -> tuple[list[Any], list[Any]]:
    """New families can be bulk-inserted; new versions of existing keys cannot."""
    if not any(f.name == "is_latest" for f in model._meta.concrete_fields):
        return group, []
    keys = [r.key for r in group if r.key]
    counts = Counter(keys)
    taken = set(model.objects.filter(key__in=set(keys), is_latest=True).values_list("key", flat=True)) if keys else set()
    bulk, rest = [], []
    for record in group:
        key = record.key
        if getattr(record, "_revises", None) is not None or (key and (key in taken or counts[key] > 1)):
            rest.append(record)
        else:
            record.uid = record.uid or (record._new_uid()[: record._stem_len] + encode_version(0))
            bulk.append(record)
    return bulk, rest

