"""``biolake serve``: the local web UI over the current instance (``pip install 'biolake[web]'``)."""

from __future__ import annotations

from typing import Any

import click

from biolake.cli._base import needs_instance
from biolake.errors import CLIUsageError


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; other than loopback needs a token.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--writable", is_flag=True, help="Allow edits: description, labels, trash and restore.")
@click.option("--token", default=None, metavar="TOKEN",
              help="Secret to require from browsers (default: a random one when --host is not loopback).")
@needs_instance
def serve_command(host: str, port: int, writable: bool, token: str | None) -> None:
    """Serve a web UI for the current instance: browse, search, lineage, ontologies, previews, diffs.

    Read-only unless --writable; binds 127.0.0.1 unless --host; another host requires the
    token printed at start (or --token). Stop it with Ctrl-C.
    """
    try:
        import pygments  # noqa: F401
        import waitress  # noqa: F401
        import whitenoise  # noqa: F401

        from biolake.web.config import WebConfig
        from biolake.web.server import serve
    except ImportError as error:  # waitress, whitenoise or pygments missing
        raise CLIUsageError(f"The web UI needs its extra: pip install 'biolake[web]' ({error}).") from None
    config = WebConfig.make(host=host, port=port, writable=writable, token=token)
    try:
        serve(config, on_ready=_announce)
    except OSError as error:  # the port is taken, or the address is not this machine's
        raise CLIUsageError(f"Cannot listen on {host}:{port} ({error.strerror}); choose another --port or --host.") from None


def _announce(config: Any) -> None:
    mode = "writable" if config.writable else "read-only"
    click.echo(f"biolake serving on {config.url} ({mode}); press Ctrl-C to stop", err=True)


COMMANDS = [serve_command]
