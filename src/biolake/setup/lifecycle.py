"""Create, connect, inspect and delete instances."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from biolake import _logging as log
from biolake.errors import InstanceNotFoundError, InstanceSetupError
from biolake.setup import django_boot, schema_template, shared_storage, store
from biolake.setup.instance import (
    MANAGED_DIRNAME,
    InstanceSettings,
    default_sqlite_url,
    redact_db,
    sqlite_path,
)
from biolake.storage.credentials import split_url
from biolake.storage.paths import normalize_root


def _split_storage(storage: str | Path, options: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The storage root and its options: those in the URL, credentials included (they are kept
    only in the instance's settings file, mode 0600), then ``options``."""
    split = split_url(str(storage))
    if split.secret:
        log.warning(
            "credentials in the storage URL are kept only in the instance's settings file (mode 0600), "
            "never in the database; prefer the AWS environment or a profile"
        )
    return normalize_root(split.url), {**split.public, **split.secret, **(options or {})}


def _default_name(root: str) -> str:
    name = root.rstrip("/").rsplit("/", 1)[-1] or "biolake"
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name).lstrip("-_.") or "biolake"


def _resolve_db(root: str, db: str | None, is_local: bool) -> str:
    if db is None:
        if not is_local:
            raise InstanceSetupError(
                f"Storage {root!r} is not a local folder: pass --db postgresql://... "
                "(or an explicit sqlite:///<local path>)."
            )
        return default_sqlite_url(root)
    if db.startswith("sqlite:///"):
        return "sqlite:///" + str(sqlite_path(db).expanduser().resolve())
    return db


def init(
    storage: str | Path,
    db: str | None = None,
    name: str | None = None,
    modules: list[str] | None = None,
    storage_options: dict[str, Any] | None = None,
) -> InstanceSettings:
    """Create an instance (or reconnect to the one at ``storage``) and make it current.

    ``storage_options`` are fsspec options of the storage (``{"endpoint_url": ...}``, or
    credentials ``{"key": ..., "secret": ...}``), as are the parameters of a URL's query.
    Credentials (in ``storage_options``, the URL's user-info or its query) are kept only in
    the instance's settings file (mode 0600); the database holds the public options.

    Example:
        >>> import biolake as ln
        >>> ln.setup.init(storage="./mydata")  # doctest: +SKIP
    """
    root, options = _split_storage(storage, storage_options)
    existing = store.find_by_storage(root)
    if existing is not None:
        if name in (None, existing.name) and db in (None, existing.db):
            log.info(f"instance {existing.name!r} already exists at {root}: connecting")
            return connect(existing.name)
        raise InstanceSetupError(
            f"Storage {root} already belongs to instance {existing.name!r}; "
            f"connect with `biolake connect {existing.name}` or choose another storage folder."
        )
    modules = sorted(set(modules or []))
    unknown = [m for m in modules if m not in django_boot.SCHEMA_MODULES]
    if unknown:
        known = ", ".join(django_boot.SCHEMA_MODULES) or "none yet"
        raise InstanceSetupError(f"Unknown schema module(s) {unknown}; available: {known}.")
    instance = InstanceSettings(
        name=store.validate_name(name or _default_name(root)),
        storage_root=root,
        db="",
        modules=modules,
        storage_options=options,
        uid=secrets.token_hex(8),
    )
    instance.db = _resolve_db(root, db, instance.is_local_storage)
    if instance.name in store.list_instances():
        other = store.load_instance(instance.name)
        raise InstanceSetupError(
            f"An instance named {instance.name!r} already exists (storage {other.storage_root}); "
            "pass another --name or delete it with `biolake delete`."
        )
    _create_storage_and_db(instance)
    store.save_instance(instance)
    store.set_current(instance.name)
    log.success(f"initialized instance {instance.name!r}: storage {root}, database {redact_db(instance.db)}")
    return instance


def _create_storage_and_db(instance: InstanceSettings) -> None:
    if instance.is_local_storage:
        (Path(instance.storage_root) / MANAGED_DIRNAME).mkdir(parents=True, exist_ok=True)
    new_sqlite = instance.dialect == "sqlite" and not sqlite_path(instance.db).exists()
    copied = False
    if new_sqlite:
        sqlite_path(instance.db).parent.mkdir(parents=True, exist_ok=True)
        copied = schema_template.restore(sqlite_path(instance.db))
    django_boot.activate(instance, check_migrations=False)
    django_boot.migrate()  # nothing to do for a copy of the template
    if new_sqlite and not copied:
        schema_template.keep(sqlite_path(instance.db))  # before the default records are written
    django_boot.complete_activation()


