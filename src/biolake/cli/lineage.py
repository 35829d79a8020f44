"""Lineage commands: ``lineage export`` (a run as OpenLineage events, JSON lines)."""

from __future__ import annotations

from typing import Any

import click

from biolake import _logging as log
from biolake.cli._base import needs_instance

_FORMATS = ("openlineage",)


def find_run(uid: str) -> Any:
    """The run with this uid (or unique uid prefix).

    Raises:
        Run.DoesNotExist: No run has this uid.
        Run.MultipleObjectsReturned: The prefix matches several runs.
    """
    from biolake.models import Run

    try:
        return Run.get(uid)
    except Run.DoesNotExist:
        raise Run.DoesNotExist(f"No run with uid {uid!r}.", query=uid) from None


@click.group("lineage")
def lineage_group() -> None:
    """Export the lineage of runs."""


@lineage_group.command("export")
@click.argument("run_uid")
@click.option(
    "--format",
    "format_",
    type=click.Choice(_FORMATS),
    default="openlineage",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", default=None, metavar="FILE", help="Write to FILE instead of standard output.")
@needs_instance
def export_command(run_uid: str, format_: str, output: str | None) -> None:
    """Print a run's OpenLineage RunEvents as JSON lines.

    One START event, then one event for the run's status (COMPLETE, FAIL, ABORT or
    RUNNING). RUN_UID is the uid of the run or a unique prefix of it.
    """
    from biolake.lineage.openlineage import run_events, to_json_line

    events = run_events(find_run(run_uid))
    lines = "".join(to_json_line(event) + "\n" for event in events)
    if output is None:
        click.echo(lines, nl=False)
        return
    with click.open_file(output, "w", encoding="utf-8") as handle:
        handle.write(lines)
    log.success(f"wrote {len(events)} OpenLineage event(s) to {output}")


COMMANDS = [lineage_group]
