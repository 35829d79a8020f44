"""Lineage graphs: which runs made a record, from which inputs, and what was made from it.

A :class:`LineageGraph` holds three kinds of nodes (artifacts, collections, runs) and edges
in the direction data flows: input → run → output. :func:`build` walks the registries
level by level (one query per relation and level, not one per node), upstream from the
focus record and, on request, downstream too. Artifacts that only describe a run (its
environment and report, ``kind="__biolake_run__"``) and trashed records are left out.

Example:
    >>> graph = ln.lineage.graph(artifact, downstream=True)  # doctest: +SKIP
    >>> [node.label for node in graph.nodes]  # doctest: +SKIP
    ['raw.csv', 'step1.py (run 3mAxR5)', 'mid.parquet']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from biolake.errors import DoesNotExist, ValidationError
from biolake.models.constants import MAIN_BRANCH, RUN_ARTIFACT_KIND

__all__ = ["Edge", "LineageGraph", "Node", "build", "graph"]


@dataclasses.dataclass
class Node:
    """One artifact, collection or run in a lineage graph.

    Attributes:
        id: ``"<type>:<uid>"``, unique in the graph.
        type: ``"artifact"``, ``"collection"`` or ``"run"``.
        uid: the record's uid.
        label: a short human name (a key, or ``"<transform key> (run <uid[:6]>)"`` for runs).
        attrs: a few plain values: ``key``/``suffix``/``version`` for artifacts,
            ``key``/``version`` for collections, ``transform_key``/``transform_type``/``status``
            for runs; ``focus=True`` on the record(s) the graph was built for.
    """

    id: str
    type: str
    uid: str
    label: str
    attrs: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def is_focus(self) -> bool:
        """Whether the graph was built for this record."""
        return bool(self.attrs.get("focus"))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return {"id": self.id, "type": self.type, "uid": self.uid, "label": self.label, "attrs": dict(self.attrs)}


@dataclasses.dataclass(frozen=True, order=True)
class Edge:
    """A data-flow edge between two node ids: input → run, or run → output."""

    source: str
    target: str

    def to_dict(self) -> dict[str, str]:
        """Plain JSON-able data."""
        return {"source": self.source, "target": self.target}


@dataclasses.dataclass
class LineageGraph:
    """Nodes and edges, sorted by id so that renderings are deterministic."""

    nodes: list[Node] = dataclasses.field(default_factory=list)
    edges: list[Edge] = dataclasses.field(default_factory=list)

    def node(self, uid: str) -> Node:
        """The node of a record uid (or a node id such as ``"run:<uid>"``).

        Raises:
            DoesNotExist: The record is not in the graph.
        """
        for node in self.nodes:
            if uid in (node.uid, node.id):
                return node
        raise DoesNotExist(f"No node with uid or id {uid!r} in this lineage graph.", query=uid)

    def __contains__(self, uid: object) -> bool:
        return any(uid in (node.uid, node.id) for node in self.nodes)

    @property
    def focus(self) -> list[Node]:
        """The node(s) of the record the graph was built for."""
        return [node for node in self.nodes if node.is_focus]

    def to_dict(self) -> dict[str, Any]:
        """``{"nodes": [...], "edges": [...]}`` as plain JSON-able data."""
        return {"nodes": [n.to_dict() for n in self.nodes], "edges": [e.to_dict() for e in self.edges]}


def build(record: Any, downstream: bool = False, depth: int | None = None) -> LineageGraph:
    """The lineage graph of an artifact, collection, run or transform.

    Upstream (always): the run that made the record, that run's inputs, the runs that made
    those, and so on. A run brings its inputs and outputs; a transform brings all its runs.

    Args:
        record: an Artifact, Collection, Run or Transform (saved).
        downstream: also follow the other way: runs that used the record as input, their
            outputs, the runs that used those, and so on.
        depth: how many runs to follow away from the record in each direction
            (``None``: all; ``0``: the record alone; ``1``: the run that made it and that
            run's inputs). A run or transform counts as the first step itself.

    Returns:
        The graph; the record's node has ``attrs["focus"] = True``.

    Example:
        >>> graph = ln.lineage.graph(artifact, downstream=True, depth=2)  # doctest: +SKIP
    """
    if depth is not None and depth < 0:
        raise ValidationError(f"depth must be None or >= 0, not {depth!r}.")
    kind = _record_kind(record)
    walker = _Walker(record._state.db or "default", _Registries.of(record))
    if kind in ("artifact", "collection"):
        walker.add_data([record], focus=True)
        walker.upstream(data=[record], runs=[], depth=depth)
        if downstream:
            walker.downstream(data=[record], runs=[], depth=depth)
    else:
        runs = [record] if kind == "run" else walker.runs_of_transform(record)
        walker.add_runs(runs, focus=True)
        walker.upstream(data=[], runs=runs, depth=depth)
        # a run's outputs are part of it; further downstream only on request
        down_depth = depth if downstream else (1 if depth is None else min(depth, 1))
        walker.downstream(data=[], runs=runs, depth=down_depth)
    return walker.result()


graph = build


def _record_kind(record: Any) -> str:
    name = type(record).__name__.lower()
    if name not in ("artifact", "collection", "run", "transform") or not hasattr(record, "_state"):
        raise TypeError(
            f"Lineage graphs are built for an Artifact, Collection, Run or Transform, not {type(record).__name__}."
        )
    if record._state.adding or record.pk is None:
        raise ValidationError(f"Save the {type(record).__name__} before building its lineage graph.")
    return name


@dataclasses.dataclass(frozen=True)
class _Registries:
    """The registries a walk queries, reached through the relations of the focus record
    (the registries themselves derive from ``HasLineage``, which draws these graphs)."""

    Run: Any
    Artifact: Any
    Collection: Any
    RunInputArtifact: Any
    RunInputCollection: Any

    @classmethod
    def of(cls, record: Any) -> _Registries:
        meta = type(record)._meta
        run = type(record) if type(record).__name__ == "Run" else meta.get_field("runs" if meta.model_name == "transform" else "run").related_model
        fields = run._meta
        return cls(
            Run=run,
            Artifact=fields.get_field("output_artifacts").related_model,
            Collection=fields.get_field("output_collections").related_model,
            RunInputArtifact=fields.get_field("input_artifacts").remote_field.through,
            RunInputCollection=fields.get_field("input_collections").remote_field.through,
        )


class _Walker:
    """Collects nodes and edges while walking the registries one level at a time."""

    def __init__(self, db: str, registries: _Registries) -> None:
        self.m = registries
        self.main = MAIN_BRANCH
        self.run_kind = RUN_ARTIFACT_KIND  # a run's environment and report: not data, not lineage
        self.db = db
        self.nodes: dict[str, Node] = {}
        self.edges: set[Edge] = set()
        self.runs: dict[int, Any] = {}  # pk → Run (transform selected)

    # -- nodes -------------------------------------------------------------------------------
    def add_data(self, records: Iterable[Any], focus: bool = False) -> None:
        for record in records:
            node = _data_node(record)
            if focus:
                node.attrs["focus"] = True
            self.nodes.setdefault(node.id, node)

    def add_runs(self, runs: Iterable[Any], focus: bool = False) -> None:
        for run in runs:
            self.runs.setdefault(run.pk, run)
            node = _run_node(run)
            if focus:
                node.attrs["focus"] = True
            self.nodes.setdefault(node.id, node)

    def result(self) -> LineageGraph:
        return LineageGraph(nodes=sorted(self.nodes.values(), key=lambda n: n.id), edges=sorted(self.edges))

    # -- walking -----------------------------------------------------------------------------
    def upstream(self, data: list[Any], runs: list[Any], depth: int | None) -> None:
        """From data to the runs that made it, from runs to their inputs, ``depth`` runs deep."""
        self._walk(data, runs, depth, to_runs=self._producers, to_data=self._inputs)

    def downstream(self, data: list[Any], runs: list[Any], depth: int | None) -> None:
        """From data to the runs that read it, from runs to their outputs, ``depth`` runs deep."""
        self._walk(data, runs, depth, to_runs=self._consumers, to_data=self._outputs)

    def _walk(
        self,
        data: list[Any],
        runs: list[Any],
        depth: int | None,
        to_runs: Callable[[list[Any]], list[Any]],
        to_data: Callable[[list[Any]], list[Any]],
    ) -> None:
        """Step data → runs → data ..., one level at a time; each run and record is expanded once."""
        seen_data = {_data_id(d) for d in data}
        expanded: set[int] = set()
        level = 0
        while (data or runs) and (depth is None or level < depth):
            found = {r.pk: r for r in [*runs, *to_runs(data)] if r.pk not in expanded}
            if not found:
                return
            expanded.update(found)
            level += 1
            new = {_data_id(d): d for d in to_data(list(found.values())) if _data_id(d) not in seen_data}
            seen_data.update(new)
            data, runs = list(new.values()), []

    # -- one query per relation and level ----------------------------------------------------
    def runs_of_transform(self, transform: Any) -> list[Any]:
        return list(
            self.m.Run._plain.using(self.db)
            .filter(transform_id=transform.pk, branch_id=self.main)
            .select_related("transform")
            .order_by("id")
        )

    def _load_runs(self, pks: set[int]) -> None:
        missing = pks - self.runs.keys()
        if missing:
            found = self.m.Run._plain.using(self.db).filter(id__in=missing, branch_id=self.main)
            self.add_runs(found.select_related("transform"))

    def _producers(self, data: list[Any]) -> list[Any]:
        """Runs that made ``data`` (edges run → data)."""
        self._load_runs({d.run_id for d in data if d.run_id is not None})
        producers = []
        for record in data:
            run = self.runs.get(record.run_id) if record.run_id is not None else None
            if run is not None:
                self.edges.add(Edge(_run_id(run), _data_id(record)))
                producers.append(run)
        return producers

    def _inputs(self, runs: list[Any]) -> list[Any]:
        """Artifacts and collections read by ``runs`` (edges input → run)."""
        pks = [r.pk for r in runs]
        artifact_links = (
            self.m.RunInputArtifact._default_manager.using(self.db)
            .filter(run_id__in=pks, artifact__branch_id=self.main)
            .exclude(artifact__kind=self.run_kind)
            .select_related("artifact")
        )
        collection_links = (
            self.m.RunInputCollection._default_manager.using(self.db)
            .filter(run_id__in=pks, collection__branch_id=self.main)
            .select_related("collection")
        )
        pairs = [(link.artifact, link.run_id) for link in artifact_links]
        pairs += [(link.collection, link.run_id) for link in collection_links]
        self.add_data(record for record, _ in pairs)
        for record, run_pk in pairs:
            self.edges.add(Edge(_data_id(record), _run_id(self.runs[run_pk])))
        return [record for record, _ in pairs]

    def _consumers(self, data: list[Any]) -> list[Any]:
        """Runs that read ``data`` (edges data → run)."""
        artifacts = {d.pk: d for d in data if _kind(d) == "artifact"}
        collections = {d.pk: d for d in data if _kind(d) == "collection"}
        links: list[tuple[Any, int]] = []
        if artifacts:
            rows = self.m.RunInputArtifact._default_manager.using(self.db).filter(artifact_id__in=list(artifacts))
            links += [(artifacts[a], r) for a, r in rows.values_list("artifact_id", "run_id")]
        if collections:
            rows = self.m.RunInputCollection._default_manager.using(self.db).filter(collection_id__in=list(collections))
            links += [(collections[c], r) for c, r in rows.values_list("collection_id", "run_id")]
        self._load_runs({run_pk for _, run_pk in links})
        consumers = []
        for record, run_pk in links:
            run = self.runs.get(run_pk)
            if run is not None:  # None: a trashed run
                self.edges.add(Edge(_data_id(record), _run_id(run)))
                consumers.append(run)
        return consumers

    def _outputs(self, runs: list[Any]) -> list[Any]:
        """Artifacts and collections made by ``runs`` (edges run → output)."""
        pks = [r.pk for r in runs]
        artifacts = (
            self.m.Artifact._plain.using(self.db)
            .filter(run_id__in=pks, branch_id=self.main)
            .exclude(kind=self.run_kind)
        )
        collections = self.m.Collection._plain.using(self.db).filter(run_id__in=pks, branch_id=self.main)
        outputs = [*artifacts, *collections]
        self.add_data(outputs)
        for record in outputs:
            self.edges.add(Edge(_run_id(self.runs[record.run_id]), _data_id(record)))
        return outputs


# -- node construction -----------------------------------------------------------------------


def _kind(record: Any) -> str:
    return type(record).__name__.lower()


def _data_id(record: Any) -> str:
    return f"{_kind(record)}:{record.uid}"


def _run_id(run: Any) -> str:
    return f"run:{run.uid}"


def _data_node(record: Any) -> Node:
    kind = _kind(record)
    attrs: dict[str, Any] = {"key": record.key}
    if kind == "artifact":
        attrs["suffix"] = record.suffix
    attrs["version"] = record.version
    return Node(id=_data_id(record), type=kind, uid=record.uid, label=record.key or record.uid, attrs=attrs)


def _run_node(run: Any) -> Node:
    transform = run.transform
    name = transform.key or transform.uid
    attrs = {"transform_key": transform.key, "transform_type": transform.type, "status": run.status}
    return Node(id=_run_id(run), type="run", uid=run.uid, label=f"{name} (run {run.uid[:6]})", attrs=attrs)
