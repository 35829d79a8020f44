"""Instance settings: what an instance is made of (storage root, database, modules)."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from biolake._redact import is_secret_option
from biolake.errors import InstanceSetupError
from biolake.setup.db_guard import read_only_uri, sqlite_read_only
from biolake.storage.paths import is_local

SQLITE_FILENAME = "biolake.sqlite3"
MANAGED_DIRNAME = ".biolake"


@dataclasses.dataclass
class InstanceSettings:
    """A biolake instance: a storage root plus a database.

    Attributes:
        name: Unique name under ``$BIOLAKE_HOME``.
        storage_root: Default storage location (absolute local path or URL).
        db: Database URL (``sqlite:////abs/path`` or ``postgresql://...``).
        modules: Enabled schema modules besides the core (e.g. ``["bio"]``).
        storage_options: fsspec options for the storage root (e.g. ``endpoint_url``).
        branch: Name of the current branch (``biolake switch BRANCH``); new records land on it.
        branch_id: Its id (``branch_id`` of the records on it).
        uid: Random id given at ``init``: tells a rewrite of this instance's settings file (a
            branch switch) from a new instance of the same name ("" in files older than it).
    """

    name: str
    storage_root: str
    db: str
    modules: list[str] = dataclasses.field(default_factory=list)
    storage_options: dict[str, Any] = dataclasses.field(default_factory=dict)
    branch: str = "main"
    branch_id: int = 1
    uid: str = ""

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return "sqlite" if self.db.startswith("sqlite") else "postgresql"

    @property
    def is_local_storage(self) -> bool:
        """Whether the default storage root is a local folder."""
        return is_local(self.storage_root)

    def __repr__(self) -> str:
        """Without credentials: the database password and secret storage options are left out."""
        options = {k: v for k, v in self.storage_options.items() if not is_secret_option(k)}
        return (
            f"InstanceSettings(name={self.name!r}, storage_root={self.storage_root!r}, db={redact_db(self.db)!r}, "
            f"modules={self.modules!r}, storage_options={options!r})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON-serializable form written under ``$BIOLAKE_HOME``."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InstanceSettings:
        """Read the form written by :meth:`to_dict`."""
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in fields})


def default_sqlite_url(storage_root: str) -> str:
    """The default database of a local instance: a SQLite file inside the storage root."""
    return "sqlite:///" + str(Path(storage_root) / MANAGED_DIRNAME / SQLITE_FILENAME)


def sqlite_path(db: str) -> Path:
    """The file path of a ``sqlite:///`` URL."""
    return Path(unquote(db[len("sqlite:///") :]))


def django_database(db: str) -> dict[str, Any]:
    """Translate a database URL into a Django ``DATABASES`` entry."""
    if db.startswith("sqlite:///"):
        return _sqlite_database(sqlite_path(db))
    if db.startswith(("postgresql://", "postgres://")):
        return _postgres_database(db)
    raise InstanceSetupError(
        f"Unsupported database URL {db!r}: use 'sqlite:///<absolute path>' or 'postgresql://user@host:port/dbname'."
    )


def _sqlite_database(path: Path) -> dict[str, Any]:
    if sqlite_read_only(path):  # a reader without write access: open it read-only (see db_guard)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": read_only_uri(path), "OPTIONS": {"timeout": 60}}
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 60,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


def _postgres_database(db: str) -> dict[str, Any]:
    if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2") is None:
        raise InstanceSetupError(
            "A PostgreSQL database needs its driver: pip install 'biolake[postgres]'."
        )
    parts = urlsplit(db)
    options = dict(parse_qsl(parts.query))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or "") or os.environ.get("PGUSER", ""),
        "PASSWORD": unquote(parts.password or "") or os.environ.get("PGPASSWORD", ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
    }


def redact_db(db: str) -> str:
    """The database URL without its password, for display."""
    parts = urlsplit(db)
    if not parts.password:
        return db
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()
