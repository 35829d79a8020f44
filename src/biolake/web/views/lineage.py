"""The interactive lineage graph (cytoscape): a page and its JSON, for artifacts, collections, runs, transforms."""

from __future__ import annotations

from typing import Any

from django.http import Http404, JsonResponse
from django.shortcuts import render

from biolake.web.links import node_url
from biolake.web.views.common import get_or_404

KINDS = ("artifact", "collection", "run", "transform")
DEPTHS = (1, 2, 3, 5, 10)


def _record(kind: str, uid: str) -> Any:
    import biolake as ln

    if kind not in KINDS:
        raise Http404(f"No lineage for {kind!r}: use one of {', '.join(KINDS)}.")
    model = {"artifact": ln.Artifact, "collection": ln.Collection, "run": ln.Run, "transform": ln.Transform}[kind]
    return get_or_404(model.objects, uid=uid)


def _depth(request: Any) -> int | None:
    text = request.GET.get("depth", "3")
    if text == "all":
        return None
    try:
        return max(0, min(int(text), 50))
    except ValueError:
        return 3


def graph_data(record: Any, depth: int | None) -> dict[str, Any]:
    """Cytoscape elements: artifacts, collections, runs and (added here) their transforms."""
    import biolake as ln
    from biolake.models.lineage_graph import build

    graph = build(record, downstream=True, depth=depth)
    nodes = [{"data": {"id": n.id, "label": n.label, "type": n.type, "url": node_url(n.type, n.uid),
                       "focus": n.is_focus}} for n in graph.nodes]
    edges = [{"data": {"id": f"{e.source}->{e.target}", "source": e.source, "target": e.target}} for e in graph.edges]
    run_uids = [n.uid for n in graph.nodes if n.type == "run"]
    transforms = ln.Run.objects.filter(uid__in=run_uids).values_list("uid", "transform__uid", "transform__key")
    seen: set[str] = set()
    for run_uid, transform_uid, transform_key in transforms:
        tid = f"transform:{transform_uid}"
        if tid not in seen:
            seen.add(tid)
            nodes.append({"data": {"id": tid, "label": transform_key or transform_uid, "type": "transform",
                                   "url": node_url("transform", transform_uid), "focus": False}})
        edges.append({"data": {"id": f"{tid}->run:{run_uid}", "source": tid, "target": f"run:{run_uid}",
                               "kind": "runs"}})
    return {"nodes": nodes, "edges": edges}


def lineage_json(request: Any, kind: str, uid: str) -> Any:
    """``/lineage/<kind>/<uid>.json``."""
    return JsonResponse(graph_data(_record(kind, uid), _depth(request)))


def lineage_page(request: Any, kind: str, uid: str) -> Any:
    """``/lineage/<kind>/<uid>/``: pan, zoom, depth control, click a node to open it."""
    record = _record(kind, uid)
    depth = _depth(request)
    context = {"record": record, "kind": kind, "depth": "all" if depth is None else depth, "depths": DEPTHS,
               "data_url": f"/lineage/{kind}/{uid}.json?depth={'all' if depth is None else depth}"}
    return render(request, "biolake/lineage.html", context)
