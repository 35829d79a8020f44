"""One search box across every registry."""

from __future__ import annotations

from typing import Any

from django.shortcuts import render

from biolake.web.links import registry_path
from biolake.web.views.registries import searchable

PER_REGISTRY = 8


def search(request: Any) -> Any:
    """``/search/?q=...``: the best matches of each registry (ranked by ``Registry.search``)."""
    from biolake.models.registries import all_registries

    q = request.GET.get("q", "").strip()[:200]
    groups = []
    if q:
        for model in all_registries():
            fields = searchable(model)
            if not fields:
                continue
            try:
                hits = list(model.filter().search(q, field=fields, limit=PER_REGISTRY))
            except Exception:  # a registry without a table in this instance
                continue
            if hits:
                groups.append({"name": registry_path(model), "hits": hits})
    return render(request, "biolake/search.html", {"q": q, "groups": groups})
