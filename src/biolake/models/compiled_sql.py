"""The save path's fixed-shape statements: compiled by Django once, then run with new values.

Saving a new artifact asks the same questions every time (is this hash registered? which
record is the latest under this key?) and inserts one row: the statements differ only in
their values. Building a QuerySet and compiling it costs several times what SQLite takes
to run it, so the SQL text is cached per registry, database and shape. The first use of a
shape compiles it with Django from distinct stand-in values and checks that Django's
parameters are exactly those, in the caller's order (else it is not cached, and Django
compiles it every time).

:func:`records` runs a cached SELECT of whole records (``Registry.get`` by plain fields).
:func:`insert` is Django's insert of a new record (``Model.save()`` of an unsaved row:
fields' ``pre_save`` such as ``auto_now_add``, their ``get_db_prep_save``, ``RETURNING`` the
id), through the cached statement, for registries without save signals or parent tables.

Example:
    >>> rows(Artifact, ("hash",), lambda p: Artifact._plain.filter(hash=p[0]).values_list("pk")[:1], [h])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.models import signals
from django.db.models.sql import InsertQuery

__all__ = ["PreparedInsert", "fetch", "insert", "prepare_insert", "records", "rows", "statement"]

_SQL: dict[tuple[Any, ...], str | None] = {}  # None: this shape cannot be cached
_INSERTS: dict[tuple[Any, ...], tuple[str, list[Any]] | None] = {}


def statement(model: Any, shape: tuple[Any, ...], build: Callable[[list[Any]], Any], params: list[Any], using: str = "default") -> tuple[str, list[Any]]:
    """The SQL of ``build(params)`` (a QuerySet made from ``params``) and its parameters.

    ``shape`` names everything but the values (e.g. the number of items of an ``IN``). A new
    shape is compiled once with distinct stand-in values: the text is cached only if Django's
    parameters are exactly those stand-ins, in the order of ``params``.
    """
    key = (model, using, connections[using].vendor, shape)
    sql = _SQL.get(key, "")
    if sql:
        return sql, params
    if sql == "":
        compiled = _compile(build, _stand_ins(params), using)
        _SQL[key] = compiled[1] if compiled is not None else None
        if _SQL[key]:
            return str(_SQL[key]), params
    text, django_params = build(params).query.sql_with_params()
    return text, list(django_params)


def _compile(build: Callable[[list[Any]], Any], stand_ins: list[Any] | None, using: str) -> tuple[Any, str] | None:
    """Django's compiler of ``build(stand_ins)`` and its SQL, if its parameters are exactly the
    stand-ins, in order (else ``None``: this shape is not cached)."""
    if stand_ins is None:
        return None
    try:
        compiler = build(stand_ins).query.get_compiler(using)
        sql, django_params = compiler.as_sql()
    except Exception:  # noqa: BLE001 - e.g. EmptyResultSet: this shape is not cached
        return None
    return (compiler, str(sql)) if list(django_params) == stand_ins else None


def _stand_ins(params: list[Any]) -> list[Any] | None:
    """Distinct values of the types of ``params`` (None if one is neither ``str`` nor ``int``)."""
    values: list[Any] = []
    for i, value in enumerate(params):
        if type(value) is str:
            values.append(f"\x00biolake-{i}")
        elif type(value) is int:
            values.append(-32000 - i)  # within every integer column's range (smallint too)
        else:
            return None
    return values


def rows(model: Any, shape: tuple[Any, ...], build: Callable[[list[Any]], Any], params: list[Any], using: str = "default") -> list[tuple[Any, ...]]:
    """The rows of ``build(params)`` (see :func:`statement`), as tuples of the database's values."""
    return fetch(statement(model, shape, build, params, using), using)


def fetch(sql_params: tuple[str, list[Any]], using: str = "default") -> list[tuple[Any, ...]]:
    """Run one ``(sql, params)`` statement; its rows as tuples."""
    with connections[using].cursor() as cursor:
        cursor.execute(*sql_params)
        return [tuple(row) for row in cursor.fetchall()]


def records(model: Any, shape: tuple[Any, ...], build: Callable[[list[Any]], Any], params: list[Any], using: str) -> list[Any] | None:
    """The records ``build(params)`` selects (a QuerySet of whole records of ``model``), through
    a SELECT compiled once per connection and shape (see :func:`statement`), their values
    converted as Django converts them; ``None`` when this shape cannot be cached."""
    connection = connections[using]
    cache: dict[tuple[Any, ...], _Select | None] = connection.__dict__.setdefault("_biolake_selects", {})
    key = (model, shape)
    if key not in cache:
        cache[key] = _Select.compile(build, _stand_ins(params), using)
    select = cache[key]
    if select is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(select.sql, params)
        rows = cursor.fetchall()
    if select.converters:
        rows = select.compiler.apply_converters(rows, select.converters)
    return [model.from_db(using, select.attnames, row) for row in rows]


