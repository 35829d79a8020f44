"""``@ln.tracked()``: each call of a function is a Run of a ``function`` Transform."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import inspect
import json
import textwrap
from typing import Any, Callable, Literal, TypeVar

from django.utils import timezone

from biolake import _process
from biolake.errors import InvalidArgument, TrackingError
from biolake.lineage import source
from biolake.lineage.transforms import transform_for_source
from biolake.models import Run
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

    The run is the current run of the calling context only (a context variable set for
    the call and reset after it), so two threads or two asyncio tasks calling tracked
    functions at once each record their own run. ``async def`` functions are supported;
    their database calls run in a worker thread (Django's ORM is synchronous), as the
    function's own should (``await asyncio.to_thread(artifact.save)``).

    Example:
        >>> @ln.tracked()  # doctest: +SKIP
        ... def normalize(key: str, factor: float = 1.0): ...
    """
    return _decorate(_Options())


GlobalRun = Literal["memorize", "clear", "none"]


def flow(uid: str | None = None, global_run: GlobalRun = "clear", track_arg_aliases: bool = True) -> Callable[[F], F]:
    """LaminDB 2.x: track each call of a function as a workflow run (``@ln.tracked()`` with options).

    Args:
        uid: accepted for compatibility; the transform is identified by ``<module>.<qualname>``.
        global_run: ``"clear"`` (default): the run is ``ln.context.run`` during the call;
            ``"memorize"``: it stays ``ln.context.run`` after the call; ``"none"``: as
            ``"clear"`` (the run is always local to the calling thread or task).
        track_arg_aliases: an argument named ``initiated_by_run`` holding a Run becomes the
            run's parent.

    Example:
        >>> @ln.flow()  # doctest: +SKIP
        ... def ingest(key: str) -> None: ...
    """
    if global_run not in ("memorize", "clear", "none"):
        raise InvalidArgument(f"global_run must be 'memorize', 'clear' or 'none', not {global_run!r}.")
    return _decorate(_Options(memorize=global_run == "memorize", arg_aliases=track_arg_aliases))


def step(uid: str | None = None) -> Callable[[F], F]:
    """LaminDB 2.x: track each call of a function as a step of a workflow.

    Like :func:`flow`, but a call needs an initiating run (``ln.track()``, or an enclosing
    ``@ln.flow()`` function); without one it raises :class:`~biolake.errors.TrackingError`.

    Example:
        >>> @ln.step()  # doctest: +SKIP
        ... def normalize(df): ...
    """
    return _decorate(_Options(needs_parent=True))


@dataclasses.dataclass(frozen=True)
class _Options:
    memorize: bool = False  # keep the run as the context's run after the call
    needs_parent: bool = False  # refuse calls without an initiating run (``@ln.step()``)
    arg_aliases: bool = False  # ``initiated_by_run=`` argument → parent run


def _decorate(options: _Options) -> Callable[[F], F]:
    def decorator(func: F) -> F:
        call = _TrackedCall(func, options)
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                return await call.run_async(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return call.run(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


class _TrackedCall:
    """What a tracked function's calls share: its transform's key, source and description."""

    def __init__(self, func: Callable[..., Any], options: _Options) -> None:
        self.func = func
        self.options = options
        self.signature = inspect.signature(func)
        self.key = f"{func.__module__}.{func.__qualname__}"
        self.code = _function_source(func)
        self.digest = hash_bytes(self.code.encode())
        doc = (func.__doc__ or "").strip()
        self.description = doc.splitlines()[0] if doc else None

    def start(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Run:
        """Create and save the run of one call, initiated by the run of the calling context."""
        transform = transform_for_source(
            key=self.key, type="function", source_code=self.code, source_hash=self.digest, description=self.description
        )
        parent = self._parent(args, kwargs)
        params = _params(self.signature, args, kwargs)
        return Run(transform=transform, params=params, initiated_by_run=parent).save()

    def _parent(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        parent = _process.run.get()
        if self.options.arg_aliases and "initiated_by_run" in self.signature.parameters:
            given = self.signature.bind_partial(*args, **kwargs).arguments.get("initiated_by_run")
            parent = given if isinstance(given, Run) else parent
        if parent is None and self.options.needs_parent:
            raise TrackingError(
                f"@ln.step() function {self.key!r} was called without an initiating run; call ln.track() "
                "first or call it from an @ln.flow() function."
            )
        return parent

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Call the function as a run."""
        run = self.start(args, kwargs)
        token = _process.run.set(run)
        try:
            result = self.func(*args, **kwargs)
        except BaseException:
            _end(run, "errored")
            raise
        finally:
            _process.run.reset(token)
            if self.options.memorize:
                _process.run.set(run)
        _end(run, "completed")
        return result

    async def run_async(self, *args: Any, **kwargs: Any) -> Any:
        """Await the coroutine function as a run (database calls in a worker thread)."""
        run = await asyncio.to_thread(self.start, args, kwargs)
        token = _process.run.set(run)
        try:
            result = await self.func(*args, **kwargs)
        except BaseException:
            await asyncio.to_thread(_end, run, "errored")
            raise
        finally:
            _process.run.reset(token)
            if self.options.memorize:
                _process.run.set(run)
        await asyncio.to_thread(_end, run, "completed")
        return result


def _end(run: Run, status: str) -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.save()
