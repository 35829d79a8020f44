"""Lineage graphs built from real registries, on SQLite and PostgreSQL.

The module's data (made once per backend)::

    raw ─► step1 ─► mid ─► step2 ─► out ─► collect ─► bundle (a collection) ─► use ─► final
     │       │       │      ▲
     │       │       │     aux
     │       │       └───► branch ─► side      (branch also reads env)
     │       └─► env       (kind "__biolake_run__": step1's environment, never in a graph)
     └─► step2 (a second run of the same transform) ─► out2
"""

from __future__ import annotations

import types
from collections.abc import Iterator

import pandas as pd
import pytest

from biolake.models.lineage_graph import Edge, LineageGraph, Node, build, graph

PREFIX = "lineage-graph/"


def _transform(ln, key):
    return ln.Transform(key=f"{PREFIX}{key}", type="script").save()


def _run(ln, transform, inputs=(), collections=()):
    run = ln.Run(transform=transform, status="completed").save()
    if inputs:
        run.input_artifacts.add(*inputs)
    if collections:
        run.input_collections.add(*collections)
    return run


def _artifact(ln, name, run=None, kind="dataset"):
    df = pd.DataFrame({"name": [f"{PREFIX}{name}"]})  # unique bytes: no deduplication across records
    artifact = ln.Artifact.from_df(df, key=f"{PREFIX}{name}.parquet", kind=kind)
    artifact.run = run
    return artifact.save()


@pytest.fixture(scope="module")
def chain(instance) -> Iterator[types.SimpleNamespace]:
    import biolake as ln

    ln.connect(instance.name)
    c = types.SimpleNamespace()
    c.raw = _artifact(ln, "raw")
    c.aux = _artifact(ln, "aux")
    c.t1, c.t2, c.t_branch = _transform(ln, "step1.py"), _transform(ln, "step2.py"), _transform(ln, "branch.py")
    c.t_collect, c.t_use = _transform(ln, "collect.py"), _transform(ln, "use.py")
    c.r1 = _run(ln, c.t1, [c.raw])
    c.mid = _artifact(ln, "mid", c.r1)
    c.env = _artifact(ln, "env", c.r1, kind="__biolake_run__")
    c.r1.environment = c.env
    c.r1.save()
    c.r2 = _run(ln, c.t2, [c.mid, c.aux])
    c.out = _artifact(ln, "out", c.r2)
    c.r2b = _run(ln, c.t2, [c.raw])
    c.out2 = _artifact(ln, "out2", c.r2b)
    c.r_branch = _run(ln, c.t_branch, [c.mid, c.env])  # reading a run artifact must not show it either
    c.side = _artifact(ln, "side", c.r_branch)
    c.r_collect = _run(ln, c.t_collect, [c.out])
    c.bundle = ln.Collection([c.out], key=f"{PREFIX}bundle")
    c.bundle.run = c.r_collect
    c.bundle.save()
    c.r_use = _run(ln, c.t_use, collections=[c.bundle])
    c.final = _artifact(ln, "final", c.r_use)
    yield c


def nid(record) -> str:
    kind = type(record).__name__.lower()
    return f"{kind}:{record.uid}"


def ids(g: LineageGraph) -> set[str]:
    return {n.id for n in g.nodes}


def edges(g: LineageGraph) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in g.edges}


def flow(*records) -> set[tuple[str, str]]:
    """Edges of a path: flow(a, r, b) == {(a, r), (r, b)}."""
    return {(nid(a), nid(b)) for a, b in zip(records, records[1:])}


def test_upstream_of_an_artifact(ln, chain):
    c = chain
    g = build(c.out)
    assert ids(g) == {nid(x) for x in (c.out, c.r2, c.mid, c.aux, c.r1, c.raw)}
    assert edges(g) == flow(c.raw, c.r1, c.mid, c.r2, c.out) | flow(c.aux, c.r2)
    assert [n.id for n in g.focus] == [nid(c.out)]
    assert [n.id for n in g.nodes] == sorted(ids(g)) and g.edges == sorted(g.edges)


