"""Lineage commands: ``lineage show`` (a graph as Mermaid, DOT or SVG text) and ``lineage export``
(a run as OpenLineage events, JSON lines)."""

from __future__ import annotations

from typing import Any

import click

import biolake as ln
from biolake import _logging as log
from biolake.cli._base import needs_instance
from biolake.cli.artifact import find_artifact

_FORMATS = ("openlineage",)


def find_run(uid: str) -> Any:
    """The run with this uid (or unique uid prefix).

    Raises:
        Run.DoesNotExist: No run has this uid.
        Run.MultipleObjectsReturned: The prefix matches several runs.
    """
    try:
        return ln.Run.get(uid)
    except ln.Run.DoesNotExist:
        raise ln.Run.DoesNotExist(f"No run with uid {uid!r}.", query=uid) from None


@click.group("lineage")
def lineage_group() -> None:
    """Show lineage graphs and export the lineage of runs."""


def _find_record(uid_or_key: str) -> Any:
    """An artifact (uid, stem or key), else a run (uid), else a transform (uid or key)."""
    from biolake.lineage.register import find_transform  # Django: loaded only by commands that use it

    try:
        return find_artifact(uid_or_key)
    except ln.Artifact.DoesNotExist:
        pass
    run = ln.Run.filter(uid=uid_or_key).first()
    if run is not None:
        return run
    try:
        return find_transform(uid_or_key)
    except ln.Transform.DoesNotExist:
        raise ln.Artifact.DoesNotExist(
            f"No artifact, run or transform with uid or key {uid_or_key!r}.", query=uid_or_key
        ) from None


@lineage_group.command("show")
@click.argument("uid_or_key")
@click.option("--downstream", is_flag=True, help="Also follow the record's uses downstream.")
@click.option("--depth", type=click.IntRange(min=0), default=None, metavar="N", help="At most N runs away.")
@click.option("--format", "format_", type=click.Choice(("mermaid", "dot", "svg")), default="mermaid", show_default=True)
@needs_instance
def show_command(uid_or_key: str, downstream: bool, depth: int | None, format_: str) -> None:
    """Print the lineage graph of an artifact, run or transform.

    UID_OR_KEY is an artifact's uid or key, a run's uid, or a transform's uid or key.
    """
    lineage = ln.lineage
    graph = lineage.graph(_find_record(uid_or_key), downstream=downstream, depth=depth)
    text = {"mermaid": lineage.to_mermaid, "dot": lineage.to_dot, "svg": lineage.to_svg}[format_](graph)
    click.echo(text)


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
    events = ln.lineage.run_events(find_run(run_uid))
    lines = "".join(ln.lineage.to_json_line(event) + "\n" for event in events)
    if output is None:
        click.echo(lines, nl=False)
        return
    with click.open_file(output, "w", encoding="utf-8") as handle:
        handle.write(lines)
    log.success(f"wrote {len(events)} OpenLineage event(s) to {output}")


COMMANDS = [lineage_group]
