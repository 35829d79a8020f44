"""Instance commands: ``init``, ``connect``, ``disconnect``, ``info``, ``delete``, ``migrate``."""

from __future__ import annotations

from typing import Any

import click

import biolake as ln
from biolake import _logging as log
from biolake import setup
from biolake.cli._base import connect_current
from biolake.errors import CLIUsageError
from biolake.setup import store
from biolake.setup.settings import settings


def _split_modules(value: str | None) -> list[str]:
    return [name.strip() for name in (value or "").split(",") if name.strip()]


@click.command("init")
@click.option(
    "--storage", required=True, metavar="PATH_OR_URL", help="Storage root: a local folder or a URL (s3://bucket/x)."
)
@click.option(
    "--db", default=None, metavar="URL", help="postgresql://... or sqlite:///...; default: SQLite inside the storage."
)
@click.option("--name", default=None, metavar="NAME", help="Instance name; default: the storage folder's name.")
@click.option("--modules", default=None, metavar="A,B", help="Schema modules to enable, comma-separated: bio,wetlab.")
@click.option(
    "--storage-option",
    "storage_options",
    multiple=True,
    metavar="NAME=VALUE",
    help="An fsspec option of the storage (repeatable): endpoint_url=..., region=..., or credentials "
    "key=... secret=... (kept only in the instance's settings file, mode 0600).",
)
def init_command(
    storage: str, db: str | None, name: str | None, modules: str | None, storage_options: tuple[str, ...]
) -> None:
    """Create an instance (storage + database) and make it current."""
    options = _parse_options(storage_options)
    setup.init(storage=storage, db=db, name=name, modules=_split_modules(modules), storage_options=options)


def _parse_options(items: tuple[str, ...]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for item in items:
        option_name, eq, value = item.partition("=")
        if not eq or not option_name.strip():
            raise CLIUsageError(f"--storage-option takes NAME=VALUE, e.g. endpoint_url=http://localhost:9000 (got {option_name.strip()!r}).")
        options[option_name.strip()] = {"true": True, "false": False}.get(value.lower(), value)
    return options


@click.command("connect")
@click.argument("name_or_path")
def connect_command(name_or_path: str) -> None:
    """Make an instance current, by name or by its storage folder."""
    instance = setup.connect(name_or_path)
    log.success(f"connected to instance {instance.name!r} (storage {instance.storage_root})")


@click.command("disconnect")
def disconnect_command() -> None:
    """Unset the current instance."""
    name = store.current_name()
    setup.disconnect()
    if name is None:
        log.info("no instance was current")
    else:
        log.success(f"disconnected from instance {name!r}")


_LABEL_WIDTH = 12


def _echo_rows(rows: list[tuple[str, object]]) -> None:
    for label, value in rows:
        click.echo(f"{label:<{_LABEL_WIDTH}}{value}")


@click.command("info")
def info_command() -> None:
    """Show the current instance and how many records it holds."""
    summary = setup.info()
    _echo_rows(
        [
            ("instance", summary["name"]),
            ("storage", summary["storage"]),
            ("db", summary["db"]),
            ("modules", ", ".join(summary["modules"]) or "none"),
            ("branch", summary["branch"]),
            ("user", settings.user_handle),
        ]
    )
    connect_current()  # the settings above are printed even if connecting fails
    _echo_rows(
        [
            ("artifacts", ln.Artifact.filter().count()),
            ("transforms", ln.Transform.filter().count()),
            ("runs", ln.Run.filter().count()),
        ]
    )


@click.command("delete")
@click.argument("name")
@click.option("--force", is_flag=True, help="Delete even if the instance still holds artifacts.")
def delete_command(name: str, force: bool) -> None:
    """Delete an instance: its database and its managed files."""
    setup.delete(name, force=force)


@click.command("migrate")
@click.argument("name", required=False)
def migrate_command(name: str | None) -> None:
    """Upgrade an instance's database schema (default: the current instance)."""
    setup.migrate(name)


COMMANDS = [init_command, connect_command, disconnect_command, info_command, delete_command, migrate_command]
