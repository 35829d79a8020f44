"""``@ln.tracked()``: each call of a function is a Run of a ``function`` Transform."""

from __future__ import annotations

import functools
import inspect
import json
import textwrap
from typing import Any, Callable, TypeVar

from django.utils import timezone

from biolake.lineage import source
from biolake.lineage.transforms import transform_for_source
from biolake.models import Run, run_context
from biolake.storage.hashing import hash_bytes

F = TypeVar("F", bound=Callable[..., Any])


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def _params(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    bound = signature.bind_partial(*args, **kwargs)
    bound.apply_defaults()
    return {name: _jsonable(value) for name, value in bound.arguments.items()}


def _function_source(func: Callable[..., Any]) -> str:
    try:
        return source.redact_secrets(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError):  # defined interactively
        return f"# source of {func.__qualname__} is not available\n"


def tracked() -> Callable[[F], F]:
    """Decorate a function so that each call is recorded as a Run.

    The run's transform has ``type="function"`` and key ``<module>.<qualname>``; its params
    are the bound arguments; it is initiated by the enclosing run, if any. Artifacts loaded
    inside are its inputs, artifacts saved inside its outputs. An exception marks the run
    ``errored`` and propagates.

    Example:
        >>> @ln.tracked()  # doctest: +SKIP
        ... def normalize(key: str, factor: float = 1.0): ...
    """

    def decorator(func: F) -> F:
        signature = inspect.signature(func)
        key = f"{func.__module__}.{func.__qualname__}"
        code = _function_source(func)
        digest = hash_bytes(code.encode())
        doc = (func.__doc__ or "").strip()
        description = doc.splitlines()[0] if doc else None

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            transform = transform_for_source(
                key=key, type="function", source_code=code, source_hash=digest, description=description
            )
            parent = run_context.current_run
            run = Run(transform=transform, params=_params(signature, args, kwargs), initiated_by_run=parent).save()
            run_context.current_run = run
            try:
                result = func(*args, **kwargs)
            except BaseException:
                _end(run, "errored")
                raise
            finally:
                run_context.current_run = parent
            _end(run, "completed")
            return result

        return wrapper  # type: ignore[return-value]

    return decorator


def _end(run: Any, status: str) -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.save()
