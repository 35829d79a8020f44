"""The link tables that join a record (artifact, collection) to its labels: declared and found.

A label is a record of any registry linked with its feature: a ``ULabel`` through core's
``ArtifactULabel``, a ``bio.CellType`` through the bio app's ``ArtifactCellType``, and so on.
A link table is a many-to-many ``through`` model with a ``feature`` column; finding them
through Django's relations lets core code reach a schema module's links without importing it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import models
from django.db.models import IntegerField, Value

from biolake.errors import ValidationError
from biolake.models.registries import registry_name


@dataclasses.dataclass(frozen=True)
class LabelLink:
    """One link table between an owner registry and a label registry.

    ``ArtifactCellType``: ``owner="artifact"``, ``column="celltype"``, ``accessor="cell_types"``
    (``artifact.cell_types``), ``query_name="links_celltype"`` (owner → link rows in lookups),
    ``label_query_name="links_artifact"`` (label → link rows).
    """

    through: Any
    model: Any
    owner: str
    column: str
    accessor: str
    query_name: str
    label_query_name: str

    @property
    def name_field(self) -> str:
        """The field that names a label of this registry (``name``; ``symbol`` for genes)."""
        return str(self.model._name_field)

    @property
    def registry(self) -> str:
        """``ULabel``, ``bio.CellType``."""
        return registry_name(self.model)


def label_link_model(owner: str, label: str, module: str) -> type[models.Model]:
    """Declare the link table ``<owner><Label>`` of a schema module: owner, label, feature (nullable).

    ``label_link_model("Artifact", "bio.CellType", "biolake.bio.links")`` is ``ArtifactCellType``
    with columns ``artifact``, ``celltype``, ``feature`` and ``created_at``, in app ``bio``.
    """
    app, _, entity = label.partition(".")
    owner_column, column = owner.lower(), entity.lower()

    class Meta:
        app_label = app
        constraints = [
            models.UniqueConstraint(
                fields=[owner_column, column, "feature"], name=f"unique_{owner_column}_{column}_feature"
            )
        ]

    attrs = {
        "__module__": module,
        "__doc__": f"A {entity} record of a {owner_column}, optionally for a feature.",
        owner_column: models.ForeignKey(f"biolake.{owner}", models.CASCADE, related_name=f"links_{column}"),
        column: models.ForeignKey(label, models.PROTECT, related_name=f"links_{owner_column}"),
        "feature": models.ForeignKey(
            "biolake.Feature", models.PROTECT, null=True, blank=True, related_name=f"links_{owner_column}{column}"
        ),
        "created_at": models.DateTimeField(auto_now_add=True),
        "Meta": Meta,
    }
    return type(f"{owner}{entity}", (models.Model,), attrs)


def _foreign_key(through: Any, model: Any) -> Any:
    return next(
        f for f in through._meta.get_fields() if f.many_to_one and f.related_model is model and f.name != "feature"
    )


def label_links(owner_model: Any) -> list[LabelLink]:
    """Every label link table of ``owner_model`` (``ULabel`` first, then the schema modules')."""
    links = []
    for field in owner_model._meta.get_fields():
        if not field.many_to_many:
            continue
        through = field.remote_field.through if field.concrete else field.through
        names = {f.name for f in through._meta.get_fields()}
        if "feature" not in names:
            continue
        owner_fk, label_fk = _foreign_key(through, owner_model), _foreign_key(through, field.related_model)
        accessor = field.name if field.concrete else field.get_accessor_name()
        if accessor in getattr(owner_model, "_not_label_accessors", ()):
            continue
        links.append(LabelLink(
            through=through, model=field.related_model, owner=owner_fk.name, column=label_fk.name, accessor=accessor,
            query_name=owner_fk.related_query_name(), label_query_name=label_fk.related_query_name(),
        ))
    return links


def label_link(owner_model: Any, label_model: Any) -> LabelLink:
    """The link table between ``owner_model`` and ``label_model``; a clear error if there is none."""
    for link in label_links(owner_model):
        if link.model is label_model:
            return link
    raise ValidationError(
        f"{owner_model.__name__} records cannot be linked to {registry_name(label_model)} records"
        + (": they have no labels." if not label_links(owner_model) else ".")
    )


def label_rows(owner_model: Any, ids: list[Any], feature_only: bool = False) -> list[tuple[Any, str | None, Any, LabelLink]]:
    """(owner id, feature name, label name, link) of the owners' labels in every registry: one query.

    The link tables are read in one ``UNION ALL``, so the number of queries does not grow with
    the number of label registries; rows come per link table, in link order.
    """
    links = label_links(owner_model)
    queries = []
    for i, link in enumerate(links):
        rows = link.through._default_manager.filter(**{f"{link.owner}_id__in": ids})
        if feature_only:
            rows = rows.filter(feature__isnull=False)
        queries.append(rows.annotate(_link=Value(i, output_field=IntegerField())).values_list(
            "_link", "id", f"{link.owner}_id", "feature__name", f"{link.column}__{link.name_field}"
        ))
    if not queries:
        return []
    union = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    return [(owner, feature, name, links[i]) for i, _, owner, feature, name in sorted(union, key=lambda r: r[:2])]

