"""Template filters (a built-in library of the web UI's templates)."""

from __future__ import annotations

from typing import Any

from django import template

from biolake._logging import human_size
from biolake.web.links import record_url

register = template.Library()


@register.filter
def url_of(record: Any) -> str:
    """The page of a record."""
    return record_url(record)


@register.filter
def size(n: Any) -> str:
    """Bytes as ``1.2 MB``."""
    return human_size(n) if n is not None else ""


@register.filter
def label_of(record: Any) -> str:
    """A short human name of any record."""
    for field in ("key", getattr(record, "_name_field", "name"), "name", "handle", "root"):
        value = getattr(record, field, None)
        if value:
            return str(value)
    return str(getattr(record, "uid", record.pk))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` (``None`` if missing)."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def attr(record: Any, name: str) -> Any:
    """``getattr(record, name)``."""
    return getattr(record, name, None)
