"""Run the web UI with waitress (a pure-Python WSGI server)."""

from __future__ import annotations

from biolake.web.app import make_app
from biolake.web.config import WebConfig


def serve(config: WebConfig, threads: int = 4) -> None:
    """Serve the current instance until interrupted (Ctrl-C)."""
    import waitress

    app = make_app(config)
    waitress.serve(app, host=config.host, port=config.port, threads=threads, ident="biolake", _quiet=True)
