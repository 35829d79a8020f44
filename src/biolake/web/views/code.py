"""Transforms (scripts, notebooks, pipelines, functions) and their runs."""

from __future__ import annotations

from typing import Any

from django.shortcuts import render

from biolake.web import paging, previews, record_info
from biolake.web.highlight import highlight
from biolake.web.views.common import get_or_404

_NEWEST = paging.Sort("created_at", True, "datetime")
_RUNS = paging.Sort("started_at", True, "datetime")


def transform_list(request: Any) -> Any:
    """``/transforms/``."""
    import biolake as ln

    query = ln.Transform.filter()
    if q := request.GET.get("q", "").strip():
        query = query.filter(key__icontains=q)
    page = paging.paginate(query, _NEWEST, request.GET.get("after"))
    return render(request, "biolake/transforms.html", {"page": page, "q": q})


def _source_name(transform: Any) -> str:
    key = transform.key or ""
    if transform.type == "notebook" or key.endswith(".ipynb"):
        return "source.py"
    return key if "." in key.rsplit("/", 1)[-1] else f"{key}.py"


def transform_page(request: Any, uid: str) -> Any:
    """``/transforms/<uid>/``: source code (highlighted), versions, runs."""
    import biolake as ln

    transform = get_or_404(ln.Transform.objects.select_related("created_by"), uid=uid)
    source = highlight(transform.source_code, _source_name(transform)) if transform.source_code else None
    context = {
        "transform": transform, "general": record_info.general_rows(transform), "source": source,
        "versions": ln.Transform.objects.filter(uid__startswith=transform.uid[:12]).order_by("created_at"),
        "runs": transform.runs.order_by("-started_at")[:50],
    }
    return render(request, "biolake/transform.html", context)


def run_list(request: Any) -> Any:
    """``/runs/``."""
    import biolake as ln

    query = ln.Run.filter().select_related("transform")
    if status := request.GET.get("status", "").strip():
        query = query.filter(status=status)
    page = paging.paginate(query, _RUNS, request.GET.get("after"))
    return render(request, "biolake/runs.html", {"page": page, "status": status})


def _text_of(artifact: Any) -> Any:
    if artifact is None:
        return None
    return previews.preview(artifact)


def run_page(request: Any, uid: str) -> Any:
    """``/runs/<uid>/``: params, inputs, outputs, environment, log and report."""
    import biolake as ln

    run = get_or_404(ln.Run.objects.select_related("transform", "report", "environment", "initiated_by_run"), uid=uid)
    report = run.report
    context = {
        "run": run, "general": record_info.general_rows(run),
        "params": sorted((run.params or {}).items()), "values": record_info.feature_values(run),
        "inputs": run.input_artifacts.order_by("key"), "input_collections": run.input_collections.all(),
        "outputs": run.output_artifacts.order_by("key"), "output_collections": run.output_collections.all(),
        "report": report, "report_kind": previews.kind_of(report) if report else None,
        "report_preview": _text_of(report) if report is not None and previews.kind_of(report) == "text" else None,
        "environment": _text_of(run.environment),
    }
    return render(request, "biolake/run.html", context)
