"""Render lineage graphs as Mermaid, Graphviz DOT or a self-contained SVG, and show them.

All three renderings are deterministic (nodes and edges in sorted order) and need nothing
outside Python: the SVG is laid out here (layers = longest path from the sources), with no
graphviz binary and no JavaScript.

Example:
    >>> from biolake.models.lineage_render import to_mermaid, view_lineage
    >>> graph = view_lineage(artifact)  # doctest: +SKIP
    >>> print(to_mermaid(graph))  # doctest: +SKIP
    flowchart LR
        artifact_3mAxR5zVnDyq0000["raw.csv"]
        ...
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import Any
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr as _xml_quoteattr

from biolake import _logging
from biolake.errors import ValidationError
from biolake._jupyter import in_kernel
from biolake.models.lineage_graph import LineageGraph, Node, build

__all__ = ["FORMATS", "to_dot", "to_mermaid", "to_svg", "view_lineage"]

FORMATS = ("mermaid", "dot", "svg")

_COLORS = {  # type → (fill, stroke)
    "artifact": ("#eef4fb", "#4a78b5"),
    "collection": ("#eef8ec", "#4f9a45"),
    "run": ("#fdf3e6", "#c47f26"),
}
_FOCUS_STROKE = "#d62728"
_TEXT = "#1f2328"
_MUTED = "#57606a"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# -- Mermaid -----------------------------------------------------------------------------------

_MERMAID_SHAPES = {"artifact": ('["', '"]'), "collection": ('[["', '"]]'), "run": ('(["', '"])')}
_MERMAID_ENTITIES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "`": "#96;"}


def _mermaid_label(text: str) -> str:
    text = " ".join(_XML_INVALID.sub(" ", text).split())
    return "".join(_MERMAID_ENTITIES.get(char, char) for char in text)


def _mermaid_ids(graph: LineageGraph) -> dict[str, str]:
    """Node id → a Mermaid-safe id (letters, digits, ``_``), unique in the graph."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for node in graph.nodes:
        base = re.sub(r"\W", "_", f"{node.type}_{node.uid}", flags=re.ASCII)
        name, n = base, 1
        while name in used:
            name, n = f"{base}_{n}", n + 1
        ids[node.id] = name
        used.add(name)
    return ids


def to_mermaid(graph: LineageGraph) -> str:
    """A Mermaid flowchart, left to right.

    Artifacts are rectangles, collections double-framed rectangles, runs stadiums; the
    focus record gets the ``focus`` class. Labels are quoted and ``"``, ``#``, ``<``, ``>``
    and backticks written as entity codes, so no key can break the syntax.

    Example:
        >>> from biolake.models.lineage_graph import Edge, LineageGraph, Node
        >>> g = LineageGraph([Node("artifact:a1", "artifact", "a1", "raw.csv", {"focus": True}),
        ...                   Node("run:r1", "run", "r1", "step1.py (run r1)")], [Edge("artifact:a1", "run:r1")])
        >>> print(to_mermaid(g), end="")
        flowchart LR
            artifact_a1["raw.csv"]
            run_r1(["step1.py (run r1)"])
            artifact_a1 --> run_r1
            classDef artifact fill:#eef4fb,stroke:#4a78b5,color:#1f2328
            classDef collection fill:#eef8ec,stroke:#4f9a45,color:#1f2328
            classDef run fill:#fdf3e6,stroke:#c47f26,color:#1f2328
            classDef focus stroke:#d62728,stroke-width:3px
            class artifact_a1 artifact
            class run_r1 run
            class artifact_a1 focus
    """
    ids = _mermaid_ids(graph)
    nodes = sorted(graph.nodes, key=lambda n: n.id)
    lines = ["flowchart LR"]
    for node in nodes:
        opening, closing = _MERMAID_SHAPES.get(node.type, _MERMAID_SHAPES["artifact"])
        lines.append(f"    {ids[node.id]}{opening}{_mermaid_label(node.label)}{closing}")
    for edge in sorted(graph.edges):
        lines.append(f"    {ids[edge.source]} --> {ids[edge.target]}")
    for kind, (fill, stroke) in _COLORS.items():
        lines.append(f"    classDef {kind} fill:{fill},stroke:{stroke},color:{_TEXT}")
    lines.append(f"    classDef focus stroke:{_FOCUS_STROKE},stroke-width:3px")
    for kind in _COLORS:
        members = [ids[n.id] for n in nodes if n.type == kind]
        if members:
            lines.append(f"    class {','.join(members)} {kind}")
    focus = [ids[n.id] for n in nodes if n.is_focus]
    if focus:
        lines.append(f"    class {','.join(focus)} focus")
    return "\n".join(lines) + "\n"


