"""The artifact list (search, filters, sorting, keyset pagination) and the artifact page."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Max, Q
from django.shortcuts import render

from biolake import _process
from biolake.models.constants import TRASH_BRANCH
from biolake.models.current import visible_branch_ids
from biolake.web import paging, previews, record_info
from biolake.web.views.common import artifact_or_404

SORTS = {
    "-created_at": paging.Sort("created_at", True, "datetime"),
    "created_at": paging.Sort("created_at", False, "datetime"),
    "key": paging.Sort("key", False, "str", null_as=""),
    "-key": paging.Sort("key", True, "str", null_as=""),
    "-size": paging.Sort("size", True, "int", null_as=-1),
    "size": paging.Sort("size", False, "int", null_as=-1),
}
SORT_NAMES = {"-created_at": "newest first", "created_at": "oldest first", "key": "key A→Z", "-key": "key Z→A",
              "-size": "largest first", "size": "smallest first"}


def _label_condition(name: str) -> Q:
    """Artifacts linked to a label of any registry (ULabel, bio.CellType, ...) named ``name``."""
    import biolake as ln
    from biolake.models.label_links import label_links

    condition = Q(pk__in=[])
    for link in label_links(ln.Artifact):
        rows = link.through._default_manager.filter(**{f"{link.column}__{link.name_field}": name})
        condition |= Q(pk__in=rows.values(f"{link.owner}_id"))
    return condition


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def _feature_filter(text: str) -> dict[str, str]:
    """``temperature=21.6`` → ``{"temperature": "21.6"}`` (a feature lookup of ``Artifact.filter``)."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name.replace("_", "").isalnum():
        raise ValueError(f"Write the feature filter as name=value, not {text!r}.")
    return {name: value.strip()}


def filtered(params: Any) -> Any:
    """The artifacts matching the list's filters (``q``, ``key_prefix``, ``suffix``, ``kind``, ...)."""
    import biolake as ln

    feature = params.get("feature", "").strip()
    query = ln.Artifact.filter(**_feature_filter(feature)) if feature else ln.Artifact.filter()
    if not params.get("all_versions"):
        query = query.filter(is_latest=True)
    if q := params.get("q", "").strip():
        matches = ln.Artifact.objects.filter().containing([q], ["key", "description"])  # the search index
        query = query.filter(Q(pk__in=matches.values("pk")) | Q(uid__startswith=q))
    exact = {"key_prefix": "key__startswith", "suffix": "suffix", "kind": "kind", "created_by": "created_by__handle"}
    for param, lookup in exact.items():
        if value := params.get(param, "").strip():
            query = query.filter(**{lookup: value})
    if label := params.get("label", "").strip():
        query = query.filter(_label_condition(label))
    if since := _date(params.get("since", "")):
        query = query.filter(created_at__date__gte=since)
    if until := _date(params.get("until", "")):
        query = query.filter(created_at__date__lte=until)
    return query


def artifact_list(request: Any) -> Any:
    """``/artifacts/``."""
    import biolake as ln

    sort_name = request.GET.get("sort", "-created_at")
    sort = SORTS.get(sort_name, SORTS["-created_at"])
    error, page = None, paging.Page([], None)
    try:
        query = filtered(request.GET).select_related("created_by")
        page = paging.paginate(query, sort, request.GET.get("after"))
    except (ValueError, LookupError) as exc:  # e.g. an unknown feature in the feature filter
        error = str(exc)
    params = request.GET.copy()
    params.pop("after", None)
    context = {
        "page": page, "error": error, "params": request.GET, "sorts": SORT_NAMES, "sort": sort_name,
        "base_query": params.urlencode(), "suffixes": _choices(ln.Artifact, "suffix"), "kinds": _choices(ln.Artifact, "kind"),
    }
    return render(request, "biolake/artifacts.html", context)


def _choices(model: Any, field: str) -> list[str]:
    """Up to 50 distinct values of ``field`` for a filter menu. A DISTINCT scans the whole table
    (~20 ms at 100,000 artifacts), so the values are kept until a record with a higher id exists
    (one indexed MAX(id) per page)."""
    instance = _process.instance.get()
    key = (instance.name if instance is not None else "", model.__name__, field)
    latest = model.objects.aggregate(latest=Max("id"))["latest"]
    cached = _process.web_choices.get(key)
    if cached is not None and cached[0] == latest:
        return cached[1]
    values = [v for v in model.filter().order_by(field).values_list(field, flat=True).distinct()[:50] if v]
    _process.web_choices[key] = (latest, values)
    return values


def artifact_page(request: Any, uid: str) -> Any:
    """``/artifacts/<uid>/``: describe(), versions, collections, lineage, preview, download."""
    artifact = artifact_or_404(uid)
    versions = list(type(artifact).objects.filter(uid__startswith=artifact.stem_uid).order_by("created_at", "id"))
    context = {
        "artifact": artifact,
        "general": record_info.general_rows(artifact),
        "labels": record_info.labels(artifact),
        "slots": record_info.dataset_features(artifact),
        "values": record_info.feature_values(artifact),
        "versions": versions,
        "other_versions": [v for v in versions if v.pk != artifact.pk],
        "collections": artifact.collections.filter(branch_id__in=visible_branch_ids()).order_by("-created_at")[:50],
        "input_of": artifact.input_of_runs.select_related("transform").order_by("-started_at")[:20],
        "preview": previews.preview(artifact),
        "is_trashed": artifact.branch_id == TRASH_BRANCH,
    }
    return render(request, "biolake/artifact.html", context)
