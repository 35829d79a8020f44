"""Instances: create, connect, disconnect, delete, migrate; settings under ``$BIOLAKE_HOME``.

The only package that configures Django (see ``django_boot``). Importing it is cheap:
Django is imported when an instance is activated. ``snapshot``, ``migrate_db``, ``merge``
and ``switch`` load on first use (the first query of a process needs none of them).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from biolake.setup.lifecycle import connect, database_alias, delete, disconnect, ensure_ready, info, init, migrate

if TYPE_CHECKING:
    from biolake.setup import snapshot
    from biolake.setup.branching import merge, switch
    from biolake.setup.move import migrate_db

__all__ = [
    "connect", "database_alias", "delete", "disconnect", "ensure_ready", "info", "init", "merge", "migrate", "migrate_db", "snapshot", "switch",
]

# name -> (module, attribute or None for the module itself)
_LAZY: dict[str, tuple[str, str | None]] = {
    "snapshot": ("biolake.setup.snapshot", None),
    "merge": ("biolake.setup.branching", "merge"),
    "switch": ("biolake.setup.branching", "switch"),
    "migrate_db": ("biolake.setup.move", "migrate_db"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'biolake.setup' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = importlib.import_module(module)
    value = value if attribute is None else getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
