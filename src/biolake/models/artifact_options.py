"""LaminDB 2.x arguments of ``ln.Artifact(data, ...)``: ``features``, ``schema``, ``run``, ``storage``.

- ``features={...}``: feature values set on the artifact when it is saved (``set_values``);
  they are validated (against ``schema=`` if given) before any byte is written.
- ``run=``: the run that made the artifact (default: the tracked run); ``run=False``: none.
- ``storage=``: a registered storage location (a ``Storage`` or its root) to save the bytes
  to instead of the default one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from biolake.errors import ArgumentTypeError, InvalidArgument
from biolake.models.features import validate_values
from biolake.models.run import Run
from biolake.models.storage import Storage

__all__ = ["Options", "after_save", "apply", "before_save", "check"]

@dataclass
class Options:
    features: dict[str, Any] | None = None
    schema: Any = None
    run: Any = None
    storage: Any = None


def check(features: dict[str, Any] | None, schema: Any, run: Any, storage: Any) -> Options:
    """The options of a constructor call, checked (a storage root becomes its record)."""
    if features is not None and not isinstance(features, dict):
        raise ArgumentTypeError(f"Artifact(features=...) takes a dict of feature names and values, "
                                f"not {type(features).__name__}.")
    if schema is not None and features is None:
        raise InvalidArgument("Artifact(schema=...) validates features=: pass both, e.g. "
                              "ln.Artifact(path, key=..., features={'temperature': 21.5}, schema=schema).")
    if run is not None and run is not False and not isinstance(run, Run):
        raise ArgumentTypeError(f"Artifact(run=...) takes a Run or False, not {type(run).__name__}.")
    return Options(features, schema, run, None if storage is None else _storage(storage))


def _storage(value: Any) -> Any:
    if isinstance(value, Storage):
        if value._state.adding:
            raise InvalidArgument("Artifact(storage=...): save the storage location first (ln.Storage(root=...).save()).")
        return value
    if not isinstance(value, str):
        raise ArgumentTypeError(f"Artifact(storage=...) takes a Storage or its root, not {type(value).__name__}.")
    found = Storage.filter(root=value.rstrip("/")).first()
    if found is None:
        raise InvalidArgument(f"Artifact(storage={value!r}): no such storage location; register it with "
                              f"ln.Storage(root={value!r}).save() (ln.Storage.to_dataframe() lists them).")
    return found


def apply(artifact: Any, options: Options) -> None:
    """Set what the options decide at construction: the run, the target storage."""
    if options.run is not None:
        artifact.run = options.run or None  # False: made outside any run
    if options.storage is not None:
        artifact._target_storage = options.storage
        if artifact._pending is None:  # registered bytes: the record names their storage
            artifact.storage = options.storage
    if options.features is not None:
        artifact._init_features = (options.features, options.schema)


def before_save(artifact: Any) -> Any:
    """Validate the features given at construction (before any byte is written); the pair to
    pass to :func:`after_save`, or ``None``."""
    pending = artifact.__dict__.get("_init_features")
    if pending is not None and artifact._state.adding:
        validate_values(*pending)
    return pending


def after_save(artifact: Any, pending: Any) -> None:
    """The artifact is saved: set its feature values."""
    if pending is not None:
        artifact._init_features = None
        artifact.features.set_values(pending[0])
