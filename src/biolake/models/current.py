"""Defaults that depend on the current instance: its user and its default storage record.

Looked up once per instance (and storage root) and cached, so creating many records
costs no extra queries.
"""

from __future__ import annotations

from typing import Any

from biolake.setup import ensure_ready
from biolake.setup.settings import settings

_user_ids: dict[tuple[str, str], int] = {}
_storages: dict[tuple[str, str], Any] = {}


def _model(name: str) -> Any:
    from django.apps import apps

    return apps.get_model("biolake", name)


def current_user_id() -> int:
    """Primary key of the current OS user's ``User`` record (created on first use)."""
    db = ensure_ready().db
    handle = settings.user_handle
    key = (db, handle)
    if key not in _user_ids:
        user, _ = _model("User").objects.get_or_create(handle=handle)
        _user_ids[key] = user.pk
    return _user_ids[key]


def current_storage() -> Any:
    """The ``Storage`` record of the default storage location (created on first use)."""
    instance = ensure_ready()
    root = settings.storage
    key = (instance.db, root)
    if key not in _storages:
        _storages[key] = storage_for_root(root, instance.storage_options if root == instance.storage_root else {})
    return _storages[key]


def storage_for_root(root: str, options: dict[str, Any] | None = None) -> Any:
    """The ``Storage`` record for ``root``, registering it if it is new."""
    from biolake.storage.paths import storage_type

    Storage = _model("Storage")
    record = Storage.objects.filter(root=root).first()
    if record is None:
        record = Storage(root=root, type=storage_type(root), options=public_options(options))
        record.save()
    return record


def forget() -> None:
    """Drop cached lookups (after an instance was deleted or re-created)."""
    _user_ids.clear()
    _storages.clear()


def ensure_defaults() -> None:
    """Register the current user and the default storage location of the active instance.

    Runs at each activation; cached ids are dropped first, since an instance deleted and
    created anew under the same database URL has new rows.
    """
    forget()
    current_user_id()
    current_storage()


_SECRET_WORDS = ("secret", "password", "token", "key", "credential", "session")


def public_options(options: dict[str, Any] | None) -> dict[str, Any]:
    """Storage options without credentials: what may be stored in the database."""
    return {k: v for k, v in (options or {}).items() if not any(word in k.lower() for word in _SECRET_WORDS)}


def options_for(url: str) -> dict[str, Any]:
    """Storage options for a remote URL: those of the registered storage holding it, else the
    instance's own when the protocol matches (e.g. the same S3 endpoint for another bucket)."""
    from biolake.storage.paths import find_root

    Storage = _model("Storage")
    roots = dict(Storage.objects.values_list("root", "options"))
    root = find_root(url, list(roots))
    if root is not None and roots[root]:
        return dict(roots[root])
    instance = ensure_ready()
    protocol = url.split("://", 1)[0]
    if instance.storage_root.startswith(f"{protocol}://"):
        return dict(instance.storage_options)
    return {}


def options_of(storage: Any) -> dict[str, Any]:
    """All storage options of a storage record: the public ones stored with it, plus the
    instance's own (which may hold credentials) for the instance's default root."""
    instance = ensure_ready()
    extra = instance.storage_options if storage.root == instance.storage_root else {}
    return {**(storage.options or {}), **extra}
