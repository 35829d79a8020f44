"""The home page: the instance, its storage locations and their usage, counts, latest records."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.shortcuts import render

from biolake.web.links import registry_path


def _counts(known: dict[str, int]) -> list[dict[str, Any]]:
    """Records per registry; ``known`` counts (by registry path) are not queried again."""
    from biolake.models.registries import all_registries

    out = []
    for model in all_registries():
        name = registry_path(model)
        try:
            out.append({"name": name, "count": known[name] if name in known else model.filter().count()})
        except Exception:  # a registry without a table in this instance
            continue
    return out


def home(request: Any) -> Any:
    """``/``."""
    import biolake as ln
    from biolake.setup import django_boot, info

    instance = django_boot.active_instance()
    usage = {
        row["storage"]: row for row in
        ln.Artifact.filter().values("storage").annotate(n=Count("id"), total=Sum("size"))
    }
    storages = [{"storage": s, "n": usage.get(s.pk, {}).get("n", 0), "total": usage.get(s.pk, {}).get("total")}
                for s in ln.Storage.filter().order_by("id")]
    context = {
        "info": info() if instance else {},
        "storages": storages,
        "counts": _counts({"Artifact": sum(row["n"] for row in usage.values())}),  # one scan, not two
        "artifacts": ln.Artifact.filter(is_latest=True).select_related("created_by").order_by("-created_at", "-id")[:10],
        "runs": ln.Run.filter().select_related("transform").order_by("-started_at", "-id")[:10],
    }
    return render(request, "biolake/home.html", context)
