"""Reference registry: publications, preprints and other citable sources of artifacts and records."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.db import models

from biolake.errors import ValidationError
from biolake.models.base import MAIN_BRANCH, TracksCreator
from biolake.models.extensions import CanValidate
from biolake.models.space import InSpace


class Reference(TracksCreator, InSpace, CanValidate):  # type: ignore[misc]  # each abstract base declares its own Meta; Django merges them, mypy cannot
    """A reference: a publication, preprint, internal document or web page, linked to artifacts and records.

    Example:
        >>> reference = ln.Reference(name="A cell atlas of the human lung", doi="10.1038/s41586-020-2922-4").save()  # doctest: +SKIP
        >>> artifact.references.add(reference)  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 12
    _name_field: ClassVar[str] = "name"
    _search_fields: ClassVar[tuple[str, ...]] = ("name", "abbr", "description", "text")
    _repr_fields: ClassVar[tuple[str, ...]] = ("uid", "name", "abbr", "url", "pubmed_id", "doi", "date", "created_at")

    uid = models.CharField(max_length=12, unique=True, editable=False)
    name = models.CharField(max_length=255, db_index=True)
    description = models.TextField(null=True, blank=True)
    is_type = models.BooleanField(default=False, db_index=True)
    type = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="references")
    abbr = models.CharField(max_length=32, null=True, blank=True, db_index=True)
    url = models.URLField(null=True, blank=True)
    pubmed_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    doi = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    text = models.TextField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    branch_id = models.SmallIntegerField(default=MAIN_BRANCH)
    created_at = models.DateTimeField(auto_now_add=True, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, editable=False)
    artifacts = models.ManyToManyField("biolake.Artifact", through="biolake.ArtifactReference", related_name="references")
    records = models.ManyToManyField("biolake.Record", through="biolake.RecordReference", related_name="references")

    def save(self, *args: Any, **kwargs: Any) -> Reference:  # type: ignore[override]
        """Write the reference; a DOI is checked for its form (``10.<prefix>/<suffix>``)."""
        if self.doi and not _DOI.match(self.doi):
            raise ValidationError(f"{self.doi!r} is not a DOI: expected the form '10.<prefix>/<suffix>', e.g. '10.1038/s41586-020-2922-4'.")
        super().save(*args, **kwargs)
        return self


_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
