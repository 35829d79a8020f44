"""Parents and children of records in a hierarchy (ULabel, ontology terms): query them, draw them.

The drawing reuses the lineage renderers (:mod:`biolake.models.lineage_render`): a hierarchy
is a :class:`~biolake.models.lineage_graph.LineageGraph` whose edges point from child to parent.
"""

from __future__ import annotations

from typing import Any

from biolake import _logging as log
from biolake.errors import InvalidArgument
from biolake.models.lineage_graph import Edge, LineageGraph, Node

_RENDERERS = {"mermaid": "to_mermaid", "dot": "to_dot", "svg": "to_svg"}  # of lineage_render, loaded when used


def relatives(record: Any, relation: str, distance: int | None = None) -> Any:
    """All records reached through ``relation`` (``"parents"`` or ``"children"``), step by step:
    a queryset of ancestors or descendants, one query per step."""
    model = type(record)
    reverse = "children" if relation == "parents" else "parents"
    found: set[int] = set()
    frontier = {record.pk}
    steps = 0
    while frontier and (distance is None or steps < distance):
        step = set(model.objects.filter(**{f"{reverse}__in": frontier}).values_list("pk", flat=True))
        frontier = step - found - {record.pk}
        found |= frontier
        steps += 1
    return model.objects.filter(pk__in=found)


def parents_graph(record: Any, distance: int = 2, field: str | None = None, with_children: bool = False) -> LineageGraph:
    """The parents of a record up to ``distance`` steps (and its children), as a graph the lineage renderers draw."""
    label_field = field or record._name_field

    def node(term: Any) -> Node:
        attrs = {"focus": True} if term.pk == record.pk else {}
        label = str(getattr(term, label_field, None) or term.uid)
        return Node(id=f"collection:{term.uid}", type="collection", uid=term.uid, label=label, attrs=attrs)

    nodes: dict[int, Node] = {record.pk: node(record)}
    edges: set[Edge] = set()
    _walk(record, "parents", distance, nodes, edges, node)
    if with_children:
        _walk(record, "children", distance, nodes, edges, node)
    return LineageGraph(nodes=list(nodes.values()), edges=sorted(edges))


def _walk(record: Any, relation: str, distance: int, nodes: dict[int, Node], edges: set[Edge], node: Any) -> None:
    frontier, seen = [record], {record.pk}
    for _ in range(distance):
        following = []
        for term in frontier:
            for other in getattr(term, relation).all():
                nodes.setdefault(other.pk, node(other))
                child, parent = (term, other) if relation == "parents" else (other, term)
                edges.add(Edge(source=nodes[child.pk].id, target=nodes[parent.pk].id))
                if other.pk not in seen:
                    seen.add(other.pk)
                    following.append(other)
        frontier = following


def view_parents(
    record: Any, field: str | None = None, with_children: bool = False, distance: int = 5, format: str = "mermaid"
) -> str:
    """Print (and return) the graph of a record's parents as ``mermaid``, ``dot`` or ``svg`` text."""
    if format not in _RENDERERS:
        raise InvalidArgument(f"Unknown format {format!r}: use one of {', '.join(_RENDERERS)}.")
    from biolake.models import lineage_render  # rendering (xml, hashing) is not needed to define the models

    name = field if isinstance(field, str) or field is None else field.field.name
    text = getattr(lineage_render, _RENDERERS[format])(parents_graph(record, distance, field=name, with_children=with_children))
    log.print_renderable(text)
    return text
