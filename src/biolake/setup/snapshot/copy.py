"""Copy every table into a database being built, then check it holds exactly what was copied."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from biolake.errors import DatabaseCopyError
from biolake.setup.snapshot.canonical import TableDigest
from biolake.setup.snapshot.rows import insert_rows, measure, remove_seeded_rows, reset_sequences
from biolake.setup.snapshot.tables import TableSpec

Stats = dict[str, tuple[int, str]]  # table → (row count, content hash)
RowsOf = Callable[[TableSpec], Iterable[tuple[Any, ...]]]


def compare(expected: Stats, actual: Stats, what: str) -> None:
    """Raise :class:`DatabaseCopyError` naming the tables whose counts or hashes differ."""
    mismatches = {
        table: (f"{rows} rows {digest}", "{} rows {}".format(*actual.get(table, (0, "missing"))))
        for table, (rows, digest) in expected.items()
        if actual.get(table) != (rows, digest)
    }
    mismatches.update({table: ("missing", f"{rows} rows") for table, (rows, _) in actual.items() if table not in expected})
    if mismatches:
        names = ", ".join(sorted(mismatches)[:3]) + (", ..." if len(mismatches) > 3 else "")
        raise DatabaseCopyError(
            f"{what} differs from its source in {len(mismatches)} table(s) ({names}); nothing was kept.",
            mismatches=mismatches,
        )


def load(specs: list[TableSpec], rows_of: RowsOf, alias: str, expected: Stats | None, what: str) -> Stats:
    """Insert every table's rows into ``alias`` in one transaction, reset its sequences, and
    verify counts and content hashes against ``expected`` (default: what was read from the source).

    Nothing is committed unless every table matches; foreign keys are checked at the commit.
    """
    from django.db import IntegrityError, transaction

    read: Stats = {}
    try:
        with transaction.atomic(using=alias):
            for spec in specs:
                remove_seeded_rows(spec, alias)
            for spec in specs:
                digest = TableDigest(spec)
                insert_rows(spec, alias, digest.feed(rows_of(spec)))
                read[spec.table] = (digest.rows, digest.hash)
            reset_sequences(specs, alias)
            actual = measure(specs, alias)
            compare(expected if expected is not None else read, actual, what)
    except IntegrityError as error:
        message = " ".join(str(error).split())
        raise DatabaseCopyError(f"{what} breaks a database constraint ({message}); nothing was kept.") from None
    return actual
