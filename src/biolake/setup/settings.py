"""``ln.settings``: the current instance, default storage location, cache folder and user."""

from __future__ import annotations

import functools
import getpass
import os
from pathlib import Path
from typing import Any

from biolake import _process
from biolake.setup import store
from biolake.setup.instance import InstanceSettings
from biolake.setup.lifecycle import ensure_ready
from biolake.storage.credentials import refuse_credentials
from biolake.storage.paths import normalize_root


class CreationSettings:
    """How records are created: ``ln.settings.creation``.

    Example:
        >>> ln.settings.creation.search_names = False  # doctest: +SKIP
    """

    @property
    def search_names(self) -> bool:
        """Whether a new record named like an existing one becomes that record on ``save()`` (default True).

        Switch it off to create many records faster; the database's unique constraints still apply.
        """
        return _process.search_names.get()

    @search_names.setter
    def search_names(self, value: bool) -> None:
        _process.search_names.set_process(bool(value))

    def __repr__(self) -> str:
        return f"CreationSettings(search_names={self.search_names})"


class Settings:
    """Runtime settings of this process (kept in :mod:`biolake._process`).

    Example:
        >>> import biolake as ln
        >>> ln.settings.cache_dir  # doctest: +SKIP
    """

    @property
    def instance(self) -> InstanceSettings:
        """The current instance (connects on first use)."""
        return ensure_ready()

    @property
    def storage(self) -> str:
        """Root of the default storage location new artifacts are written to."""
        instance = self.instance
        return _process.storage_roots.get(instance.name, instance.storage_root)

    @storage.setter
    def storage(self, root: str | Path) -> None:
        split = refuse_credentials(str(root), "ln.settings.storage")
        name = self.instance.name
        _process.storage_roots[name] = normalize_root(split.url)
        _process.storage_root_options[name] = split.public  # e.g. endpoint_url: kept with the Storage record

    @property
    def storage_options(self) -> dict[str, Any]:
        """Public options (``endpoint_url``, ``region``) given with ``ln.settings.storage = URL``."""
        return dict(_process.storage_root_options.get(self.instance.name, {}))

    @property
    def cache_dir(self) -> Path:
        """Local folder that mirrors remote files and holds files being saved."""
        path = _process.cache_dir.get() or store.default_cache_dir()
        if path not in _process.created_folders:
            path.mkdir(parents=True, exist_ok=True)
            _process.created_folders.add(path)
        return path

    @cache_dir.setter
    def cache_dir(self, path: str | Path) -> None:
        _process.cache_dir.set_process(Path(path).expanduser().resolve())

    @property
    def creation(self) -> CreationSettings:
        """Record creation settings, e.g. ``ln.settings.creation.search_names = False``."""
        return CreationSettings()

    @property
    def user_handle(self) -> str:
        """Handle of the current user (the OS user name unless ``BIOLAKE_USER`` is set)."""
        return os.environ.get("BIOLAKE_USER") or _login_name()

    def __repr__(self) -> str:
        name = store.current_name()
        return f"Settings(instance={name!r}, cache_dir={str(self.cache_dir)!r})"


@functools.cache
def _login_name() -> str:
    """The OS user name (read once per process: ``getpass`` may read the account database, and
    every new record asks for it)."""
    return getpass.getuser()


settings = Settings()
