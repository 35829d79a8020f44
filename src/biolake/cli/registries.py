"""LaminDB 2.x's registries on the command line: ``switch``, ``merge``, and ``ls`` / ``describe``
for ``record``, ``project``, ``reference``, ``branch`` and ``space``."""

from __future__ import annotations

from typing import Any

import click

import biolake as ln
from biolake import _logging as log
from biolake.cli._base import needs_instance


@click.command("switch")
@click.argument("branch")
@click.option("-c", "--create", is_flag=True, help="Create the branch first.")
@needs_instance
def switch_command(branch: str, create: bool) -> None:
    """Make BRANCH the current branch: new records land on it; queries show main and BRANCH."""
    ln.setup.switch(branch, create=create)


@click.command("merge")
@click.argument("branch")
@needs_instance
def merge_command(branch: str) -> None:
    """Move every record of BRANCH onto the current branch (switch to main first)."""
    ln.setup.merge(branch)


# registry → (columns of `ls`, how `describe` finds one record by name besides its uid)
_REGISTRIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "record": ("Record", ("uid", "name", "type", "is_type", "created_at")),
    "project": ("Project", ("uid", "name", "abbr", "url", "start_date", "end_date")),
    "reference": ("Reference", ("uid", "name", "abbr", "doi", "pubmed_id", "url")),
    "branch": ("Branch", ("uid", "name", "description", "created_at")),
    "space": ("Space", ("uid", "name", "description", "created_at")),
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "_meta"):
        return str(getattr(value, "name", None) or value.uid)
    if hasattr(value, "strftime") and hasattr(value, "hour"):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def _group(command: str, registry: str, columns: tuple[str, ...]) -> click.Group:
    @click.group(command, help=f"List and describe {registry} records.")
    def group() -> None:
        pass

    @group.command("ls", help=f"List {registry} records, newest first, as a table.")
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1), metavar="N", help="Show at most N records.")
    @needs_instance
    def ls_command(limit: int) -> None:
        from rich.table import Table

        model = getattr(ln, registry)
        table = Table()
        for column in columns:
            table.add_column(column, overflow="fold")
        for record in model.filter().order_by("-id")[:limit]:
            table.add_row(*[_cell(getattr(record, c)) for c in columns])
        log.print_renderable(table)

    @group.command("describe", help=f"Print a {registry} record by uid (or uid prefix) or name.")
    @click.argument("uid_or_name")
    @needs_instance
    def describe_command(uid_or_name: str) -> None:
        model = getattr(ln, registry)
        record = model.filter(name=uid_or_name).first() or model.get(uid_or_name)
        record.describe()

    return group


COMMANDS = [switch_command, merge_command, *[_group(c, r, cols) for c, (r, cols) in _REGISTRIES.items()]]
