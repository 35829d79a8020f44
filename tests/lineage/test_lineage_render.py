"""Mermaid, DOT and SVG renderings of lineage graphs, and view_lineage() — exact texts where it matters."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from biolake.models.lineage_graph import Edge, LineageGraph, Node, build
from biolake.models.lineage_render import to_dot, to_mermaid, to_svg, view_lineage

PREFIX = "lineage-render/"
SVG_NS = "{http://www.w3.org/2000/svg}"

CLASS_DEFS = """\
    classDef artifact fill:#eef4fb,stroke:#4a78b5,color:#1f2328
    classDef collection fill:#eef8ec,stroke:#4f9a45,color:#1f2328
    classDef run fill:#fdf3e6,stroke:#c47f26,color:#1f2328
    classDef focus stroke:#d62728,stroke-width:3px
"""


def small_graph() -> LineageGraph:
    """raw ─► step1 ─► mid (focus), step1 ─► bundle; keys with characters Mermaid would choke on."""
    nodes = [
        Node("run:r1", "run", "r1", "step1.py (run r1)", {"transform_key": "step1.py"}),
        Node("artifact:b2", "artifact", "b2", 'mid "v1" [draft] #1 <b> `x`', {"focus": True}),
        Node("artifact:a1", "artifact", "a1", "raw.csv"),
        Node("collection:c1", "collection", "c1", "bundle (all)"),
    ]
    edges = [Edge("run:r1", "collection:c1"), Edge("run:r1", "artifact:b2"), Edge("artifact:a1", "run:r1")]
    return LineageGraph(nodes, edges)


def test_mermaid_exact_text():
    assert to_mermaid(small_graph()) == (
        "flowchart LR\n"
        '    artifact_a1["raw.csv"]\n'
        '    artifact_b2["mid #quot;v1#quot; [draft] #35;1 #lt;b#gt; #96;x#96;"]\n'
        '    collection_c1[["bundle (all)"]]\n'
        '    run_r1(["step1.py (run r1)"])\n'
        "    artifact_a1 --> run_r1\n"
        "    run_r1 --> artifact_b2\n"
        "    run_r1 --> collection_c1\n"
        + CLASS_DEFS
        + "    class artifact_a1,artifact_b2 artifact\n"
        "    class collection_c1 collection\n"
        "    class run_r1 run\n"
        "    class artifact_b2 focus\n"
    )


def test_mermaid_ids_stay_safe_and_unique():
    nodes = [Node("artifact:a-1", "artifact", "a-1", "x\ny"), Node("artifact:a_1", "artifact", "a_1", "z")]
    text = to_mermaid(LineageGraph(nodes, [Edge("artifact:a-1", "artifact:a_1")]))
    assert '    artifact_a_1["x y"]\n    artifact_a_1_1["z"]\n    artifact_a_1 --> artifact_a_1_1\n' in text
    assert "focus" not in text.split(CLASS_DEFS)[1]


def test_dot_exact_text_and_escapes():
    nodes = [
        Node("artifact:a1", "artifact", "a1", 'say "hi" \\ bye', {"focus": True}),
        Node("run:r1", "run", "r1", "step (run r1)"),
        Node("collection:c1", "collection", "c1", "set"),
    ]
    dot = to_dot(LineageGraph(nodes, [Edge("artifact:a1", "run:r1"), Edge("run:r1", "collection:c1")]))
    assert dot == (
        "digraph lineage {\n"
        "    rankdir=LR;\n"
        '    node [fontname="Helvetica", fontsize=11, color="#57606a"];\n'
        '    edge [color="#57606a"];\n'
        '    "artifact:a1" [label="say \\"hi\\" \\\\ bye", shape=box, style=filled, fillcolor="#eef4fb", '
        'color="#d62728", penwidth=3];\n'
        '    "collection:c1" [label="set", shape=box3d, style=filled, fillcolor="#eef8ec", color="#4f9a45"];\n'
        '    "run:r1" [label="step (run r1)", shape=box, style="rounded,filled", fillcolor="#fdf3e6", '
        'color="#c47f26"];\n'
        '    "artifact:a1" -> "run:r1";\n'
        '    "run:r1" -> "collection:c1";\n'
        "}\n"
    )


def assert_well_formed_dot(dot: str) -> None:
    lines = dot.splitlines()
    assert lines[0] == "digraph lineage {" and lines[-1] == "}"
    quoted = r'"(?:[^"\\]|\\.)*"'
    statement = re.compile(rf"^    (?:{quoted}(?: -> {quoted})?(?: \[.*\])?|rankdir=LR|(?:node|edge) \[.*\]);$")
    for line in lines[1:-1]:
        assert statement.match(line), line


def svg_boxes(svg: str) -> dict[str, dict[str, float]]:
    """Parse the SVG; node uid → its main box (x, y, width, height)."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    boxes = {}
    for group in root.iter(f"{SVG_NS}g"):
        tooltip = group.find(f"{SVG_NS}title").text
        uid = re.search(r"\((?:artifact|collection|run) (\S+)\)$", tooltip).group(1)
        rect = group.findall(f"{SVG_NS}rect")[-1]
        box: dict = {k: float(rect.get(k)) for k in ("x", "y", "width", "height")}
        box["center"], box["stroke"] = box["x"] + box["width"] / 2, rect.get("stroke")
        assert 0 <= box["x"] and box["x"] + box["width"] <= width and 0 <= box["y"] <= height - box["height"]
        box["texts"] = [t.text for t in group.findall(f"{SVG_NS}text")]
        boxes[uid] = box
    markers = {m.get("id") for m in root.iter(f"{SVG_NS}marker")}
    for path in root.iter(f"{SVG_NS}path"):
        if path.get("marker-end"):
            assert path.get("marker-end")[5:-1] in markers
    return boxes


