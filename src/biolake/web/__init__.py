"""``biolake serve``: a local, offline web UI over the current instance.

Django views and templates on the ORM biolake already uses, served by waitress with static
files (and the vendored JavaScript: htmx, cytoscape) through whitenoise. Nothing here loads
unless ``biolake serve`` runs (``pip install 'biolake[web]'``): the URLconf, templates and
middleware are added to Django's settings by :func:`biolake.web.app.make_app`.

Example:
    $ biolake serve --port 8000          # http://127.0.0.1:8000/, read-only
    $ biolake serve --writable           # edit descriptions and labels, trash and restore
"""

from __future__ import annotations

from biolake.web.config import WebConfig

__all__ = ["WebConfig"]
