"""``record.describe()``: a rich tree of a record's fields, provenance and relations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from biolake._logging import human_size
from biolake.models.label_links import label_rows

if TYPE_CHECKING:  # rich loads on the first describe(): importing the registries stays cheap
    from rich.text import Text
    from rich.tree import Tree



def _row(tree: Tree, label: str, value: Any) -> None:
    from rich.text import Text

    if value is None or value == "":
        return
    text = Text()
    text.append(f"{label}: ", style="dim")
    text.append(str(value))
    tree.add(text)


def _title(record: Any) -> Text:
    from rich.text import Text

    title = Text(type(record).__name__, style="bold")
    for extra in (getattr(record, "suffix", None), getattr(record, "otype", None), getattr(record, "kind", None)):
        if extra:
            title.append(f" {extra}", style="dim")
    return title


# fields of LaminDB 2.x's registries (Record, Project, Reference) shown after the description
_DETAIL_FIELDS = ("is_type", "abbr", "url", "doi", "pubmed_id", "date", "start_date", "end_date", "reference", "reference_type")


def _shown(value: Any) -> Any:
    """A related record by its name (``type``: the record type), other values as they are."""
    if hasattr(value, "_meta"):
        return getattr(value, "name", None) or getattr(value, "uid", value)
    return value


def _general_rows(record: Any) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [("uid", record.uid)]
    for name in ("name", "key", "description", "handle", "root", "type", "status", "version"):
        if hasattr(record, name) and not (name == "name" and type(record).__name__ == "User"):
            rows.append((name, _shown(getattr(record, name))))
    for name in _DETAIL_FIELDS:
        value = getattr(record, name, None)
        if value is not None and value is not False:
            rows.append((name, value))
    if hasattr(record, "size"):
        rows.append(("size", human_size(record.size) if record.size is not None else None))
    for name in ("hash", "n_files", "n_observations"):
        if hasattr(record, name):
            rows.append((name, getattr(record, name)))
    if hasattr(record, "is_latest"):
        rows.append(("is_latest", record.is_latest))
    return rows


def _provenance_rows(record: Any) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    if type(record).__name__ == "Artifact" and not record._state.adding:
        rows.append(("path", record.path))
    if hasattr(record, "storage_id") and record.storage_id:
        rows.append(("storage", record.storage.root))
    if getattr(record, "branch_id", 1) != 1:  # records on main show no branch
        rows.append(("branch", record.branch.name))
    if getattr(record, "space_id", 1) != 1:  # records in the space "all" show no space
        rows.append(("space", record.space.name))
    if getattr(record, "created_by_id", None):
        rows.append(("created_by", record.created_by.handle))
    if getattr(record, "created_at", None):
        rows.append(("created_at", f"{record.created_at:%Y-%m-%d %H:%M:%S}"))
    if getattr(record, "run_id", None):
        run = record.run
        transform = run.transform
        rows.append(("transform", f"{transform.key} ({transform.type}, uid {transform.uid})"))
        rows.append(("run", f"{run.uid} started {run.started_at:%Y-%m-%d %H:%M:%S}"))
    return rows


def _names(records: Any) -> str | None:
    names = [r.key or r.uid for r in records]
    return ", ".join(names) if names else None


def _run_rows(record: Any) -> list[tuple[str, Any]]:
    if type(record).__name__ != "Run":
        return []
    transform = record.transform
    finished = f"{record.finished_at:%Y-%m-%d %H:%M:%S}" if record.finished_at else None
    return [
        ("transform", f"{transform.key} ({transform.type}, uid {transform.uid})"),
        ("params", record.params),
        ("cli_args", record.cli_args),
        ("started_at", f"{record.started_at:%Y-%m-%d %H:%M:%S}"),
        ("finished_at", finished),
        ("initiated_by_run", record.initiated_by_run.uid if record.initiated_by_run_id else None),
        ("inputs", _names(record.input_artifacts.all())),
        ("outputs", _names(record.output_artifacts.all())),
        ("report", record.report.uid if record.report_id else None),
        ("environment", record.environment.uid if record.environment_id else None),
    ]


def _transform_rows(record: Any) -> list[tuple[str, Any]]:
    if type(record).__name__ != "Transform":
        return []
    return [("reference", record.reference), ("runs", record.runs.count())]


def _feature_branches(record: Any, tree: Tree) -> None:
    """Dataset features (per slot), linked features (values) and labels of an artifact."""
    from rich.text import Text

    if type(record).__name__ != "Artifact" or record._state.adding:
        return
    labels = _labels(record)
    labels_by_feature: dict[str, list[str]] = {}
    for by_feature in labels.values():
        for feature, names in by_feature.items():
            if feature:
                labels_by_feature.setdefault(feature, []).extend(names)
    in_slots: set[str] = set()
    slots = record.features.slots
    if slots:
        branch = tree.add(Text("Dataset features", style="bold"))
        for slot, schema in sorted(slots.items()):
            features = list(schema.ordered_features)
            node = branch.add(Text(f"{slot or 'columns'} • {len(features) or schema.n} [{schema.itype or 'Feature'}]"))
            for feature in features:
                in_slots.add(feature.name)
                values = ", ".join(sorted(set(labels_by_feature.get(feature.name, []))))
                node.add(Text(f"{feature.name}  {feature.dtype}" + (f"  {values}" if values else "")))
    linked = {k: v for k, v in record.features.get_values().items() if k not in in_slots}
    if linked:
        branch = tree.add(Text("Linked features", style="bold"))
        dtypes = dict(_feature_model(record)._plain.filter(name__in=list(linked)).values_list("name", "dtype"))
        for name, value in sorted(linked.items()):
            branch.add(Text(f"{name}  {dtypes.get(name, '')}  {value}"))
    if labels:
        branch = tree.add(Text("Labels", style="bold"))
        for (accessor, registry), by_feature in labels.items():
            names = sorted({name for feature_names in by_feature.values() for name in feature_names})
            node = branch.add(Text(f".{accessor}  {registry}  {', '.join(names)}"))
            for feature, feature_names in sorted(by_feature.items()):
                if feature:
                    node.add(Text(f"{feature}: {', '.join(sorted(set(feature_names)))}"))


def _record_branches(record: Any, tree: Tree) -> None:
    """Feature values and linked artifacts of a flexible record (``ln.Record``)."""
    from rich.text import Text

    if type(record).__name__ != "Record" or not hasattr(record, "is_type") or record._state.adding:
        return
    values = record.features.get_values()
    if values:
        branch = tree.add(Text("Features", style="bold"))
        for name, value in sorted(values.items()):
            branch.add(Text(f"{name}  {value}"))
    artifacts = [a.key or a.uid for a in record.artifacts.all()[:20]]
    if artifacts:
        tree.add(Text("Artifacts", style="bold")).add(Text(", ".join(artifacts)))


def _labels(record: Any) -> dict[tuple[str, str], dict[str, list[str]]]:
    """(accessor, registry) → feature name ("" without one) → label names; one query."""
    labels: dict[tuple[str, str], dict[str, list[str]]] = {}
    for _, feature, name, link in label_rows(type(record), [record.pk]):
        labels.setdefault((link.accessor, link.registry), {}).setdefault(feature or "", []).append(str(name))
    return labels


def describe_tree(record: Any) -> Tree:
    """The tree printed by ``describe()``; other packages may add branches via ``extra_branches``."""
    from rich.text import Text
    from rich.tree import Tree

    tree = Tree(_title(record))
    general = tree.add(Text("General", style="bold"))
    rows = _general_rows(record) + _run_rows(record) + _transform_rows(record) + _provenance_rows(record)
    for label, value in rows:
        _row(general, label, value)
    _feature_branches(record, tree)
    _record_branches(record, tree)
    for branch in extra_branches:
        branch(record, tree)
    return tree


# hooks: callables (record, tree) that add branches (features, labels, ...)
extra_branches: list[Any] = []


def _feature_model(record: Any) -> Any:
    """The ``Feature`` registry, reached through the record's feature values (its module
    derives from the record base, which imports this one)."""
    return type(record)._meta.get_field("feature_values").related_model._meta.get_field("feature").related_model