def test_svg_is_well_formed_and_layered():
    g = small_graph()
    svg = to_svg(g)
    boxes = svg_boxes(svg)
    assert set(boxes) == {"a1", "b2", "c1", "r1"}
    assert boxes["b2"]["texts"][0] == 'mid "v1" [draft] #1 <b> `x`'  # escaped for XML, read back intact
    assert boxes["r1"]["texts"] == ["step1.py (run r1)", "run"]
    # layers left to right: raw | step1 | mid, bundle (one column, centred)
    assert boxes["a1"]["x"] + boxes["a1"]["width"] < boxes["r1"]["x"]
    assert boxes["r1"]["x"] + boxes["r1"]["width"] < min(boxes["b2"]["x"], boxes["c1"]["x"])
    assert boxes["b2"]["center"] == boxes["c1"]["center"] and boxes["b2"]["y"] != boxes["c1"]["y"]
    assert boxes["b2"]["stroke"] == "#d62728" and boxes["a1"]["stroke"] != "#d62728"  # the focus
    root = ET.fromstring(svg)
    assert len([p for p in root.iter(f"{SVG_NS}path") if p.get("marker-end")]) == 3
    assert "<script" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert to_svg(small_graph()) == svg  # deterministic


def test_svg_of_odd_graphs():
    long = Node("artifact:l1", "artifact", "l1", "x" * 200 + "\x00<&>")
    boxes = svg_boxes(to_svg(LineageGraph([long])))
    assert boxes["l1"]["texts"][0] == "x" * 47 + "…"
    empty = ET.fromstring(to_svg(LineageGraph()))
    assert empty.tag == f"{SVG_NS}svg" and empty.find(f"{SVG_NS}g") is None
    cyclic = LineageGraph(
        [Node("artifact:a", "artifact", "a", "a"), Node("run:r", "run", "r", "r")],
        [Edge("artifact:a", "run:r"), Edge("run:r", "artifact:a")],
    )
    assert set(svg_boxes(to_svg(cyclic))) == {"a", "r"}
    assert_well_formed_dot(to_dot(cyclic))


# -- graphs from the registries (SQLite and PostgreSQL) ----------------------------------------------


