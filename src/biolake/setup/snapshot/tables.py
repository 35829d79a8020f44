"""Which tables a snapshot holds: every concrete table of every biolake app, in dependency order.

Nothing here names a registry: the tables are read from Django's app registry (models and the
auto-created many-to-many tables of every installed biolake app), so a table added by a new
registry or schema module is covered without a change here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from biolake.setup import django_boot

# Django field type → how its values are stored in parquet, compared and hashed
_KINDS: dict[str, str] = {
    **dict.fromkeys(
        [
            "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
            "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
            "PositiveSmallIntegerField",
        ],
        "int",
    ),
    "BooleanField": "bool",
    "NullBooleanField": "bool",
    "FloatField": "float",
    **dict.fromkeys(
        [
            "CharField", "TextField", "SlugField", "EmailField", "URLField", "FilePathField",
            "FileField", "ImageField", "GenericIPAddressField", "IPAddressField",
        ],
        "str",
    ),
    "DateTimeField": "datetime",
    "DateField": "date",
    "TimeField": "time",
    "DurationField": "duration",
    "JSONField": "json",
    "DecimalField": "decimal",
    "UUIDField": "uuid",
    "BinaryField": "bytes",
}
KINDS = frozenset([*_KINDS.values(), "text"])  # "text": any other field, kept as its string form


@dataclasses.dataclass(frozen=True)
class Column:
    """One column: its database name, the model attribute that reads it, and its kind."""

    name: str
    attname: str
    kind: str


@dataclasses.dataclass(frozen=True)
class TableSpec:
    """A table of the live schema: its model (``Any``: Django is untyped here) and columns by name."""

    table: str
    app: str
    model: Any
    columns: tuple[Column, ...]
    pk: str  # the primary key's column name

    @property
    def pk_column(self) -> Column:
        """The primary key column."""
        return next(column for column in self.columns if column.name == self.pk)

    def header(self) -> list[list[str]]:
        """``[[name, kind], ...]``: what a manifest records and a content hash starts with."""
        return [[column.name, column.kind] for column in self.columns]


def field_kind(field: Any) -> str:
    """The kind of a Django field; a foreign key has the kind of the field it points to."""
    if field.is_relation:
        return field_kind(field.target_field)
    return _KINDS.get(field.get_internal_type(), "text")


def _spec(model: Any) -> TableSpec:
    fields = model._meta.concrete_fields
    columns = sorted((Column(f.column, f.attname, field_kind(f)) for f in fields), key=lambda c: c.name)
    return TableSpec(model._meta.db_table, model._meta.app_label, model, tuple(columns), model._meta.pk.column)


def _models() -> list[Any]:
    found = []
    for config in django_boot.every_app():
        for model in config.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy and not model._meta.swapped:
                found.append(model)
    return found


def _dependencies(model: Any, tables: set[str]) -> set[str]:
    """Tables that ``model``'s foreign keys point to (itself excluded)."""
    own = model._meta.db_table
    targets = {f.related_model._meta.db_table for f in model._meta.concrete_fields if f.is_relation}
    return (targets & tables) - {own}


def dependency_order(models: list[Any]) -> list[Any]:
    """``models`` with referenced tables first; a cycle (run ↔ artifact) is broken by name order.

    Foreign keys are checked at commit (Django creates them deferrable), so the order only has to
    be stable and sensible, not cycle-free.
    """
    by_table = {m._meta.db_table: m for m in models}
    waiting = {table: _dependencies(model, set(by_table)) for table, model in by_table.items()}
    ordered: list[Any] = []
    while waiting:
        ready = sorted(table for table, deps in waiting.items() if not deps)
        if not ready:  # a cycle: take the table with the fewest unmet references
            ready = [min(waiting, key=lambda table: (len(waiting[table]), table))]
        for table in ready:
            ordered.append(by_table[table])
            del waiting[table]
        for deps in waiting.values():
            deps.difference_update(ready)
    return ordered


def table_specs() -> list[TableSpec]:
    """Every table of biolake's apps in the live schema, in dependency order."""
    django_boot.configure()
    return [_spec(model) for model in dependency_order(_models())]
