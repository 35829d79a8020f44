"""Version families: uid stem + 4-char suffix, one ``is_latest`` per family, safe under concurrency.

A family is identified by its uid stem. New content under an existing key (or with
``revises=``) joins the family of the latest record with that key. Assigning the version
happens inside the saving transaction, with the family locked: on PostgreSQL through a
transaction-level advisory lock, on SQLite through ``BEGIN IMMEDIATE`` (one writer).
"""

from __future__ import annotations

import zlib
from typing import Any, ClassVar

from django.db import connection, models

from biolake.models import compiled_sql
from biolake.models.current import visible_branch_ids
from biolake.models.uids import (
    VERSION_SUFFIX_LEN,
    decode_version,
    encode_version,
    random_base62,
)
from biolake.setup.db_guard import WriteGuard


def _lock_key(name: str) -> int:
    return zlib.crc32(name.encode()) - 2**31


def lock(name: str) -> None:
    """Serialize writers of one family until the current transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4242, _lock_key(name)])


class ReadAhead:
    """The rows of a lookup's queries read before its transaction (:func:`read_ahead`)."""

    def __init__(self, queries: list[Any]) -> None:
        self.queries = queries
        self._connection = connection.connection  # data versions of two connections do not compare
        self._version = _data_version()  # read first: a commit after it makes the rows stale
        self.rows = [_rows(query) for query in queries]

    def holds(self, queries: list[Any]) -> bool:
        """Inside the write transaction: whether the rows are those ``queries`` give now (no other
        connection committed since they were read)."""
        return queries == self.queries and connection.connection is self._connection and _data_version() == self._version