@pytest.fixture
def fixed(ln):
    """raw ─► step1 ─► mid, with fixed uids so that the rendered text is known exactly."""
    uids = {"raw": "RenderRaw00000000000", "mid": "RenderMid00000000000", "run": "RunOne0000000000"}
    existing = ln.Artifact.filter(uid=uids["mid"]).one_or_none()
    if existing is not None:  # made by an earlier test of this module on this backend
        return existing
    t = ln.Transform(key=f"{PREFIX}step1.py", type="script").save()
    run = ln.Run(transform=t).save()
    raw = ln.Artifact.from_df(pd.DataFrame({"render": ["raw"]}), key=f"{PREFIX}raw.parquet").save()
    run.input_artifacts.add(raw)
    mid = ln.Artifact.from_df(pd.DataFrame({"render": ["mid"]}), key=f'{PREFIX}mid "v1" [draft].parquet')
    mid.run = run
    mid.save()
    ln.Artifact.objects.filter(pk=raw.pk).update(uid=uids["raw"])
    ln.Artifact.objects.filter(pk=mid.pk).update(uid=uids["mid"])
    ln.Run.objects.filter(pk=run.pk).update(uid=uids["run"])
    return ln.Artifact.get(uids["mid"])


MID_MERMAID = (
    "flowchart LR\n"
    f'    artifact_RenderMid00000000000["{PREFIX}mid #quot;v1#quot; [draft].parquet"]\n'
    f'    artifact_RenderRaw00000000000["{PREFIX}raw.parquet"]\n'
    f'    run_RunOne0000000000(["{PREFIX}step1.py (run RunOne)"])\n'
    "    artifact_RenderRaw00000000000 --> run_RunOne0000000000\n"
    "    run_RunOne0000000000 --> artifact_RenderMid00000000000\n"
    + CLASS_DEFS
    + "    class artifact_RenderMid00000000000,artifact_RenderRaw00000000000 artifact\n"
    "    class run_RunOne0000000000 run\n"
    "    class artifact_RenderMid00000000000 focus\n"
)


def test_mermaid_of_a_real_graph(ln, fixed):
    assert to_mermaid(build(fixed)) == MID_MERMAID
    assert_well_formed_dot(to_dot(build(fixed)))
    boxes = svg_boxes(to_svg(build(fixed)))
    assert boxes["RenderRaw00000000000"]["x"] < boxes["RunOne0000000000"]["x"] < boxes["RenderMid00000000000"]["x"]


def test_view_lineage_prints_mermaid_outside_jupyter(ln, fixed, capsys):
    from biolake import _logging

    _logging.reset_console()
    graph = view_lineage(fixed)
    assert capsys.readouterr().out == MID_MERMAID
    assert graph.to_dict() == build(fixed).to_dict()
    fixed.view_lineage(format="dot")  # the record method hands off to view_lineage
    assert capsys.readouterr().out == to_dot(graph)
    view_lineage(fixed, format="svg")
    shown = svg_boxes(capsys.readouterr().out)
    assert shown.keys() == {"RenderRaw00000000000", "RunOne0000000000", "RenderMid00000000000"}
    with pytest.raises(ln.errors.ValidationError, match="png"):
        view_lineage(fixed, format="png")


def test_view_lineage_draws_svg_in_a_jupyter_kernel(ln, fixed, capsys, monkeypatch):
    from IPython import display as ipython_display

    from biolake.models import lineage_render

    shown = []
    monkeypatch.setattr(lineage_render, "in_kernel", lambda: True)
    monkeypatch.setattr(ipython_display, "display", lambda obj: shown.append(obj))
    graph = view_lineage(fixed, depth=0)
    assert [n.uid for n in graph.nodes] == ["RenderMid00000000000"]
    (svg,) = shown
    assert isinstance(svg, ipython_display.SVG) and set(svg_boxes(svg.data)) == {"RenderMid00000000000"}
    assert capsys.readouterr().out == ""
    view_lineage(fixed, depth=0, format="mermaid")  # an explicit format prints, also in Jupyter
    assert capsys.readouterr().out.startswith("flowchart LR\n") and len(shown) == 1
