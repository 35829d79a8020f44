"""Defaults that depend on the current instance: its user, its branch, and the options of its storage.

Looked up once per database and cached in :mod:`biolake._state`, so creating many records
costs no extra queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from biolake import _process
from biolake.models.constants import MAIN_BRANCH
from biolake.setup import ensure_ready
from biolake.setup.settings import settings
from biolake.storage.credentials import public_options

__all__ = ["current_user_id", "instance_options", "public_options"]

if TYPE_CHECKING:
    from django.db.models import Model


def current_user_id(user_model: type[Model]) -> int:
    """Primary key of the current OS user's ``User`` record (created on first use).

    ``user_model`` is the ``User`` registry (passed in by the record base, which cannot
    import it: ``User`` derives from that base).
    """
    db = ensure_ready().db
    key = (db, settings.user_handle)
    cache = _process.caches.user_ids
    if key not in cache:
        user, _ = user_model._default_manager.get_or_create(handle=key[1])
        cache[key] = user.pk
    return cache[key]


def instance_options(root: str) -> dict[str, Any]:
    """The instance's own storage options (which may hold credentials) when ``root`` is its
    default storage root, else none."""
    instance = ensure_ready()
    return dict(instance.storage_options) if root == instance.storage_root else {}


def current_branch_id() -> int:
    """``branch_id`` of the current branch of the active instance (``1``: main)."""
    instance = _process.instance.get()
    return instance.branch_id if instance is not None else MAIN_BRANCH


def visible_branch_ids() -> list[int]:
    """Branches whose records queries show: ``main``, plus the current branch if it is another."""
    current = current_branch_id()
    return [MAIN_BRANCH] if current == MAIN_BRANCH else [MAIN_BRANCH, current]