def connect(name_or_path: str | Path | None = None) -> InstanceSettings:
    """Make an instance current (by name, or by its storage folder) and check its schema.

    ``None`` reconnects to the current instance.
    """
    instance = _find(name_or_path)
    django_boot.activate(instance)
    if name_or_path is not None or store.current_name() != instance.name:  # no rewrite when it is current
        store.set_current(instance.name)
    return instance


def _find(name_or_path: str | Path | None) -> InstanceSettings:
    if name_or_path is None:
        name = store.current_name()
        if name is None:
            raise InstanceNotFoundError(
                "No biolake instance is set up. Create one with `biolake init --storage ./mydata` "
                "or connect to one with `biolake connect NAME`."
            )
        return store.load_instance(name)
    text = str(name_or_path)
    if text in store.list_instances():
        return store.load_instance(text)
    by_root = store.find_by_storage(normalize_root(text)) if ("/" in text or "\\" in text) else None
    if by_root is not None:
        return by_root
    return store.load_instance(text)  # raises the clear "no instance named" error


def disconnect() -> None:
    """Unset the current instance and close its database connections."""
    django_boot.deactivate()
    store.set_current(None)


def ensure_ready() -> InstanceSettings:
    """Make the current instance ready for registry access: the one entry point used by models.

    Called before each query; the first call connects to the current instance (schema
    check, default records), later ones return it at once.
    """
    active = django_boot.active_instance()
    if active is None:
        return connect(None)
    if not django_boot.is_ready():
        django_boot.complete_activation()
    return active


def migrate(name: str | None = None) -> list[str]:
    """Apply pending migrations to an instance's database (default: the current instance)."""
    instance = _find(name)
    django_boot.activate(instance, check_migrations=False)
    applied = django_boot.migrate()
    django_boot.complete_activation()
    log.success(f"applied {len(applied)} migration(s) to {instance.name!r}" if applied else "database is up to date")
    return applied


def info() -> dict[str, Any]:
    """A summary of the current instance."""
    instance = _find(None)
    return {
        "name": instance.name,
        "storage": instance.storage_root,
        "db": redact_db(instance.db),
        "modules": instance.modules,
        "branch": instance.branch,
    }


def delete(name: str, force: bool = False) -> None:
    """Delete an instance: its database (SQLite file or tables) and its managed files.

    Refuses an instance that still holds artifacts unless ``force=True``. Files registered
    in place (outside ``.biolake/``) are never touched, nor the managed files of a storage
    location another instance also uses (e.g. one restored from a snapshot), nor bytes other
    instances registered by zero-copy transfer; this instance's markers on others' bytes go.
    """
    instance = store.load_instance(name)
    django_boot.activate(instance, check_migrations=False)
    if not force and not django_boot.database_is_empty_of("biolake_artifact"):
        raise InstanceSetupError(
            f"Instance {name!r} still holds artifacts; pass --force (force=True) to delete it anyway."
        )
    foreign = shared_storage.foreign_artifacts(instance)
    _drop_database(instance)
    shared_storage.forget_foreign_references(name, foreign)
    sharing = [other for other in store.list_instances() if other != name and store.load_instance(other).storage_root == instance.storage_root]
    in_use: list[str] = []
    if instance.is_local_storage and not sharing:
        in_use = shared_storage.remove_managed_files(instance, name)
    store.remove_instance(name)
    kept = f"; its storage is kept (also used by {', '.join(repr(o) for o in sharing)})" if sharing else ""
    if in_use:
        kept = f"; kept the bytes of {len(in_use)} artifact(s) other instances registered by zero-copy transfer"
    log.success(f"deleted instance {name!r}{kept}")


def _drop_database(instance: InstanceSettings) -> None:
    if instance.dialect == "postgresql":
        django_boot.drop_all_tables()
    django_boot.deactivate()
    if instance.dialect == "sqlite":
        path = sqlite_path(instance.db)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


def database_alias(name: str) -> str:
    """The Django database alias through which another instance is read (``Artifact.using(name)``)."""
    ensure_ready()
    active = django_boot.active_instance()
    if active is not None and active.name == name:
        return "default"
    return django_boot.add_alias(store.load_instance(name))


def require_module(label: str) -> InstanceSettings:
    """The current instance, ready for registry access, once it is known to enable the schema
    module ``label`` (``bio``, ``wetlab``); a clear error names ``--modules`` when it does not.

    The schema module then hands out its own registries: setup sits below them and imports none.
    """
    instance = ensure_ready()  # configures Django and loads the modules the instance enables
    if label not in instance.modules:
        raise InstanceSetupError(
            f"The {label} module is not enabled for instance {instance.name!r}: create one with "
            f"`biolake init --storage ... --modules {label}`."
        )
    return instance
