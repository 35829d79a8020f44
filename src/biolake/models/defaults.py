"""The records every activated instance has: the current user and the default storage location."""

from __future__ import annotations

from biolake import _process
from biolake.models.current import current_user_id
from biolake.models.storage import default_storage
from biolake.models.user import User
from biolake.setup.django_boot import is_read_only


def ensure_defaults() -> None:
    """Register the current user and the default storage location of the active instance.

    Runs at each activation; cached ids are dropped first, since an instance deleted and
    created anew under the same database URL has new rows.
    """
    _process.caches.clear()
    if is_read_only():
        return  # a reader without write access: the records are looked up when needed
    current_user_id(User)
    default_storage()
