"""Where instance settings live: ``$BIOLAKE_HOME/instances/<name>.json`` and ``current``."""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

from biolake.errors import InstanceNotFoundError, InstanceSetupError
from biolake.setup.instance import InstanceSettings

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


def home() -> Path:
    """The settings folder: ``$BIOLAKE_HOME`` or ``~/.config/biolake``."""
    env = os.environ.get("BIOLAKE_HOME")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "biolake"


def default_cache_dir() -> Path:
    """The local cache: ``$BIOLAKE_CACHE_DIR``, else ``$BIOLAKE_HOME/cache`` or ``~/.cache/biolake``."""
    env = os.environ.get("BIOLAKE_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    if os.environ.get("BIOLAKE_HOME"):
        return home() / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "biolake"


def validate_name(name: str) -> str:
    """Refuse instance names that are not safe file names."""
    if not _NAME_RE.match(name or ""):
        raise InstanceSetupError(
            f"Invalid instance name {name!r}: use letters, digits, '-', '_' or '.', at most 63 characters."
        )
    return name


def instance_file(name: str) -> Path:
    """The settings file of instance ``name`` (which may not exist)."""
    return home() / "instances" / f"{validate_name(name)}.json"


_instance_file = instance_file


def _current_file() -> Path:
    return home() / "current"


def _write_atomic(path: Path, text: str) -> None:
    """Write a settings file readable by its owner only (mode 0600): it may hold credentials."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a leftover file of the same name would keep its mode
    with os.fdopen(fd, "w") as file:
        file.write(text)
    os.replace(tmp, path)


def save_instance(instance: InstanceSettings) -> None:
    """Write an instance's settings file."""
    _write_atomic(_instance_file(instance.name), json.dumps(instance.to_dict(), indent=2))


def load_instance(name: str) -> InstanceSettings:
    """Read an instance's settings; a clear error names ``biolake init`` when it is missing."""
    path = _instance_file(name)
    if not path.exists():
        known = ", ".join(list_instances()) or "none"
        raise InstanceNotFoundError(
            f"No biolake instance named {name!r} (known: {known}). "
            f"Create one with `biolake init --storage ./mydata`.",
            name=name,
        )
    if path.stat().st_mode & 0o077:  # written by an older biolake: readable by others
        with contextlib.suppress(OSError):
            path.chmod(0o600)
    return InstanceSettings.from_dict(json.loads(path.read_text()))


def remove_instance(name: str) -> None:
    """Forget an instance's settings (and unset it as current)."""
    _instance_file(name).unlink(missing_ok=True)
    if current_name() == name:
        set_current(None)


def list_instances() -> list[str]:
    """Names of the instances known under ``$BIOLAKE_HOME``."""
    folder = home() / "instances"
    return sorted(p.stem for p in folder.glob("*.json")) if folder.exists() else []


def current_name() -> str | None:
    """The name of the current instance, if any."""
    path = _current_file()
    if not path.exists():
        return None
    return path.read_text().strip() or None


def set_current(name: str | None) -> None:
    """Make ``name`` the current instance (``None``: no current instance)."""
    if name is None:
        _current_file().unlink(missing_ok=True)
    else:
        _write_atomic(_current_file(), name)


def find_by_storage(root: str) -> InstanceSettings | None:
    """The instance whose default storage root is ``root``, if one is known."""
    for name in list_instances():
        inst = load_instance(name)
        if inst.storage_root == root:
            return inst
    return None