class _Select:
    """A compiled SELECT of whole records: its SQL, the fields it reads, and Django's converters
    of their values (kept with the compiler, which belongs to the connection that caches it)."""

    def __init__(self, compiler: Any, sql: str, attnames: list[str]) -> None:
        self.compiler, self.sql, self.attnames = compiler, sql, attnames
        self.converters = compiler.get_converters([column for column, _, _ in compiler.select])

    @classmethod
    def compile(cls, build: Callable[[list[Any]], Any], stand_ins: list[Any] | None, using: str) -> _Select | None:
        """The SELECT of ``build(stand_ins)`` if its parameters are exactly the stand-ins and it
        reads plain columns of its model only (no annotation, no related record)."""
        compiled = _compile(build, stand_ins, using)
        if compiled is None:
            return None
        compiler, sql = compiled
        info, query = compiler.klass_info, compiler.query
        plain = info is not None and not info.get("related_klass_infos") and len(info["select_fields"]) == len(compiler.select)
        if not plain or query.annotation_select or query.extra_select:
            return None
        return cls(compiler, sql, [compiler.select[i][0].target.attname for i in info["select_fields"]])


class PreparedInsert:
    """A new record's INSERT with its parameters (:func:`prepare_insert`), to run later while
    the record's field values stay as they were (:meth:`current`)."""

    def __init__(self, record: Any, using: str, sql: str, params: list[Any], returning: list[Any], fields: list[Any]) -> None:
        self.record, self.using, self.sql, self.params, self.returning = record, using, sql, params, returning
        self._fields = fields
        self._values = [getattr(record, field.attname) for field in fields]

    def current(self) -> bool:
        """Whether the record's field values are still those the parameters were made from
        (a value set anew is compared; nothing changes a value in place meanwhile)."""
        try:
            return all(now is then or bool(now == then) for now, then in zip((getattr(self.record, f.attname) for f in self._fields), self._values))
        except Exception:  # noqa: BLE001 - values that do not compare (e.g. arrays): made again
            return False

    def run(self) -> None:
        """Insert the record; its database-made values (the id) are set on it."""
        record = self.record
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, self.params)
            row = cursor.fetchone()
        for value, field in zip(row, self.returning):
            setattr(record, field.attname, value)
        record._state.db, record._state.adding = self.using, False


def prepare_insert(record: Any) -> PreparedInsert | None:
    """The INSERT ``Model.save()`` makes of the new ``record``, with its parameters (fields'
    ``pre_save``, e.g. ``auto_now_add``, and ``get_db_prep_save``); ``None`` where that needs
    Django's own path: save signals, parent tables, a set primary key, expressions."""
    model = type(record)
    meta = model._meta
    if meta.parents or record.pk is not None or signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
        return None
    using = router.db_for_write(model, instance=record)
    connection = connections[using]
    key = (model, using, connection.vendor)
    record._prepare_related_fields_for_save(operation_name="save")
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    values = [field.pre_save(record, True) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in values):
        return None
    params = [field.get_db_prep_save(value, connection=connection) for field, value in zip(fields, values)]
    if key not in _INSERTS:
        _INSERTS[key] = _compile_insert(record, fields, params, connection)
    compiled = _INSERTS[key]
    if compiled is None:
        return None
    sql, returning = compiled
    return PreparedInsert(record, using, sql, params, returning, fields)


def insert(record: Any, prepared: PreparedInsert | None = None) -> bool:
    """Insert the new ``record`` as ``Model.save()`` does; False (nothing done) where that
    needs Django's own path (see :func:`prepare_insert`). ``prepared``: its INSERT made
    earlier, used if the record's values did not change since."""
    if prepared is None or prepared.record is not record or not prepared.current():
        prepared = prepare_insert(record)
    if prepared is None:
        return False
    prepared.run()
    return True


def _compile_insert(record: Any, fields: list[Any], params: list[Any], connection: Any) -> tuple[str, list[Any]] | None:
    """Django's INSERT ... RETURNING of ``record``, if it is one statement whose parameters are ``params``."""
    model = type(record)
    if not connection.features.can_return_columns_from_insert:
        return None
    returning = list(model._meta.db_returning_fields)
    query = InsertQuery(model)
    query.insert_values(fields, [record], raw=True)  # the values pre_save() set already
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = returning
    statements = compiler.as_sql()
    if len(statements) != 1 or list(statements[0][1]) != params:
        return None
    return statements[0][0], returning
