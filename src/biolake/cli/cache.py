"""Cache commands: ``cache clear`` and ``cache location`` (no instance needed)."""

from __future__ import annotations

import click

from biolake.setup.settings import settings
from biolake.storage import tempfiles
from biolake.storage.cache import SAVING_DIR, clear_cache


@click.group("cache")
def cache_group() -> None:
    """Inspect or clear the local cache of downloaded files."""


@cache_group.command("clear")
def clear_command() -> None:
    """Delete every cached file and stale temporary files; print how many were removed.

    Temporary files of saves in progress are kept; those whose process is gone (killed
    during a save) or, when the owner cannot be told, that are unchanged for an hour, go.
    """
    folder = settings.cache_dir
    removed = clear_cache(folder)
    stale = tempfiles.remove_stale(folder / SAVING_DIR)
    extra = f" and {len(stale)} stale temporary file(s) of interrupted saves" if stale else ""
    click.echo(f"removed {removed} file(s){extra} from {folder}")


@cache_group.command("location")
def location_command() -> None:
    """Print the path of the cache folder."""
    click.echo(str(settings.cache_dir))


COMMANDS = [cache_group]
