"""Branch registry: every record is on a branch: ``main``, ``trash``, ``archive`` or a contribution branch."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models.functions import Lower

from biolake import _logging as log
from biolake.errors import InvalidArgument
from biolake.models.base import Record
from biolake.models.constants import ARCHIVE_BRANCH, MAIN_BRANCH, TRASH_BRANCH
from biolake.models.current import current_branch_id

BUILT_IN = {MAIN_BRANCH: "main", TRASH_BRANCH: "trash", ARCHIVE_BRANCH: "archive"}


class Branch(Record):
    """A branch: records created while it is current are on it, until it is merged into ``main``.

    Queries show the records of ``main`` and of the current branch. The built-in branches:
    ``main`` (id 1, the default), ``trash`` (id -1: ``.delete()`` moves records there) and
    ``archive`` (id 0: hidden from queries, kept).

    Example:
        >>> ln.setup.switch("my_branch", create=True)  # or: biolake switch -c my_branch  # doctest: +SKIP
        >>> ln.ULabel(name="draft").save()  # on my_branch  # doctest: +SKIP
        >>> ln.setup.switch("main"); ln.setup.merge("my_branch")  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 12
    _seeded_pks: ClassVar[tuple[int, ...]] = tuple(BUILT_IN)  # rows the migration writes (snapshots skip them)
    _repr_fields: ClassVar[tuple[str, ...]] = ("uid", "name", "description", "created_at")

    uid = models.CharField(max_length=12, unique=True, editable=False)
    name = models.CharField(max_length=100, db_index=True)
    description = models.TextField(null=True, blank=True)
    created_by = models.ForeignKey("biolake.User", models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("name"), name="unique_branch_name_lower")]

    def save(self, *args: Any, **kwargs: Any) -> Branch:  # type: ignore[override]
        """Write the branch; a name used by another branch (ignoring case) is refused."""
        if self._state.adding and Branch._plain.filter(name__iexact=self.name).exists():
            raise InvalidArgument(f"A branch named {self.name!r} exists already; switch to it with `biolake switch {self.name}`.")
        super().save(*args, **kwargs)
        return self

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Delete a contribution branch; refused for ``main``, ``trash`` and ``archive``."""
        if self.pk in BUILT_IN:
            raise InvalidArgument(f"The built-in branch {self.name!r} cannot be deleted.")
        if self.pk == current_branch_id():
            raise InvalidArgument(f"Branch {self.name!r} is the current branch: `biolake switch main` before deleting it.")
        result = super().delete(*args, **kwargs)
        log.info(f"deleted branch {self.name!r}")
        return result
