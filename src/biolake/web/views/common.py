"""Helpers the views share: finding a record or answering 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404


def get_or_404(query: Any, **lookup: Any) -> Any:
    """The one record of ``query`` matching ``lookup``, or a 404 page."""
    record = query.filter(**lookup).first()
    if record is None:
        raise Http404(f"No {query.model.__name__} with {', '.join(f'{k}={v!r}' for k, v in lookup.items())}.")
    return record


def artifact_or_404(uid: str) -> Any:
    """An artifact by uid, trashed ones and run artifacts (logs, environments) included."""
    import biolake as ln

    return get_or_404(ln.Artifact.objects.select_related("storage", "created_by", "run__transform"), uid=uid)
