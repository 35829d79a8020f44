"""What every page's template sees: the instance name and whether edits are allowed."""

from __future__ import annotations

from typing import Any

from biolake.web.config import current


def site(request: Any) -> dict[str, Any]:
    """``instance`` (its name), ``writable``."""
    from biolake.setup import django_boot

    instance = django_boot.active_instance()
    return {"instance_name": instance.name if instance else "-", "writable": current().writable}