def test_nodes_carry_labels_and_attrs(ln, chain):
    c = chain
    g = build(c.mid)
    run = g.node(c.r1.uid)
    assert run.type == "run" and run.label == f"{PREFIX}step1.py (run {c.r1.uid[:6]})"
    assert run.attrs == {"transform_key": f"{PREFIX}step1.py", "transform_type": "script", "status": "completed"}
    mid = g.node(nid(c.mid))  # by node id as well as by uid
    assert mid.type == "artifact" and mid.label == f"{PREFIX}mid.parquet" and mid.is_focus
    assert mid.attrs == {"key": f"{PREFIX}mid.parquet", "suffix": ".parquet", "version": None, "focus": True}
    assert c.raw.uid in g and c.out.uid not in g
    with pytest.raises(ln.errors.DoesNotExist, match=c.out.uid):
        g.node(c.out.uid)


def test_depth_limits_the_runs_followed(ln, chain):
    c = chain
    assert ids(build(c.out, depth=0)) == {nid(c.out)} and build(c.out, depth=0).edges == []
    one = build(c.out, depth=1)
    assert ids(one) == {nid(x) for x in (c.out, c.r2, c.mid, c.aux)}
    assert edges(one) == flow(c.mid, c.r2, c.out) | flow(c.aux, c.r2)
    assert build(c.out, depth=2).to_dict() == build(c.out).to_dict()
    assert build(c.out, depth=50).to_dict() == build(c.out).to_dict()
    with pytest.raises(ln.errors.ValidationError, match="depth"):
        build(c.out, depth=-1)


def test_downstream_follows_consumers_and_collections(ln, chain):
    c = chain
    g = build(c.mid, downstream=True)
    assert ids(g) == {
        nid(x)
        for x in (c.raw, c.r1, c.mid, c.r2, c.out, c.r_branch, c.side, c.r_collect, c.bundle, c.r_use, c.final)
    }
    assert edges(g) == (
        flow(c.raw, c.r1, c.mid, c.r2, c.out, c.r_collect, c.bundle, c.r_use, c.final)
        | flow(c.mid, c.r_branch, c.side)
    )  # aux is an input of step2 but not downstream of mid: not shown
    assert g.node(c.bundle.uid).type == "collection" and g.node(c.bundle.uid).label == f"{PREFIX}bundle"


def test_downstream_depth(ln, chain):
    c = chain
    g = build(c.raw, downstream=True, depth=1)
    assert ids(g) == {nid(x) for x in (c.raw, c.r1, c.mid, c.r2b, c.out2)}
    assert edges(g) == flow(c.raw, c.r1, c.mid) | flow(c.raw, c.r2b, c.out2)
    full = build(c.raw, downstream=True)
    assert nid(c.final) in ids(full) and nid(c.aux) not in ids(full)


def test_run_artifacts_are_left_out(ln, chain):
    c = chain
    for g in (build(c.raw, downstream=True), build(c.r1), build(c.side), build(c.t_branch)):
        assert nid(c.env) not in ids(g)
        assert all(c.env.uid not in (e.source + e.target) for e in g.edges)
    assert nid(c.env) in ids(build(c.env))  # only as the focus itself


def test_graph_of_a_run_has_its_inputs_and_outputs(ln, chain):
    c = chain
    g = build(c.r2)
    assert ids(g) == {nid(x) for x in (c.r2, c.mid, c.aux, c.out, c.r1, c.raw)}
    assert [n.id for n in g.focus] == [nid(c.r2)]
    assert ids(build(c.r2, depth=1)) == {nid(x) for x in (c.r2, c.mid, c.aux, c.out)}
    assert ids(build(c.r2, depth=0)) == {nid(c.r2)}
    down = build(c.r2, downstream=True)
    assert {nid(c.r_collect), nid(c.bundle), nid(c.final)} <= ids(down)


