"""Cell-level commands: ``cells count`` over the obs indexes and ``index build`` for older artifacts."""

from __future__ import annotations

import click

import biolake as ln
from biolake import _logging as log
from biolake.cli._base import needs_instance


@click.group("cells")
def cells_group() -> None:
    """Query cells across AnnData/MuData artifacts through their obs index."""


@cells_group.command("count")
@click.option("--where", "conditions", multiple=True, metavar="SQL", help="A condition on obs columns, e.g. \"cell_type='T cell'\" (repeatable).")
@click.option("--by", "keys", multiple=True, metavar="COLUMN", help="Count per value of this obs column (repeatable).")
@click.option("--key", "key_prefix", default=None, metavar="PREFIX", help="Only artifacts whose key starts with PREFIX.")
@needs_instance
def count_command(conditions: tuple[str, ...], keys: tuple[str, ...], key_prefix: str | None) -> None:
    """Count matching cells, in total or per value of --by columns."""
    from rich.table import Table

    artifacts = ln.Artifact.filter(key__startswith=key_prefix) if key_prefix else ln.Artifact.filter()
    where = " AND ".join(f"({c})" for c in conditions) or None
    query = artifacts.cells(where=where)
    if not keys:
        click.echo(query.count())
        return
    counts = query.count_by(*keys)
    table = Table()
    for column in counts.columns:
        table.add_column(str(column), justify="right" if column == "count" else "left")
    for row in counts.itertuples(index=False):
        table.add_row(*["" if v is None else str(v) for v in row])
    log.print_renderable(table)


@click.group("index")
def index_group() -> None:
    """Obs indexes of AnnData/MuData artifacts."""


@index_group.command("build")
@click.option("--force", is_flag=True, help="Rebuild existing indexes too.")
@click.option("--key", "key_prefix", default=None, metavar="PREFIX", help="Only artifacts whose key starts with PREFIX.")
@needs_instance
def build_command(force: bool, key_prefix: str | None) -> None:
    """Write the obs index of artifacts saved before they were written on save (progress bar)."""
    from biolake import cells

    artifacts = ln.Artifact.filter(key__startswith=key_prefix) if key_prefix else ln.Artifact.filter()
    built = cells.build_index(artifacts, force=force)
    click.echo(f"built the obs index of {built} artifact(s)")


COMMANDS = [cells_group, index_group]
