"""Switching the current branch and merging a branch: the actions behind ``ln.setup.switch`` / ``merge``.

Registered in :data:`biolake._process.branch_actions` by ``biolake.models`` (``setup``, below
the registries, cannot import the ``Branch`` registry itself).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from biolake import _logging as log
from biolake.errors import DoesNotExist, InvalidArgument
from biolake.models import registries
from biolake.models.branch import BUILT_IN, Branch
from biolake.models.constants import MAIN_BRANCH
from biolake.models.current import current_branch_id
from biolake.setup import django_boot
from biolake.setup.branching import set_current_branch


def find_branch(name: str) -> Branch:
    """The branch named ``name`` (ignoring case); the error lists the existing branches."""
    branch = Branch._plain.filter(name__iexact=name).first()
    if branch is None:
        known = ", ".join(Branch._plain.order_by("id").values_list("name", flat=True))
        raise DoesNotExist(
            f"No branch named {name!r} (branches: {known}). Create it with `biolake switch -c {name}` "
            f"or ln.setup.switch({name!r}, create=True)."
        )
    return branch


def switch(name: str, create: bool = False) -> Branch:
    """Make branch ``name`` current (created first with ``create=True``); returns it."""
    if create:
        branch = Branch(name=name).save()
        log.success(f"created branch {branch.name!r}")
    else:
        branch = find_branch(name)
    if branch.pk in BUILT_IN and branch.pk != MAIN_BRANCH:
        raise InvalidArgument(f"Cannot switch to {branch.name!r}: records there are hidden, not worked on.")
    set_current_branch(branch.name, branch.pk)
    log.success(f"switched to branch {branch.name!r}")
    return branch


def _registries_with_branch() -> list[Any]:
    """The registries of the active instance's apps whose records are on branches (every schema
    module's: each database has their tables, records may be there without ``--modules``)."""
    installed = {config.label for config in django_boot.every_app()}
    return [m for m in registries.all_registries() if m._meta.app_label in installed and m._has_branch()]


def merge(name: str) -> int:
    """Move every record of branch ``name`` onto the current branch; returns how many moved."""
    source = find_branch(name)
    target = current_branch_id()
    if source.pk in BUILT_IN:
        raise InvalidArgument(f"{source.name!r} is a built-in branch: only contribution branches are merged.")
    if source.pk == target:
        raise InvalidArgument(f"Branch {source.name!r} is the current branch: switch to the branch to merge into first, e.g. `biolake switch main`.")
    moved = 0
    try:
        with transaction.atomic():
            for model in _registries_with_branch():
                moved += model._plain.filter(branch_id=source.pk).update(branch_id=target)
    except IntegrityError as error:
        raise InvalidArgument(
            f"Cannot merge branch {source.name!r}: its records clash with records of the current branch "
            f"(e.g. the latest versions of the same key); nothing was moved. Details: {error}"
        ) from error
    target_name = Branch._plain.get(pk=target).name
    log.success(f"merged branch {source.name!r} into {target_name!r} ({moved} record(s))")
    return moved
