"""``ln.track(project=..., space=..., branch=...)``: the project, space and branch of the records a run creates."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from biolake import _process
from biolake.errors import TrackingError
from biolake.models import Branch, Project, Space
from biolake.models.branch import BUILT_IN
from biolake.models.constants import MAIN_BRANCH

__all__ = ["clear", "resolve", "resolve_both", "resolve_branch", "restore_branch", "start", "start_branch"]


def resolve(registry: type[Any], value: Any) -> Any:
    """The saved ``registry`` record given as a record, a name or a uid (``None`` stays ``None``)."""
    name = registry.__name__
    if value is None or isinstance(value, registry):
        if value is not None and value._state.adding:
            raise TrackingError(f"ln.track({name.lower()}=...): save the {name} first ({name}(...).save()).")
        return value
    if not isinstance(value, str):
        raise TrackingError(f"ln.track({name.lower()}=...) takes a {name}, or its name or uid; got {type(value).__name__}.")
    found = registry.filter(Q(name=value) | Q(uid=value)).first()
    if found is None:
        raise TrackingError(
            f"{name} {value!r} not found: create it with ln.{name}(name={value!r}).save(), "
            f"or pass the name or uid of an existing one (ln.{name}.to_dataframe() lists them)."
        )
    return found


def start(transform: Any, project: Any, space: Any) -> None:
    """Label the run's transform with ``project``; records created from now on get both."""
    _process.run_project.set_process(project)
    _process.run_space.set_process(space)
    if project is not None:
        transform.projects.add(project)


def clear() -> None:
    """The run ended: new records are no longer labelled."""
    _process.run_project.set_process(None)
    _process.run_space.set_process(None)


def resolve_both(project: Any, space: Any) -> tuple[Any, Any]:
    """``(project, space)`` of ``ln.track()``, checked before anything is created."""
    return resolve(Project, project), resolve(Space, space)


def resolve_branch(value: Any) -> Any:
    """The branch of ``ln.track(branch=...)``: a Branch, or its name or uid (``None``: stay)."""
    branch = resolve(Branch, value)
    if branch is not None and branch.pk in BUILT_IN and branch.pk != MAIN_BRANCH:
        raise TrackingError(f"ln.track(branch={branch.name!r}): records there are hidden; "
                            "pass a branch to work on (ln.Branch(name='my_branch').save() creates one).")
    return branch


def start_branch(branch: Any) -> None:
    """Records created from now on, the run's own included, land on ``branch`` (this process
    only; the instance's current branch, ``biolake switch``, is left as it is)."""
    instance = _process.instance.get()
    if branch is None or instance is None:
        return
    if _process.branch_before_run.get() is None:
        _process.branch_before_run.set_process((instance.branch, instance.branch_id))
    instance.branch, instance.branch_id = branch.name, branch.pk


def restore_branch() -> None:
    """The run ended: back to the branch that was current before ``ln.track(branch=...)``."""
    before, instance = _process.branch_before_run.get(), _process.instance.get()
    if before is not None and instance is not None:
        instance.branch, instance.branch_id = before
    _process.branch_before_run.set_process(None)
