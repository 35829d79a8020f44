"""Run the web UI with waitress (a pure-Python WSGI server)."""

from __future__ import annotations

from typing import Callable

from biolake.web.app import make_app
from biolake.web.config import WebConfig


def serve(config: WebConfig, on_ready: Callable[[WebConfig], None] | None = None, threads: int = 4) -> None:
    """Serve the current instance until interrupted (Ctrl-C); ``on_ready`` runs once the port is bound.

    Raises:
        OSError: the address cannot be bound (e.g. the port is taken).
    """
    import waitress

    app = make_app(config)
    server = waitress.create_server(app, host=config.host, port=config.port, threads=threads, ident="biolake")
    if on_ready is not None:
        on_ready(config)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
