"""Abstract registries that add behaviour to records: lineage graphs and value validation.

``HasLineage`` hands off to :mod:`biolake.models.lineage_render`, ``CanValidate`` to
:mod:`biolake.models.validation`: plain imports, pointing down.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from biolake.models import hierarchy, validation
from biolake.models.record_list import RecordList


class HasLineage(models.Model):
    """Records that take part in lineage graphs (artifacts, collections, runs, transforms).

    An abstract model rather than a plain mixin, so migrations don't name it as a base.
    """

    class Meta:
        abstract = True

    def view_lineage(self, downstream: bool = False, depth: int | None = None, format: str | None = None) -> Any:
        """Show the lineage graph upstream (or ``downstream=True``) of this record and return it.

        In Jupyter the graph is drawn inline (SVG); elsewhere its Mermaid text is printed.
        """
        from biolake.models import lineage_render  # rendering (xml, hashing): loaded when used

        return lineage_render.view_lineage(self, downstream=downstream, depth=depth, format=format)


class HasParents(models.Model):
    """Records ordered in a hierarchy through a ``parents`` field (``children`` its reverse).

    Example:
        >>> label.view_parents(with_children=True)  # doctest: +SKIP
        >>> label.query_parents().df()  # doctest: +SKIP
    """

    class Meta:
        abstract = True

    def view_parents(
        self, field: Any = None, with_children: bool = False, distance: int = 5, format: str = "mermaid"
    ) -> str:
        """Print (and return) the parents up to ``distance`` steps as ``mermaid``, ``dot`` or ``svg`` text.

        Args:
            field: the field shown on each node (default: the name field).
            with_children: also show the children.
            distance: how many steps to follow.
            format: ``"mermaid"``, ``"dot"`` or ``"svg"``.
        """
        return hierarchy.view_parents(self, field=field, with_children=with_children, distance=distance, format=format)

    def query_parents(self) -> Any:
        """All ancestors (parents, their parents, ...) as a queryset."""
        return hierarchy.relatives(self, "parents")

    def query_children(self) -> Any:
        """All descendants (children, their children, ...) as a queryset."""
        return hierarchy.relatives(self, "children")


class CanValidate(models.Model):
    """Registries whose values can be validated and standardized (a name-like field).

    Each call runs one query, however many values are passed.
    """

    class Meta:
        abstract = True

    @classmethod
    def validate(cls, values: Any, field: Any = None, **kwargs: Any) -> Any:
        """A boolean array: which ``values`` exist in ``field`` (default: the name field)."""
        return validation.validate(cls, values, field=field, **kwargs)

    @classmethod
    def inspect(cls, values: Any, field: Any = None, **kwargs: Any) -> validation.InspectResult:
        """Which values are validated, which not, and which are synonyms (printed as a summary)."""
        return validation.inspect(cls, values, field=field, **kwargs)

    @classmethod
    def standardize(cls, values: Any, field: Any = None, **kwargs: Any) -> Any:
        """Values mapped to their canonical names through synonyms and case; others kept."""
        return validation.standardize(cls, values, field=field, **kwargs)

    @classmethod
    def from_values(cls, values: Any, field: Any = None, **kwargs: Any) -> RecordList:
        """The records for the validated values, as a list with ``save()`` and ``df()``.

        Example:
            >>> ln.ULabel.from_values(["DMSO", "IFNG"]).df()  # doctest: +SKIP
        """
        return validation.from_values(cls, values, field=field, **kwargs)
