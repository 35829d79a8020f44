"""Run commands: ``run ls`` and ``run describe``."""

from __future__ import annotations

import click

import biolake as ln
from biolake import _logging as log
from biolake.cli._base import needs_instance


@click.group("run")
def run_group() -> None:
    """List and describe runs of scripts, notebooks, pipelines and functions."""


@run_group.command("ls")
@click.option("--transform", "transform_key", default=None, metavar="KEY", help="Only runs of this transform key.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1), metavar="N", help="Show at most N runs.")
@needs_instance
def ls_command(transform_key: str | None, limit: int) -> None:
    """List runs, newest first, as a table."""
    from rich.table import Table

    runs = ln.Run.filter().select_related("transform").order_by("-started_at")
    if transform_key:
        runs = runs.filter(transform__key=transform_key)
    table = Table()
    table.add_column("uid", no_wrap=True)
    table.add_column("transform", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("started_at", no_wrap=True)
    table.add_column("params", overflow="fold")
    for run in runs[:limit]:
        table.add_row(
            run.uid, f"{run.transform.key or '-'} ({run.transform.type})", run.status,
            f"{run.started_at:%Y-%m-%d %H:%M}", str(run.params) if run.params else "",
        )
    log.print_renderable(table)


@run_group.command("describe")
@click.argument("uid")
@needs_instance
def describe_command(uid: str) -> None:
    """Print a run: transform, params, status, times, inputs, outputs, report."""
    ln.Run.get(uid).describe()


COMMANDS = [run_group]
