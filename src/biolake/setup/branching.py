"""Branches of an instance: which one is current (persisted in its settings), switching, merging.

The current branch is part of the instance's settings (``InstanceSettings.branch``), so a
``biolake switch`` in one process holds for the next. Looking branches up and moving
records needs the ``Branch`` registry, which lives above this package: ``biolake.models``
registers those two actions in :data:`biolake._process.branch_actions` when Django loads it.
"""

from __future__ import annotations

from typing import Any

from biolake import _process
from biolake.setup import store
from biolake.setup.lifecycle import ensure_ready


def set_current_branch(name: str, branch_id: int) -> None:
    """Make ``name`` (id ``branch_id``) the current branch of the active instance and persist it."""
    instance = ensure_ready()
    instance.branch, instance.branch_id = name, branch_id
    store.save_instance(instance)


def switch(branch: str, create: bool = False) -> Any:
    """Make ``branch`` the current branch; with ``create=True`` create it first.

    Records created afterwards are on that branch; queries show the records of ``main`` and
    of the current branch.

    Example:
        >>> ln.setup.switch("my_branch", create=True)  # doctest: +SKIP
    """
    ensure_ready()  # loads biolake.models, which registers the action
    return _process.branch_actions["switch"](branch, create=create)


def merge(branch: str) -> int:
    """Move every record of ``branch`` onto the current branch (usually ``main``); returns their number.

    Example:
        >>> ln.setup.switch("main")  # doctest: +SKIP
        >>> ln.setup.merge("my_branch")  # doctest: +SKIP
    """
    ensure_ready()
    return int(_process.branch_actions["merge"](branch))
