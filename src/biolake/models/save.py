"""``ln.save(records)``: save many records at once with bulk inserts."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connections, transaction

from biolake.errors import RecordConstraintError
from biolake.models import run_project, search_index
from biolake.models.one_param import in_values
from biolake.models.uids import encode_version
from biolake.setup import search_ddl

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
    inserted: list[tuple[Any, str]] = []  # (record, uid before the save): undone if the insert fails
    try:
        with transaction.atomic():
            for model, group in groups.items():
                bulk, rest = _split_versioned(model, group, inserted)
                for record in bulk:
                    if not record.uid:
                        record.uid = record._new_uid()
                _bulk_insert(model, bulk)
                run_project.label(bulk)
                single.extend(rest)
    except IntegrityError as error:
        conflict = _conflict(groups, error)  # named by the values that were tried
        for record, uid in inserted:  # nothing was saved: the records are unsaved again
            record.pk, record.uid, record._state.adding = None, uid, True
        raise conflict from None
    for record in single:
        record.save()
    return records


def _bulk_insert(model: Any, records: list[Any]) -> None:
    """``bulk_create``; on SQLite the rows are search-indexed in one statement per column
    (:func:`biolake.setup.search_ddl.index_rows`) instead of one trigger call per row."""
    table = model._meta.db_table
    connection = connections[model.objects.db]
    columns = search_index.INDEXED.get(table) if connection.vendor == "sqlite" and len(records) > 1 else None
    if not columns or not search_index.has_fts(connection, table):
        model.objects.bulk_create(records, batch_size=_BATCH)
        return
    search_ddl.drop_insert_triggers(connection, table, columns)
    if any(record.pk is not None for record in records) or not hasattr(model, "uid"):
        model.objects.bulk_create(records, batch_size=_BATCH)
    else:
        _insert_rows(model, records, connection)
    search_ddl.index_rows(connection, table, columns, [record.pk for record in records])


def _insert_rows(model: Any, records: list[Any], connection: Any) -> None:
    """What ``bulk_create`` does on SQLite, in one ``executemany``: Django splits the rows into
    INSERTs of 999 parameters (45 artifacts) and compiles each, two thirds of the time of a
    bulk save. Values are prepared by the fields themselves; ids are read back by uid."""
    fields = [f for f in model._meta.local_concrete_fields if not f.primary_key]
    rows = []
    for record in records:
        record._prepare_related_fields_for_save(operation_name="bulk_create")
        rows.append(tuple(f.get_db_prep_save(f.pre_save(record, True), connection) for f in fields))
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        cursor.execute(f"SELECT uid, id FROM {qn(model._meta.db_table)} WHERE uid IN (SELECT value FROM json_each(%s))",
                       [json.dumps([r.uid for r in records])])
        ids = dict(cursor.fetchall())
    for record in records:
        record.pk = ids[record.uid]
        record._state.adding, record._state.db = False, connection.alias


def _split_versioned(model: type[Record], group: list[Any], inserted: list[tuple[Any, str]]) -> tuple[list[Any], list[Any]]:
    """New families can be bulk-inserted; new versions of existing keys cannot."""
    inserted.extend((record, record.uid) for record in group)
    if not any(f.name == "is_latest" for f in model._meta.concrete_fields):
        return group, []
    keys = [r.key for r in group if r.key]
    counts = Counter(keys)
    vendor = connections[model.objects.db].vendor
    taken = set(model.objects.filter(key__in=in_values(vendor, sorted(set(keys))), is_latest=True)
                .values_list("key", flat=True)) if keys else set()
    bulk, rest = [], []
    for record in group:
        key = record.key
        if getattr(record, "_revises", None) is not None or (key and (key in taken or counts[key] > 1)):
            rest.append(record)
        else:
            record.uid = record.uid or (record._new_uid()[: record._stem_len] + encode_version(0))
            bulk.append(record)
    return bulk, rest



def _conflict(groups: dict[Any, list[Any]], error: IntegrityError) -> RecordConstraintError:
    """The unique value a bulk insert collided on, named: twice in the list, or already saved."""
    for model, group in groups.items():
        for fields in _unique_sets(model):
            seen: dict[tuple[Any, ...], int] = {}
            for record in group:
                value = tuple(getattr(record, model._meta.get_field(f).attname) for f in fields)
                if None in value or "" in value:
                    continue
                if value in seen:
                    return _error(model, fields, value, "appears twice in the list", len(group))
                seen[value] = 1
            taken = _existing(model, fields, list(seen))
            if taken is not None:
                return _error(model, fields, taken, f"is already taken by a saved {model.__name__}", len(group))
    reason = " ".join(str(error).split())
    return RecordConstraintError(f"Cannot save the records: {reason}. Nothing was saved.")


def _unique_sets(model: Any) -> list[tuple[str, ...]]:
    """The unique fields and unconditional unique constraints of ``model``."""
    sets: list[tuple[str, ...]] = [(f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    sets += [tuple(c.fields) for c in model._meta.constraints if getattr(c, "fields", None) and c.condition is None]
    sets += [tuple(u) for u in model._meta.unique_together]
    return sets


def _existing(model: Any, fields: tuple[str, ...], values: list[tuple[Any, ...]]) -> tuple[Any, ...] | None:
    """One of ``values`` that a saved record already has, if any (single fields: in chunks)."""
    if len(fields) == 1:
        attname = model._meta.get_field(fields[0]).attname
        for start in range(0, len(values), 500):
            chunk = [v[0] for v in values[start:start + 500]]
            found = model._plain.filter(**{f"{attname}__in": chunk}).values_list(attname, flat=True).first()
            if found is not None:
                return (found,)
        return None
    attnames = [model._meta.get_field(f).attname for f in fields]
    wanted = set(values)
    first = model._meta.get_field(fields[0]).attname
    candidates = model._plain.filter(**{f"{first}__in": list({v[0] for v in values})}).values_list(*attnames)
    return next((tuple(row) for row in candidates.iterator() if tuple(row) in wanted), None)


def _error(model: Any, fields: tuple[str, ...], value: tuple[Any, ...], where: str, count: int) -> RecordConstraintError:
    shown = ", ".join(f"{f}={v!r}" for f, v in zip(fields, value))
    return RecordConstraintError(
        f"Cannot save {count} {model.__name__} records: {shown} {where} ({' + '.join(fields)} must be unique). "
        "Nothing was saved; change or drop that record and save again.",
        model=model.__name__,
    )