# -- Graphviz DOT --------------------------------------------------------------------------------

_DOT_SHAPES = {
    "artifact": 'shape=box, style=filled',
    "collection": 'shape=box3d, style=filled',
    "run": 'shape=box, style="rounded,filled"',
}


def _dot_string(text: str) -> str:
    text = " ".join(_XML_INVALID.sub(" ", text).split())
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: LineageGraph) -> str:
    """A Graphviz ``digraph``, left to right; render it with ``dot -Tsvg`` if you have Graphviz.

    Example:
        >>> from biolake.models.lineage_graph import LineageGraph, Node
        >>> print(to_dot(LineageGraph([Node("artifact:a1", "artifact", "a1", 'say "hi"')])), end="")
        digraph lineage {
            rankdir=LR;
            node [fontname="Helvetica", fontsize=11, color="#57606a"];
            edge [color="#57606a"];
            "artifact:a1" [label="say \\"hi\\"", shape=box, style=filled, fillcolor="#eef4fb", color="#4a78b5"];
        }
    """
    lines = [
        "digraph lineage {",
        "    rankdir=LR;",
        f'    node [fontname="Helvetica", fontsize=11, color="{_MUTED}"];',
        f'    edge [color="{_MUTED}"];',
    ]
    for node in sorted(graph.nodes, key=lambda n: n.id):
        fill, stroke = _COLORS.get(node.type, _COLORS["artifact"])
        shape = _DOT_SHAPES.get(node.type, _DOT_SHAPES["artifact"])
        extra = f', color="{_FOCUS_STROKE}", penwidth=3' if node.is_focus else f', color="{stroke}"'
        attrs = f'label={_dot_string(node.label)}, {shape}, fillcolor="{fill}"{extra}'
        lines.append(f"    {_dot_string(node.id)} [{attrs}];")
    for edge in sorted(graph.edges):
        lines.append(f"    {_dot_string(edge.source)} -> {_dot_string(edge.target)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- SVG: layered layout -------------------------------------------------------------------------

_FONT = "Helvetica, Arial, sans-serif"
_CHAR_W, _SMALL_CHAR_W = 7.0, 6.0  # rough average glyph widths at 12 px and 10 px
_BOX_H, _MIN_BOX_W, _PAD_X = 42, 110, 12
_GAP_X, _GAP_Y, _MARGIN = 56, 18, 16
_MAX_LABEL = 48


@dataclasses.dataclass
class _Box:
    node: Node
    title: str
    subtitle: str
    width: float
    x: float = 0.0
    y: float = 0.0


def _successors(graph: LineageGraph) -> dict[str, list[str]]:
    succ: dict[str, list[str]] = {n.id: [] for n in graph.nodes}
    for edge in sorted(graph.edges):
        if edge.source in succ and edge.target in succ:
            succ[edge.source].append(edge.target)
    return succ


def _back_edges(order: list[str], succ: dict[str, list[str]]) -> set[tuple[str, str]]:
    """Edges closing a cycle (found by depth-first search), ignored when assigning layers."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    back: set[tuple[str, str]] = set()
    for root in order:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            current, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[current] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((current, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(succ[child])))
    return back


def _layers(graph: LineageGraph) -> list[list[str]]:
    """Node ids per layer: a node's layer is the longest path to it from a source."""
    order = [n.id for n in sorted(graph.nodes, key=lambda n: n.id)]
    succ = _successors(graph)
    back = _back_edges(order, succ)
    dag = {u: [v for v in vs if (u, v) not in back] for u, vs in succ.items()}
    indegree = dict.fromkeys(order, 0)
    for targets in dag.values():
        for v in targets:
            indegree[v] += 1
    layer = dict.fromkeys(order, 0)
    ready = [u for u in order if indegree[u] == 0]
    while ready:
        u = ready.pop(0)
        for v in dag[u]:
            layer[v] = max(layer[v], layer[u] + 1)
            indegree[v] -= 1
            if indegree[v] == 0:
                ready.append(v)
    columns: list[list[str]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for u in order:
        columns[layer[u]].append(u)
    return _reduce_crossings(columns, dag)


def _reduce_crossings(columns: list[list[str]], dag: dict[str, list[str]]) -> list[list[str]]:
    """Order each layer by the mean position of its neighbours (a few sweeps each way)."""
    pred: dict[str, list[str]] = {u: [] for u in dag}
    for u, targets in dag.items():
        for v in targets:
            pred[v].append(u)

    def sweep(cols: list[list[str]], neighbours: dict[str, list[str]]) -> None:
        for i in range(1, len(cols)):
            position = {u: k for k, u in enumerate(cols[i - 1])}
            keyed = []
            for k, u in enumerate(cols[i]):
                near = [position[w] for w in neighbours[u] if w in position]
                keyed.append((sum(near) / len(near) if near else k, k, u))
            cols[i] = [u for _, _, u in sorted(keyed)]

    for _ in range(2):
        sweep(columns, pred)
        columns.reverse()
        sweep(columns, dag)
        columns.reverse()
    return columns


def _clip(text: str, limit: int) -> str:
    text = " ".join(_XML_INVALID.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _subtitle(node: Node) -> str:
    if node.type == "run":
        parts = [node.attrs.get("transform_type"), node.attrs.get("status")]
        return " · ".join(str(p) for p in parts if p) or "run"
    version = node.attrs.get("version")
    return f"{node.type} {node.uid[:8]}" + (f" · v{version}" if version else "")


def _place(graph: LineageGraph) -> tuple[dict[str, _Box], float, float]:
    boxes: dict[str, _Box] = {}
    for node in graph.nodes:
        title, subtitle = _clip(node.label, _MAX_LABEL), _clip(_subtitle(node), _MAX_LABEL)
        width = max(_MIN_BOX_W, len(title) * _CHAR_W + 2 * _PAD_X, len(subtitle) * _SMALL_CHAR_W + 2 * _PAD_X)
        boxes[node.id] = _Box(node, title, subtitle, width)
    columns = _layers(graph)
    tallest = max((len(col) for col in columns), default=0)
    height = tallest * _BOX_H + max(tallest - 1, 0) * _GAP_Y
    x = float(_MARGIN)
    for col in columns:
        col_w = max(boxes[u].width for u in col)
        col_h = len(col) * _BOX_H + (len(col) - 1) * _GAP_Y
        y = _MARGIN + (height - col_h) / 2
        for u in col:
            box = boxes[u]
            box.x, box.y = x + (col_w - box.width) / 2, y
            y += _BOX_H + _GAP_Y
        x += col_w + _GAP_X
    width = x - _GAP_X + _MARGIN if columns else 2 * _MARGIN
    return boxes, width, height + 2 * _MARGIN


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg_node(box: _Box) -> list[str]:
    node = box.node
    fill, stroke = _COLORS.get(node.type, _COLORS["artifact"])
    stroke, stroke_w = (_FOCUS_STROKE, 3) if node.is_focus else (stroke, 1.2)
    x, y, w, h = _num(box.x), _num(box.y), _num(box.width), _num(_BOX_H)
    radius = _num(_BOX_H / 2) if node.type == "run" else "3"
    tooltip = _xml_escape(_clip(f"{node.label} ({node.type} {node.uid})", 400))
    out = [f'<g class="biolake-{node.type}"><title>{tooltip}</title>']
    if node.type == "collection":  # a second frame behind: a stack
        out.append(
            f'<rect x="{_num(box.x + 4)}" y="{_num(box.y - 4)}" width="{w}" height="{h}" rx="3" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_w}"/>'
        )
    out.append(
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{radius}" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_w}"/>'
    )
    cx = _num(box.x + box.width / 2)
    out.append(
        f'<text x="{cx}" y="{_num(box.y + 18)}" text-anchor="middle" font-family={_xml_quoteattr(_FONT)} '
        f'font-size="12" fill="{_TEXT}">{_xml_escape(box.title)}</text>'
    )
    out.append(
        f'<text x="{cx}" y="{_num(box.y + 33)}" text-anchor="middle" font-family={_xml_quoteattr(_FONT)} '
        f'font-size="10" fill="{_MUTED}">{_xml_escape(box.subtitle)}</text>'
    )
    out.append("</g>")
    return out


def _svg_edge(source: _Box, target: _Box, marker: str) -> str:
    x1, y1 = source.x + source.width, source.y + _BOX_H / 2
    x2, y2 = target.x, target.y + _BOX_H / 2
    bend = max(30.0, abs(x2 - x1) / 2)
    d = f"M{_num(x1)},{_num(y1)} C{_num(x1 + bend)},{_num(y1)} {_num(x2 - bend)},{_num(y2)} {_num(x2)},{_num(y2)}"
    return f'<path d="{d}" fill="none" stroke="{_MUTED}" stroke-width="1.2" marker-end="url(#{marker})"/>'


def to_svg(graph: LineageGraph) -> str:
    """A self-contained SVG: layered left to right, boxes with labels, arrows in data-flow direction.

    Example:
        >>> from biolake.models.lineage_graph import LineageGraph, Node
        >>> to_svg(LineageGraph([Node("artifact:a1", "artifact", "a1", "raw.csv")])).startswith("<svg")
        True
    """
    boxes, width, height = _place(graph)
    fingerprint = "\n".join([*(n.id for n in graph.nodes), *(f"{e.source}>{e.target}" for e in graph.edges)])
    marker = "biolake-arrow-" + hashlib.blake2s(fingerprint.encode(), digest_size=4).hexdigest()
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" role="img">',
        "<title>biolake lineage</title>",
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{_MUTED}"/></marker></defs>',
    ]
    for edge in sorted(graph.edges):
        if edge.source in boxes and edge.target in boxes:
            out.append(_svg_edge(boxes[edge.source], boxes[edge.target], marker))
    for node in sorted(graph.nodes, key=lambda n: n.id):
        out.extend(_svg_node(boxes[node.id]))
    out.append("</svg>")
    return "\n".join(out) + "\n"


# -- showing -------------------------------------------------------------------------------------


def _show_text(text: str) -> None:
    from rich.text import Text

    _logging.print_renderable(Text(text.rstrip("\n")))  # Text: brackets are not rich markup


def view_lineage(
    record: Any, downstream: bool = False, depth: int | None = None, format: str | None = None
) -> LineageGraph:
    """Show the lineage graph of a record and return it.

    In a Jupyter kernel the graph is drawn inline as SVG; elsewhere its Mermaid text is
    printed (paste it into any Mermaid viewer). ``format`` forces printing that text.

    Args:
        record: an Artifact, Collection, Run or Transform.
        downstream: also show what was made from the record.
        depth: how many runs to follow in each direction (``None``: all).
        format: ``"mermaid"``, ``"dot"`` or ``"svg"`` to print that text instead.

    Example:
        >>> ln.lineage.view_lineage(artifact, downstream=True)  # doctest: +SKIP
    """
    if format is not None and format not in FORMATS:
        raise ValidationError(f"Unknown lineage format {format!r}: use one of {', '.join(FORMATS)}.")
    lineage = build(record, downstream=downstream, depth=depth)
    if format is None and in_kernel():
        from IPython.display import SVG, display

        display(SVG(to_svg(lineage)))
        return lineage
    render = {"mermaid": to_mermaid, "dot": to_dot, "svg": to_svg}[format or "mermaid"]
    _show_text(render(lineage))
    return lineage