def test_graph_of_a_transform_has_all_its_runs(ln, chain):
    c = chain
    g = graph(c.t2)  # the alias
    assert ids(g) == {nid(x) for x in (c.r2, c.r2b, c.mid, c.aux, c.raw, c.r1, c.out, c.out2)}
    assert {n.id for n in g.focus} == {nid(c.r2), nid(c.r2b)}
    assert edges(g) >= flow(c.raw, c.r2b, c.out2) | flow(c.raw, c.r1, c.mid, c.r2, c.out)


def test_collection_upstream_is_its_own_run(ln, chain):
    c = chain
    g = build(c.bundle, depth=1)
    assert ids(g) == {nid(x) for x in (c.bundle, c.r_collect, c.out)}
    assert edges(g) == flow(c.out, c.r_collect, c.bundle)


def test_to_dict_is_plain_json(ln, chain):
    import json

    data = build(chain.mid, downstream=True).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"nodes", "edges"}
    assert set(data["nodes"][0]) == {"id", "type", "uid", "label", "attrs"}
    assert set(data["edges"][0]) == {"source", "target"}


def test_queries_are_batched_per_level(ln, chain):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        g = build(chain.raw, downstream=True)
    # downstream of raw: 4 run levels (step1, step2 | step2, branch | collect | use), each at
    # most 5 queries (2 input links, runs, 2 outputs) — not one per node
    assert len(g.nodes) == 13
    assert len(captured.captured_queries) <= 4 * 5 + 1, [q["sql"] for q in captured.captured_queries]


def test_cycles_terminate(ln):
    t = ln.Transform(key=f"{PREFIX}cycle.py", type="script").save()
    r_a, r_b = ln.Run(transform=t).save(), ln.Run(transform=t).save()
    a, b = _artifact(ln, "cycle-a", r_a), _artifact(ln, "cycle-b", r_b)
    r_a.input_artifacts.add(b)
    r_b.input_artifacts.add(a)
    for g in (build(a), build(a, downstream=True), build(r_a, downstream=True), build(t)):
        assert ids(g) == {nid(x) for x in (a, b, r_a, r_b)}
        assert edges(g) == flow(a, r_b, b, r_a, a)


def test_tracked_run_outputs_and_trash(ln):
    from biolake import _process

    t = ln.Transform(key=f"{PREFIX}tracked.py", type="script").save()
    run = ln.Run(transform=t).save()
    token = _process.run.set(run)  # as @ln.tracked() does: new records get this run
    try:
        first = ln.Artifact.from_df(pd.DataFrame({"tracked": [1]}), key=f"{PREFIX}tracked-1.parquet").save()
        second = ln.Artifact.from_df(pd.DataFrame({"tracked": [2]}), key=f"{PREFIX}tracked-2.parquet").save()
    finally:
        _process.run.reset(token)
    assert first.run_id == second.run_id == run.pk
    assert ids(build(run)) == {nid(x) for x in (run, first, second)}
    second.delete()  # trashed records are hidden, like in queries
    assert ids(build(run)) == {nid(x) for x in (run, first)}


def test_unsupported_records_fail_clearly(ln):
    with pytest.raises(TypeError, match="Artifact, Collection, Run or Transform"):
        build(ln.settings)
    unsaved = ln.Artifact.from_df(pd.DataFrame({"unsaved": [1]}), key=f"{PREFIX}unsaved.parquet")
    with pytest.raises(ln.errors.ValidationError, match="Save the Artifact"):
        build(unsaved)


def test_handmade_graph_lookup():
    g = LineageGraph([Node("run:r1", "run", "r1", "x (run r1)")], [Edge("run:r1", "run:r1")])
    assert g.node("r1").label == "x (run r1)" and g.focus == [] and "run:r1" in g
