"""Instances: create, connect, disconnect, delete, migrate; settings under ``$BIOLAKE_HOME``.

The only package that configures Django (see ``django_boot``). Importing it is cheap:
Django is imported when an instance is activated.
"""

from __future__ import annotations

from biolake.setup import snapshot
from biolake.setup.lifecycle import connect, database_alias, delete, disconnect, ensure_ready, info, init, migrate
from biolake.setup.branching import merge, switch
from biolake.setup.move import migrate_db

__all__ = [
    "connect", "database_alias", "delete", "disconnect", "ensure_ready", "info", "init", "merge", "migrate", "migrate_db", "snapshot", "switch",
]
