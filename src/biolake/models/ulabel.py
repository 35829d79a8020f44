"""ULabel registry: free-form labels, grouped by label types and ordered in a hierarchy."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from biolake import _logging as log
from biolake import _process

from biolake.models.extensions import CanValidate, HasParents
from biolake.models.base import MAIN_BRANCH, TracksCreator
from biolake.models.space import InSpace


class ULabel(TracksCreator, InSpace, CanValidate, HasParents):  # type: ignore[misc]  # each abstract base declares its own Meta; Django merges them, mypy cannot
    """A label: a perturbation, an experiment, a donor, ...

    A label with ``is_type=True`` is a label type that groups others (``type=``).

    Example:
        >>> perturbation = ln.ULabel(name="Perturbation", is_type=True).save()  # doctest: +SKIP
        >>> ln.ULabel(name="DMSO", type=perturbation).save()  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 8
    _name_field: ClassVar[str] = "name"
    _search_fields: ClassVar[tuple[str, ...]] = ("name", "description", "synonyms")
    _repr_fields: ClassVar[tuple[str, ...]] = ("uid", "name", "description", "is_type", "type_id", "created_at")

    uid = models.CharField(max_length=8, unique=True, editable=False)
    name = models.CharField(max_length=150, db_index=True)
    description = models.TextField(null=True, blank=True)
    is_type = models.BooleanField(default=False)
    type = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="instances")
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)
    synonyms = models.TextField(null=True, blank=True)  # "|"-separated
    branch_id = models.SmallIntegerField(default=MAIN_BRANCH)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "type"], name="unique_ulabel_name_per_type"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(type__isnull=True), name="unique_ulabel_name_without_type"
            ),
        ]

    def add_synonym(self, synonym: str) -> ULabel:
        """Add a synonym (saved with the next ``save()``)."""
        current = [s for s in (self.synonyms or "").split("|") if s]
        if synonym not in current:
            self.synonyms = "|".join([*current, synonym])
        return self

    def save(self, *args: Any, **kwargs: Any) -> ULabel:  # type: ignore[override]
        """Save; if a label with this name (and type) exists, this becomes that record
        (unless ``ln.settings.creation.search_names`` is off)."""
        if self._state.adding and _process.search_names.get():
            existing = ULabel.objects.filter(name=self.name, type_id=self.type_id).first()
            if existing is not None:
                log.info(f"returning existing ULabel with the same name: {existing.name!r} (uid {existing.uid})")
                self._become(existing)
                return self
        super().save(*args, **kwargs)
        return self
