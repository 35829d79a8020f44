"""Snapshot commands: ``snapshot create|verify|restore`` and ``migrate-db --to postgresql://...``."""

from __future__ import annotations

import click

from biolake import _logging as log
from biolake import setup
from biolake.cli._base import needs_instance


@click.group("snapshot")
def snapshot_group() -> None:
    """Write, check and restore snapshots of an instance's database (not of its stored bytes)."""


@snapshot_group.command("create")
@click.argument("path", type=click.Path())
@click.option(
    "--kind", type=click.Choice(["sqlite", "parquet"]), default=None,
    help="sqlite: a copy of the SQLite file (SQLite's default); parquet: one file per table (PostgreSQL's).",
)
@needs_instance
def create_command(path: str, kind: str | None) -> None:
    """Write a consistent snapshot of the current instance's database to the new folder PATH."""
    setup.snapshot.create(path, kind=kind)


@snapshot_group.command("verify")
@click.argument("path", type=click.Path())
def verify_command(path: str) -> None:
    """Check a snapshot's files, row counts and content hashes against its manifest."""
    manifest = setup.snapshot.verify(path)
    log.success(f"snapshot {path} is intact: {len(manifest.tables)} tables, {manifest.n_rows} rows")


@snapshot_group.command("restore")
@click.argument("path", type=click.Path())
@click.option("--name", default=None, metavar="NAME", help="Name of the new instance; default: the snapshotted one's.")
@click.option(
    "--db", default=None, metavar="URL",
    help="sqlite:///<path> or an empty postgresql://... database; default: a new SQLite file in the storage.",
)
def restore_command(path: str, name: str | None, db: str | None) -> None:
    """Rebuild an instance from the snapshot at PATH (verified first) and make it current."""
    setup.snapshot.restore(path, name=name, db=db)


@click.command("migrate-db")
@click.option("--to", "to", required=True, metavar="URL", help="An empty PostgreSQL database: postgresql://user@host:port/dbname.")
@click.argument("name", required=False)
def migrate_db_command(to: str, name: str | None) -> None:
    """Move a SQLite instance (default: the current one) to PostgreSQL; the SQLite file is kept."""
    setup.migrate_db(to=to, name=name)


COMMANDS = [snapshot_group, migrate_db_command]
