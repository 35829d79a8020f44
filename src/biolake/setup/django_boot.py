"""The only code that configures Django: settings, app registry, database switching, migrations.

Django is configured once per process with the core app only, and without a database:
``default`` points to an instance's database when one is activated (on the first query, by
``ensure_ready()``), and changes when the current instance changes. A schema module's app
(``bio``, ``wetlab``) joins the app registry the first time it is needed (:func:`load_module`):
when an instance that enables it is activated, before migrations run, or when its models are
imported. Every database has the tables of every app, whichever modules this process loaded.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import sys
import threading
from pathlib import Path
from typing import Any, Callable

from biolake import _process
from biolake.errors import DatabaseUnreadableError, InstanceSetupError, MigrationRequiredError
from biolake.setup import db_guard, lazy_modules
from biolake.setup.gc_policy import paused_gc
from biolake.setup.instance import InstanceSettings, django_database, sqlite_path

CORE_APP = "biolake"
# schema modules: app label → Django app module (enabled per instance with --modules; loaded on first need)
SCHEMA_MODULES: dict[str, str] = {"bio": "biolake.bio", "wetlab": "biolake.wetlab"}
# schema modules whose models refer to another's (wetlab's donors to bio's organisms): that one loads first
REQUIRED_MODULES: dict[str, tuple[str, ...]] = {"wetlab": ("bio",)}
# held while an app is added to Django's registry (never while a models module is imported)
_APPS_LOCK = threading.RLock()

# the ``default`` alias before an instance is activated: Django's dummy backend, so a query
# that bypassed ``ensure_ready()`` fails instead of touching some database
_NO_DATABASE: dict[str, Any] = {"ENGINE": "django.db.backends.dummy"}


def add_activation_hook(hook: Callable[[], None]) -> None:
    """Run ``hook`` after each activation of an instance whose schema is up to date."""
    if hook not in _process.activation_hooks:
        _process.activation_hooks.append(hook)


def run_activation_hooks() -> None:
    """Run the registered hooks (e.g. registering the default user and storage location)."""
    for hook in _process.activation_hooks:
        hook()


def active_instance() -> InstanceSettings | None:
    """The instance the ``default`` database alias points to, if any."""
    return _process.instance.get()


def is_ready() -> bool:
    """Whether an instance is active with its schema checked (the fast path of ``ensure_ready``)."""
    return _process.instance_checked.get() and _process.instance.get() is not None


def configure() -> None:
    """Configure Django and load the app registry with the core app: no instance, no database,
    no I/O (schema modules join later, :func:`load_module`).

    Idempotent. ``biolake.models`` calls it on import, so registries can be imported (and
    their classes used) before any instance exists; the first query activates one.
    """
    django_conf = sys.modules.get("django.conf")
    if django_conf is not None and django_conf.settings.configured:
        return
    with paused_gc():  # Django and the registries only add long-lived objects: no collection on the way
        _configure()


def _configure() -> None:
    from django.conf import settings

    if settings.configured:
        return
    lazy_modules.defer()  # before Django's models import what the first query does not use
    if "ipykernel" in sys.modules:
        # Jupyter kernels run an event loop in the main thread, which trips Django's guard
        # against sync ORM calls from async code; biolake's ORM calls are synchronous.
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.configure(
        INSTALLED_APPS=[CORE_APP],  # a schema module's app is added when needed (load_module)
        DATABASES={"default": dict(_NO_DATABASE)},
        MIGRATION_MODULES={CORE_APP: "biolake.models.migrations", **{
            label: f"{module}.migrations" for label, module in SCHEMA_MODULES.items()
        }},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        USE_TZ=True,
        TIME_ZONE="UTC",
        LOGGING_CONFIG=None,
    )
    # django.setup() without its URL and logging imports (LOGGING_CONFIG is None, no script
    # prefix: biolake serves no web requests here; configure_web() adds what pages need)
    from django.apps import apps

    with lazy_modules.standing_in():
        apps.populate(settings.INSTALLED_APPS)
    from django.db.backends.signals import connection_created

    connection_created.connect(db_guard.on_connection_created, dispatch_uid="biolake-write-guard")


def load_module(label: str) -> None:
    """Add the schema module ``label`` (``bio``, ``wetlab``) to Django's app registry with its
    models, once per process; the modules it requires first.

    Afterwards the relations it adds to core models exist (``artifact.cell_types``; Django's
    deletion follows them into its link tables). Thread-safe: a thread that finds another one
    importing the models waits for that import (Python's import lock), no lock of ours is held
    meanwhile. Whether the current instance *enables* the module is not checked here
    (``setup.lifecycle.require_module`` does).
    """
    config = add_module(label)
    if config.models_module is not None:
        return
    with paused_gc():  # ~100 long-lived classes, as in configure()
        importlib.import_module(f"{config.name}.models")
    from django.apps import apps

    with _APPS_LOCK:
        if config.models_module is None:
            config.import_models()  # imported: Django records the module (migrations read it)
            apps.clear_cache()  # forget the fields and relations cached before the module came
            config.ready()


def add_module(label: str) -> Any:
    """Put the app of the schema module ``label`` in Django's registry without importing its models,
    and return its ``AppConfig`` (the modules it requires are loaded first).

    The first lines of a module's model modules call it: Django finds the app of a model class
    by the class's module, so the app must be there before the first class is made, whoever
    imports the models (:func:`load_module`, or code that imports them directly).
    """
    from django.apps import AppConfig, apps
    from django.conf import settings

    configure()
    config = apps.app_configs.get(label)
    if config is not None:
        return config
    if label not in SCHEMA_MODULES:
        raise InstanceSetupError(f"Unknown schema module {label!r}; available: {', '.join(SCHEMA_MODULES)}.")
    for required in REQUIRED_MODULES.get(label, ()):
        load_module(required)
    with _APPS_LOCK:
        config = apps.app_configs.get(label)
        if config is None:  # as Django's populate() does, one app at a time
            config = AppConfig.create(SCHEMA_MODULES[label])
            config.apps, config.models = apps, apps.all_models[label]
            # a new dict, not an insertion: other threads may be iterating over the current one
            apps.app_configs = {**apps.app_configs, label: config}
            settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, config.name]
            apps.clear_cache()
    return config


def load_modules(labels: list[str] | tuple[str, ...] | None = None) -> None:
    """Load the schema modules ``labels`` (default: all of them) with :func:`load_module`."""
    for label in SCHEMA_MODULES if labels is None else labels:
        load_module(label)


def every_app() -> list[Any]:
    """The ``AppConfig`` of every app whose tables each instance has (the schema modules loaded)."""
    from django.apps import apps

    load_modules()
    return [apps.get_app_config(label) for label in app_labels()]


def is_read_only(alias: str = "default") -> bool:
    """Whether the database behind ``alias`` is open read-only (a reader without write access)."""
    from django.db import connections

    return "mode=ro" in str(connections.settings[alias].get("NAME", ""))


def configure_web(**web_settings: Any) -> None:
    """Add the settings that serving web pages needs (URLconf, templates, middleware, ...).

    Only ``biolake serve`` (and its tests) call it, after :func:`configure`: the CLI and
    ``import biolake`` never load URL resolvers or templates. Django reads these settings
    lazily (on the first request), so they can be set after ``django.setup()``.
    """
    from django.conf import settings
    from django.urls import clear_url_caches, set_script_prefix

    configure()
    for name, value in web_settings.items():
        setattr(settings, name, value)
    clear_url_caches()
    set_script_prefix("/")


def _point_default_at(db_settings: dict[str, Any]) -> None:
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    normalized = connections.configure_settings({"default": db_settings})["default"]
    _load_backend(normalized["ENGINE"])
    connections.settings["default"] = normalized
    settings.DATABASES["default"] = normalized
    try:
        del connections["default"]
    except AttributeError:  # no connection opened in this thread yet
        pass


def _load_backend(engine: str) -> None:
    """Import a database backend now, with stand-ins for what it imports but queries do not use."""
    from django.db.utils import load_backend

    with lazy_modules.standing_in():
        load_backend(engine)


def activate(instance: InstanceSettings, *, check_migrations: bool = True) -> None:
    """Point Django's ``default`` database at ``instance`` (configuring Django on first use).

    With ``check_migrations`` the schema is checked and the activation hooks run at once;
    without it (``init``, ``migrate``, ``delete``), :func:`complete_activation` may follow.
    """
    configure()
    load_modules(instance.modules)  # before the schema check and the hooks, which may use their registries
    previous = _process.instance.get()
    if previous is None or previous.db != instance.db or _default_is_stale():
        _point_default_at(django_database(instance.db))
        _process.instance_checked.set_process(False)
    _process.instance.set_process(instance)
    if check_migrations:
        complete_activation()


def complete_activation() -> None:
    """Check the active instance's schema, then run the activation hooks (once per activation)."""
    active = _process.instance.get()
    if active is None or _process.instance_checked.get():
        return
    try:
        pending = pending_migrations()
    except BaseException as error:
        deactivate()
        unreadable = unreadable_database(active, error)
        if unreadable is not None:
            raise unreadable from error
        raise
    if pending:
        deactivate()
        raise MigrationRequiredError(
            f"The database of instance {active.name!r} is behind this biolake version "
            f"({len(pending)} pending migration(s): {', '.join(pending[:5])}). "
            f"Run `biolake migrate {active.name}` to upgrade it.",
            pending=pending,
        )
    _process.instance_checked.set_process(True)  # before the hooks: they use the registries
    run_activation_hooks()


def unreadable_database(instance: InstanceSettings, error: BaseException) -> DatabaseUnreadableError | None:
    """The error to raise when ``error`` says that ``instance``'s database cannot be read, else None.

    A damaged or replaced SQLite file ("file is not a database", "database disk image is
    malformed") counts, and a PostgreSQL error other than an unreachable server; the message
    names the file (never a server URL, which may hold a password) and how to recover.
    """
    from django.db import DatabaseError, OperationalError

    if not isinstance(error, DatabaseError):
        return None
    if instance.dialect != "sqlite" and isinstance(error, OperationalError):
        return None  # a server that is down or refuses the login: the driver's message says which
    reason = " ".join(str(error).split()) or type(error).__name__
    if instance.dialect == "sqlite":
        where = f"SQLite file {sqlite_path(instance.db)}"
        hint = "the file is damaged, replaced or locked; restore it from a snapshot (`biolake snapshot restore`) or a backup"
    else:
        where, hint = "PostgreSQL database", "restore a snapshot (`biolake snapshot restore`) or a backup"
    return DatabaseUnreadableError(
        f"Cannot read the database of instance {instance.name!r} ({where}): {reason}; {hint}.", db=where
    )


def _default_is_stale() -> bool:
    from django.db import connections

    return "default" in connections and db_guard.is_stale(connections["default"])


def deactivate() -> None:
    """Close database connections and forget the active instance."""
    from django.conf import settings

    if settings.configured and _process.instance.get() is not None:
        _point_default_at(dict(_NO_DATABASE))
    _process.instance.set_process(None)
    _process.instance_checked.set_process(False)


def _apps_of(instance: InstanceSettings | None) -> list[str]:
    """The apps whose tables an instance has: all of them.

    A schema module is *enabled* per instance (``--modules``), but its (empty) tables exist
    in every instance: its models relate to core models (``Schema.genes``), and Django's
    deletion cascade would otherwise query tables that are not there.
    """
    return [CORE_APP, *SCHEMA_MODULES]


def migration_files(label: str) -> list[Path]:
    """An app's migration files, in order (found in its folder: no import, no graph)."""
    module = "biolake.models.migrations" if label == CORE_APP else f"{SCHEMA_MODULES[label]}.migrations"
    spec = importlib.util.find_spec(module)
    # every app ships a migrations package (configure() names them in MIGRATION_MODULES)
    assert spec is not None and spec.submodule_search_locations is not None, module
    folder = Path(next(iter(spec.submodule_search_locations)))
    return sorted(p for p in folder.glob("*.py") if re.match(r"^\d{4}_\w+$", p.stem))


def _migrations_on_disk(label: str) -> list[str]:
    """Names of an app's migration files."""
    return [path.stem for path in migration_files(label)]


def all_migration_files() -> list[Path]:
    """The migration files of every app an instance has (core and schema modules)."""
    return [path for label in _apps_of(None) for path in migration_files(label)]


def app_labels() -> list[str]:
    """The Django apps whose tables every instance has: the core and every schema module."""
    return _apps_of(None)


def pending_migrations(using: str = "default") -> list[str]:
    """Migrations of the active instance's apps that its database (or ``using``) has not applied.

    Compares the migration files with the ``django_migrations`` table: one query, cheap
    enough to run at every connect (Django's migration loader imports every migration).
    """
    from django.db import connections

    connection = connections[using]
    labels = _apps_of(_process.instance.get())
    applied: set[tuple[str, str]] = set()
    if "django_migrations" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = {(app, name) for app, name in cursor.fetchall()}
    return [f"{label}.{name}" for label in labels for name in _migrations_on_disk(label) if (label, name) not in applied]


def migrate(using: str = "default") -> list[str]:
    """Apply the pending migrations of the active instance's apps (or of the database ``using``);
    returns what was applied."""
    pending = pending_migrations(using)
    if not pending:
        return pending
    from django.core.management import call_command
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "postgresql" and len(pending) == len(all_migration_files()):  # an empty database
        from biolake.setup import pg_template  # (it keys its script by this module's migration files)

        if pg_template.replay(connection):
            return pending
        recording: Any = pg_template.recording(connection)
    else:
        recording = contextlib.nullcontext()
    load_modules()  # Django migrates the apps in its registry: every app, whichever modules the instance enables
    with recording:
        for label in _apps_of(_process.instance.get()):
            call_command("migrate", label, database=using, verbosity=0, interactive=False)
    return pending


def database_is_empty_of(table: str) -> bool:
    """Whether ``table`` is missing or has no rows (used before deleting an instance)."""
    from django.db import connection

    if table not in connection.introspection.table_names():
        return True
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (table name is ours)
        count: int = cursor.fetchone()[0]
        return count == 0


def drop_all_tables(using: str = "default") -> None:
    """Drop the tables of biolake's apps and their migration records from the active database
    or ``using`` (used by ``delete`` on PostgreSQL; one statement per table, not every migration
    in reverse)."""
    from django.db import connections, transaction

    connection = connections[using]
    labels = _apps_of(_process.instance.get())
    tables = {m._meta.db_table for config in every_app() for m in config.get_models(include_auto_created=True)}
    existing = set(connection.introspection.table_names())
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for table in sorted(tables & existing):
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
        if "django_migrations" in existing:
            cursor.execute(
                "DELETE FROM django_migrations WHERE app IN (%s)" % ", ".join(["%s"] * len(labels)),  # noqa: S608
                labels,
            )


def add_alias(instance: InstanceSettings) -> str:
    """A second database alias (named after the instance) for reading another instance."""
    from django.db import connections

    alias = instance.name
    if alias == "default":
        raise InstanceSetupError("An instance named 'default' cannot be read with using().")
    if alias not in connections.settings:
        load_modules(instance.modules)  # its records may relate to them (``artifact.cell_types``)
        both = {"default": dict(connections.settings["default"]), alias: django_database(instance.db)}
        normalized = connections.configure_settings(both)[alias]
        _load_backend(normalized["ENGINE"])
        connections.settings[alias] = normalized
    return alias
