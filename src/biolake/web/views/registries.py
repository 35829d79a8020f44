"""Every registry: an index with counts, a searchable list per registry, and a page per record.

A record page shows its fields, its parents and children (ontology terms, ULabels), its
type's instances, and the artifacts and collections linked to it with their feature: for a
``bio.CellType`` term, the datasets annotated with that cell type.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404
from django.shortcuts import render

from biolake.web import paging
from biolake.web.links import registry_path
from biolake.web.templatetags import label_of
from biolake.web.views.common import get_or_404

_BY_ID = paging.Sort("id", True, "int")
_LIST_FIELDS = ("uid", "ontology_id", "ensembl_gene_id", "name", "symbol", "key", "handle", "root", "dtype", "itype",
                "type", "abbr", "description")
_HIDDEN = {"id", "branch_id", "hash_type", "options"}


def _model(name: str) -> Any:
    from biolake.errors import ValidationError
    from biolake.models.registries import registry_model

    try:
        return registry_model(name)
    except ValidationError as error:
        raise Http404(str(error)) from None


def _field_names(model: Any) -> set[str]:
    return {f.name for f in model._meta.get_fields() if getattr(f, "concrete", False)}


def searchable(model: Any) -> list[str]:
    """The search fields of ``model`` that it has (``search()`` ranks over these)."""
    names = _field_names(model)
    return [f for f in getattr(model, "_search_fields", ()) if f in names]


def registry_index(request: Any) -> Any:
    """``/registries/``."""
    from biolake.models.registries import all_registries

    groups: dict[str, list[dict[str, Any]]] = {}
    for model in all_registries():
        try:
            count = model.filter().count()
        except Exception:  # no table in this instance
            continue
        groups.setdefault(model._meta.app_label, []).append({"name": registry_path(model), "count": count,
                                                             "doc": (model.__doc__ or "").strip().split("\n")[0]})
    return render(request, "biolake/registries.html", {"groups": sorted(groups.items())})


def _display(record: Any, field: str) -> Any:
    value = getattr(record, field, None)
    if value is not None and hasattr(value, "_meta"):
        return label_of(value)
    return value


def registry_list(request: Any, name: str) -> Any:
    """``/registries/<name>/``: search (ranked) or browse newest first (keyset pages)."""
    model = _model(name)
    names = _field_names(model)
    columns = [f for f in _LIST_FIELDS if f in names][:6]
    related = [c for c in columns if model._meta.get_field(c).is_relation]  # e.g. ``type``: one join, not a query per row
    records = model.filter().select_related(*related)
    q = request.GET.get("q", "").strip()
    if q and searchable(model):
        page = paging.Page(list(records.search(q, field=searchable(model), limit=100)), None)
    else:
        page = paging.paginate(records, _BY_ID, request.GET.get("after"))
    rows = [(record, [_display(record, c) for c in columns]) for record in page.rows]
    context = {"name": registry_path(model), "columns": columns, "rows": rows, "page": page, "q": q,
               "can_search": bool(searchable(model))}
    return render(request, "biolake/registry.html", context)


def _fields(record: Any) -> list[tuple[str, Any]]:
    out = []
    for field in record._meta.concrete_fields:
        if field.name in _HIDDEN or field.name == "synonyms":
            continue
        value = getattr(record, field.name, None)
        if value is None or value == "":
            continue
        out.append((field.name, f"{value:%Y-%m-%d %H:%M:%S}" if isinstance(value, datetime.datetime) else value))
    return out


def _linked(owner_model: Any, record: Any) -> list[tuple[Any, Any]]:
    """(owner record, feature) of the artifacts or collections linked to ``record``."""
    from biolake.errors import ValidationError
    from biolake.models.current import visible_branch_ids
    from biolake.models.label_links import label_link

    try:
        link = label_link(owner_model, type(record))
    except ValidationError:
        return []
    rows = link.through._default_manager.filter(**{link.column: record}).select_related(link.owner, "feature")
    rows = rows.filter(**{f"{link.owner}__branch_id__in": visible_branch_ids()})
    rows = rows.order_by(f"-{link.owner}__created_at")[:100]
    return [(getattr(row, link.owner), row.feature) for row in rows]


def record_page(request: Any, name: str, uid: str) -> Any:
    """``/registries/<name>/<uid>/``."""
    import biolake as ln

    model = _model(name)
    record = get_or_404(model.objects, uid=uid) if "uid" in _field_names(model) else get_or_404(model.objects, pk=uid)
    has = {f.name for f in model._meta.get_fields()}
    context = {
        "name": registry_path(model), "record": record, "fields": _fields(record),
        "synonyms": [s for s in (getattr(record, "synonyms", None) or "").split("|") if s],
        "parents": record.parents.order_by("name")[:200] if "parents" in has else None,
        "children": record.children.order_by("name")[:200] if "children" in has else None,
        "instances": record.instances.order_by("name")[:200] if "instances" in has else None,
        "artifacts": _linked(ln.Artifact, record),
        "collections": _linked(ln.Collection, record),
        "schema_features": list(record.ordered_features) if model is ln.Schema else None,
    }
    return render(request, "biolake/record.html", context)


def collection_list(request: Any) -> Any:
    """``/collections/``."""
    import biolake as ln

    page = paging.paginate(ln.Collection.filter(is_latest=True), paging.Sort("created_at", True, "datetime"),
                           request.GET.get("after"))
    return render(request, "biolake/collections.html", {"page": page})


def collection_page(request: Any, uid: str) -> Any:
    """``/collections/<uid>/``: its artifacts, versions and lineage."""
    import biolake as ln
    from biolake.web import record_info

    collection = get_or_404(ln.Collection.objects, uid=uid)
    context = {
        "collection": collection, "general": record_info.general_rows(collection),
        "artifacts": collection.artifacts.order_by("key")[:200],
        "versions": ln.Collection.objects.filter(uid__startswith=collection.uid[:16]).order_by("created_at"),
    }
    return render(request, "biolake/collection.html", context)
