"""Guards on every database write: the instance still exists, and this process may write.

Django calls :func:`on_connection_created` for each new connection; it installs a
:class:`WriteGuard` among the connection's execute wrappers. Before each writing statement
(``INSERT``, ``UPDATE``, ``DELETE``, DDL) the guard checks, with a ``stat`` or two and no query:

- for SQLite, the database file at the instance's path is still the file this connection
  opened (same device and inode): a deleted or replaced file would swallow the write;
- for PostgreSQL, the instance's settings file still exists and is the same file
  (``biolake delete`` removes it; a new instance of the same name writes a new one);
- the connection was not opened read-only (:func:`sqlite_read_only`: the folder or file of
  the SQLite database cannot be written by this process). Reads work on such an instance.

Failures raise :class:`~biolake.errors.InstanceGoneError` or
:class:`~biolake.errors.ReadOnlyInstanceError`, before anything is written. A statement the
database rejects (a read of a dropped table) is checked the same way, so a deleted instance
is named as such instead of "relation does not exist".
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from biolake import _process
from biolake.errors import InstanceGoneError, InstanceSetupError, ReadOnlyInstanceError

__all__ = ["WriteGuard", "is_stale", "on_connection_created", "read_only_uri", "sqlite_read_only"]

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "ALTER", "DROP")
_FileId = tuple[int, int]


def sqlite_read_only(path: Path) -> bool:
    """Whether this process can only read the SQLite database at ``path`` (it exists, and the
    file or its folder, where SQLite keeps its journal, is not writable)."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def read_only_uri(path: Path) -> str:
    """A ``file:`` URI opening ``path`` read-only. Without a write-ahead log beside it (nothing
    uncheckpointed), the file is opened as immutable: SQLite then needs no shared-memory file,
    which a reader without write access to the folder could not create."""
    has_log = Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
    return f"file:{path}?mode=ro" + ("" if has_log else "&immutable=1")


def _file_id(path: Path) -> _FileId | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


def _identity(settings_file: Path) -> tuple[str, str] | None:
    """What names an instance in its settings file: its uid (files from before uids: its database)."""
    try:
        data = json.loads(settings_file.read_text())
    except (OSError, ValueError):
        return None
    return str(data.get("uid") or ""), str(data.get("db") or "")


class WriteGuard:
    """An execute wrapper that refuses writes to a deleted, replaced or read-only instance."""

    def __init__(self, name: str, settings_file: Path | None, sqlite_file: Path | None, read_only: bool) -> None:
        self.name = name
        self.settings_file = settings_file
        self.settings_id = _file_id(settings_file) if settings_file is not None else None
        self.settings_identity = _identity(settings_file) if settings_file is not None else None
        self.sqlite_file = sqlite_file
        self.sqlite_id = _file_id(sqlite_file) if sqlite_file is not None else None
        self.read_only = read_only

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip()[:7].upper().startswith(_WRITES):
            self.check()
        try:
            return execute(sql, params, many, context)
        except Exception:  # e.g. the tables of a deleted PostgreSQL instance are gone
            self.check_identity()  # raises InstanceGoneError, chained to the database's error
            raise

    def check(self) -> None:
        """Raise if a write now would be lost or refused."""
        if self.read_only:
            raise ReadOnlyInstanceError(
                f"Instance {self.name!r} is open read-only: this process cannot write its database "
                f"{self.sqlite_file}. Queries, load() and cache() work; to write, ask for write access "
                "to that folder or work in your own instance."
            )
        self.check_identity()

    def check_identity(self) -> None:
        """Raise :class:`~biolake.errors.InstanceGoneError` if the instance was deleted or replaced."""
        if self.sqlite_file is None:
            self._check_settings()  # SQLite: the database file itself tells (one stat per write)
        elif self.sqlite_id is not None:
            now = _file_id(self.sqlite_file)
            if now != self.sqlite_id:
                what = "deleted" if now is None else "replaced by another file"
                self._gone(f"its database {self.sqlite_file} was {what}")

    def _check_settings(self) -> None:
        if self.settings_file is None:
            return
        now = _file_id(self.settings_file)
        if self.settings_id is None:  # not written yet (during init): watch from when it exists
            self.settings_id, self.settings_identity = now, _identity(self.settings_file)
        elif now is None:
            self._gone("it was deleted (its settings file is gone)")
        elif now != self.settings_id:  # rewritten: by a branch switch, or by a new instance of the name
            if _identity(self.settings_file) != self.settings_identity:
                self._gone("it was deleted and an instance of the same name was created since")
            self.settings_id = now

    def _gone(self, reason: str) -> None:
        raise InstanceGoneError(
            f"Instance {self.name!r} cannot be written: {reason}, after this process connected to it. "
            f"Nothing was saved. Reconnect with `biolake connect {self.name}` (or ln.connect) if it exists "
            "again, or restore it from a snapshot."
        )


def is_stale(connection: Any) -> bool:
    """Whether ``connection`` points to an instance that was deleted or replaced since it opened
    (reconnecting then opens the database that is there now)."""
    for guard in connection.execute_wrappers:
        if isinstance(guard, WriteGuard):
            try:
                guard.check_identity()
            except InstanceGoneError:
                return True
    return False


def _sqlite_file(settings_dict: dict[str, Any]) -> Path | None:
    if not settings_dict.get("ENGINE", "").endswith("sqlite3"):
        return None
    name = str(settings_dict.get("NAME") or "")
    if name.startswith("file:"):
        name = name[len("file:") :].split("?", 1)[0]
    return Path(name) if name and name != ":memory:" else None


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Install a :class:`WriteGuard` on a new connection (Django's ``connection_created`` signal)."""
    from biolake.setup import store

    if connection.alias == "default":
        active = _process.instance.get()
        name = active.name if active is not None else None
    else:
        name = connection.alias  # another instance read with using(): its alias is its name
    if name is None:
        return
    settings_dict = connection.settings_dict
    try:
        settings_file: Path | None = store.instance_file(name)
    except InstanceSetupError:  # not a valid instance name: no settings file to watch
        settings_file = None
    read_only = "mode=ro" in str(settings_dict.get("NAME", ""))
    guard = WriteGuard(name, settings_file, _sqlite_file(settings_dict), read_only)
    connection.execute_wrappers[:] = [w for w in connection.execute_wrappers if not isinstance(w, WriteGuard)]
    connection.execute_wrappers.append(guard)
