"""Everything this process remembers, in one place: the active instance, the current run, caches.

Each item is a :class:`StateVar`: a :class:`contextvars.ContextVar` with a process-wide
fallback. ``set_process()`` sets the value for the whole process (``ln.connect()``,
``ln.track()``); ``set()`` sets it for the current context only and returns a token
that ``reset()`` takes, so a decorator can override and restore it (as
``decimal.localcontext`` does). Two threads or two asyncio tasks that each ``set()`` see
their own value; code that never overrides sees the process value.

The fallback exists because a new thread starts with an empty context (before Python
3.14): a run started with ``ln.track()`` in the main thread must still be the run of the
artifacts that a worker thread saves.

A leaf module: it imports nothing from biolake at run time.
"""

from __future__ import annotations

import dataclasses
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar

if TYPE_CHECKING:
    from pathlib import Path

    from biolake.setup.instance import InstanceSettings

T = TypeVar("T")

_UNSET: Any = object()


class StateVar(Generic[T]):
    """A context variable whose unset value is a process-wide one."""

    def __init__(self, name: str, default: T) -> None:
        self.name = name
        self._var: ContextVar[T] = ContextVar(f"biolake.{name}")
        self._process: T = default

    def get(self) -> T:
        """The value of the current context if one was set there, else the process value."""
        value = self._var.get(_UNSET)
        return self._process if value is _UNSET else value

    def set(self, value: T) -> Token[T]:
        """Set the value in the current context only; ``reset(token)`` restores the previous one."""
        return self._var.set(value)

    def reset(self, token: Token[T]) -> None:
        """Undo the ``set()`` that returned ``token``."""
        self._var.reset(token)

    def set_process(self, value: T) -> None:
        """Set the value for the whole process (every thread and task without an override)."""
        self._process = value

    def __repr__(self) -> str:
        return f"StateVar({self.name!r}, {self.get()!r})"


@dataclasses.dataclass
class Caches:
    """Lookups cached per database: the current user's id, storage records by root."""

    user_ids: dict[tuple[str, str], int] = dataclasses.field(default_factory=dict)
    storages: dict[tuple[str, str], Any] = dataclasses.field(default_factory=dict)
    # all registered storage records by root, per database
    storage_roots: dict[tuple[str, str], dict[str, Any]] = dataclasses.field(default_factory=dict)

    def clear(self) -> None:
        """Forget every cached lookup (after an instance was deleted or created anew)."""
        self.user_ids.clear()
        self.storages.clear()
        self.storage_roots.clear()


# the instance Django's ``default`` database points to (process-wide, as Django's settings are)
instance: StateVar[InstanceSettings | None] = StateVar("instance", None)
# whether the active instance's schema was checked and its activation hooks ran
instance_checked: StateVar[bool] = StateVar("instance_checked", False)
# hooks run after each activation of an instance with an up-to-date schema
activation_hooks: list[Callable[[], None]] = []
# ``switch`` / ``merge`` of branches, set by biolake.models (they need the Branch registry, above setup)
branch_actions: dict[str, Callable[..., Any]] = {}
# the run new records belong to and loaded artifacts are inputs of (``ln.track()``, ``@ln.tracked()``)
run: StateVar[Any] = StateVar("run", None)
# ``ln.track(project=..., space=...)``: the Project that labels, and the Space that holds, records created during the run
run_project: StateVar[Any] = StateVar("run_project", None)
run_space: StateVar[Any] = StateVar("run_space", None)
# ``ln.track(branch=...)``: the (name, id) of the branch that was current before the run, restored by ``ln.finish()``
branch_before_run: StateVar[Any] = StateVar("branch_before_run", None)
# what ``ln.track()`` started besides the run (script path, output capture; see biolake.lineage.context)
tracking: StateVar[Any] = StateVar("tracking", None)
# whether ``ln.track()`` installed its exit hooks (sys.excepthook, atexit): once per process
exit_hooks_installed: StateVar[bool] = StateVar("exit_hooks_installed", False)
# the default storage root chosen with ``ln.settings.storage = ...``, per instance name
storage_roots: dict[str, str] = {}
# the public storage options given with that root (``?endpoint_url=...``), per instance name
storage_root_options: dict[str, dict[str, Any]] = {}
# the cache folder chosen with ``ln.settings.cache_dir = ...`` (default: under $BIOLAKE_HOME)
cache_dir: StateVar[Path | None] = StateVar("cache_dir", None)
# ``ln.settings.creation.search_names``: whether new records named like existing ones become those
search_names: StateVar[bool] = StateVar("search_names", True)
# ``bt.settings.organism``: the common name of the default organism of bio registries (None: per source)
organism: StateVar[str | None] = StateVar("organism", None)
# folders known to exist (created once per process)
created_folders: set[Path] = set()
# local files whose hash matched their artifact's at load(): (path, hash type, hash) ->
# (device, inode, size, mtime_ns, ctime_ns) then (see biolake.models.integrity)
verified_files: dict[tuple[str, str, str], tuple[int, ...]] = {}
# the rich console user messages are printed to (made on first use; tests reset it)
console: StateVar[Any] = StateVar("console", None)
caches = Caches()
# the web UI's filter choices (distinct suffixes, kinds): (instance, registry, field) -> (max id, values)
web_choices: dict[tuple[str, str, str], tuple[Any, list[str]]] = {}
# the DuckDB connection of cell queries (``biolake.cells.engine``): (pid, connection, {protocol: filesystem}),
# made once per process (connecting costs ~50 ms; each query takes a cheap cursor of it)
duckdb_connection: list[Any] = []
# memory of dense batches of ``mapped()`` datasets that no one references any more, by size in
# bytes, reused for the next batches (see biolake.formats.mapped._buffers)
batch_buffers: dict[int, list[Any]] = {}
# in a DataLoader worker: {its pid: its shared-memory arena of batches, or None if it cannot have one};
# in the main process: the workers' arenas it mapped, by path (see biolake.formats.mapped._shared)
batch_arena: dict[int, Any] = {}
batch_arenas: dict[str, Any] = {}


def current_run_id() -> int | None:
    """Primary key of the run of this context, or ``None`` when nothing is tracked."""
    current = run.get()
    return current.pk if current is not None else None
