"""Cache commands: ``cache clear`` and ``cache location`` (no instance needed)."""

from __future__ import annotations

import click

from biolake.setup.settings import settings
from biolake.storage.cache import clear_cache


@click.group("cache")
def cache_group() -> None:
    """Inspect or clear the local cache of downloaded files."""


@cache_group.command("clear")
def clear_command() -> None:
    """Delete every file in the cache; print how many were removed."""
    folder = settings.cache_dir
    removed = clear_cache(folder)
    click.echo(f"removed {removed} file(s) from {folder}")


@cache_group.command("location")
def location_command() -> None:
    """Print the path of the cache folder."""
    click.echo(str(settings.cache_dir))


COMMANDS = [cache_group]
