"""``ln.track(project=..., space=...)``: the project and space of the records a run creates."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from biolake import _process
from biolake.errors import TrackingError
from biolake.models import Project, Space

__all__ = ["clear", "resolve", "resolve_both", "start"]


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