def read_ahead(queries: list[Any]) -> ReadAhead | None:
    """Run the ``queries`` of a later :func:`locked_lookup` now, before its transaction, so that
    the transaction does not run them again unless another writer committed meanwhile.

    SQLite only (``None`` elsewhere, or inside a transaction): there the transaction holds the
    database's one write lock, and ``PRAGMA data_version`` tells whether any other connection
    committed since the rows were read. A save reads ahead while its bytes travel.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return None
    return ReadAhead(queries)


def _data_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA data_version")
        return int(cursor.fetchone()[0])


def locked_lookup(names: list[str], queries: list[Any], ahead: ReadAhead | None = None) -> list[list[tuple[Any, ...]]]:
    """Take the advisory locks ``names`` (in order), then run ``queries`` (values_list QuerySets,
    or ``(sql, params)`` statements of :mod:`biolake.models.compiled_sql`).

    Call first thing inside ``transaction.atomic()``. On PostgreSQL, when the transaction has
    not started on the server yet, ``BEGIN``, the locks and the query travel in one round
    trip (a multi-statement simple query). Each statement there takes its own snapshot
    (READ COMMITTED), so the query sees what writers holding the locks before committed.
    Elsewhere: one statement per lock, then one per query; on SQLite, rows read ahead
    (:func:`read_ahead`) are taken instead while they hold.
    """
    if ahead is not None and ahead.holds(queries):
        return ahead.rows
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        from psycopg import pq  # PostgreSQL only

        if not raw.autocommit and raw.pgconn.transaction_status == pq.TransactionStatus.IDLE:
            try:
                return _begin_locked(raw, names, queries)
            except Exception:  # as the write guard does: a deleted instance is named as such
                for wrapper in connection.execute_wrappers:
                    if isinstance(wrapper, WriteGuard):
                        wrapper.check_identity()
                raise
    for name in names:
        lock(name)
    return [_rows(query) for query in queries]


def _rows(query: Any) -> list[tuple[Any, ...]]:
    if not isinstance(query, tuple):
        return [tuple(row) for row in query]
    return compiled_sql.fetch(query)


def _sql_with_params(query: Any) -> tuple[str, Any]:
    return query if isinstance(query, tuple) else query.query.sql_with_params()


def _begin_locked(raw: Any, names: list[str], queries: list[Any]) -> list[list[tuple[Any, ...]]]:
    from psycopg import ClientCursor
    from psycopg.generators import execute

    statements = ["BEGIN"] + [f"SELECT pg_advisory_xact_lock(4242, {_lock_key(name)})" for name in names]
    with connection.wrap_database_errors, ClientCursor(raw) as cursor:
        statements += [cursor.mogrify(*_sql_with_params(query)) for query in queries]
        with raw.lock:
            raw.pgconn.send_query("; ".join(statements).encode())
            results = raw.wait(execute(raw.pgconn))
        cursor._check_results(results)
        rows = []
        for result in results[len(results) - len(queries) :]:
            cursor._set_results([result])  # rows loaded by psycopg's own type loaders
            rows.append([tuple(row) for row in cursor.fetchall()])
        return rows


def new_stem(record: Any) -> str:
    """A fresh random uid stem for a new family."""
    return random_base62(record._stem_len)


def family(model: Any, stem: str) -> Any:
    """All records of a family, oldest first."""
    return model.objects.filter(uid__startswith=stem).order_by("uid")  # objects: a range scan on SQLite


def next_uid(model: Any, stem: str) -> str:
    """The uid of the next version in the family ``stem``."""
    uids = family(model, stem).values_list("uid", flat=True)
    numbers = [decode_version(uid[-VERSION_SUFFIX_LEN:]) for uid in uids]
    return stem + encode_version(max(numbers) + 1 if numbers else 0)


def family_query(model: Any, family_lookup: dict[str, Any]) -> Any:
    """The uids of the latest records of the family keyed ``family_lookup`` (at most one, as a rule)."""
    return _family_query(model, family_lookup, visible_branch_ids())


def _family_query(model: Any, family_lookup: dict[str, Any], branches: list[int]) -> Any:
    # one branch: ``branch_id = 1`` (not ``IN (1)``) matches the partial unique index of the
    # family key, which SQLite then uses instead of scanning every record of the storage
    on_branch = {"branch_id": branches[0]} if len(branches) == 1 else {"branch_id__in": branches}
    return model._plain.filter(is_latest=True, **on_branch, **family_lookup).values_list("uid")[:2]


def family_statement(model: Any, family_lookup: dict[str, Any]) -> tuple[str, list[Any]]:
    """:func:`family_query` as a cached statement (:mod:`biolake.models.compiled_sql`)."""
    branches = visible_branch_ids()
    names = list(family_lookup)

    def build(params: list[Any]) -> Any:
        return _family_query(model, dict(zip(names, params[len(branches) :])), params[: len(branches)])

    params = [*branches, *family_lookup.values()]
    return compiled_sql.statement(model, ("family", len(branches), *names), build, params)


def family_lock(model: Any, family_lookup: dict[str, Any]) -> str:
    """The name of the lock that serializes writers of the family keyed ``family_lookup``."""
    return f"{model._meta.db_table}:{family_lookup}"


def assign(record: Any, revises: Any, family_lookup: dict[str, Any] | None, latest: list[tuple[Any, ...]] | None = None) -> Any:
    """Give ``record`` its final uid and make it the family's latest; returns the previous latest.

    Call inside ``transaction.atomic()``. ``family_lookup`` (e.g. ``{"key": ..., "storage_id": ...}``)
    finds the family by key when ``revises`` is not given. ``latest``: the rows of
    :func:`family_query`, read already under the family's lock (:func:`locked_lookup`).
    """
    model = type(record)
    if family_lookup and latest is None:
        latest = locked_lookup([family_lock(model, family_lookup)], [family_query(model, family_lookup)])[0]
    previous = revises
    if previous is None and family_lookup:
        # at most one: a unique constraint guards (key, is_latest) where families are keyed
        uids = [row[0] for row in latest or []]
        previous = model._plain.get(uid=max(uids)) if uids else None
    if previous is not None:
        stem = previous.uid[: record._stem_len]
        lock(f"{model._meta.db_table}:{stem}")
        record.uid = next_uid(model, stem)
        model.objects.filter(uid__startswith=stem, is_latest=True).update(is_latest=False)  # a range scan on SQLite
    elif not record.uid:
        record.uid = new_stem(record) + encode_version(0)
    record.is_latest = True
    return previous


def refresh_latest(model: Any, stem: str) -> None:
    """Make the newest non-trashed member of a family its latest (after a delete or restore)."""
    members = family(model, stem)
    newest = members.filter(branch_id__in=visible_branch_ids()).order_by("-uid").first()
    members.exclude(pk=getattr(newest, "pk", None)).filter(is_latest=True).update(is_latest=False)
    if newest is not None and not newest.is_latest:
        members.filter(pk=newest.pk).update(is_latest=True)


class IsVersioned(models.Model):
    """Records in version families (artifacts, collections, transforms): ``versions``, ``stem_uid``."""

    _lookup_aliases: ClassVar[dict[str, str]] = {"version_tag": "version"}  # LaminDB 2.x names in filter()

    class Meta:
        abstract = True

    @property
    def versions(self) -> Any:
        """All non-trashed versions of this record, oldest first."""
        return family(type(self), self.stem_uid).filter(branch_id__in=visible_branch_ids())

    @property
    def version_tag(self) -> str | None:
        """LaminDB 2.x name of ``version`` (the free version tag, e.g. ``"1.0"``); both name one field."""
        return self.version  # type: ignore[attr-defined, no-any-return]

    @version_tag.setter
    def version_tag(self, value: str | None) -> None:
        self.version = value

    @property
    def stem_uid(self) -> str:
        """The uid without its 4-char version suffix."""
        return self.uid[: self._stem_len]
