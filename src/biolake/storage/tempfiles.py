"""Temporary files of saves in progress, named after the process that owns them.

A save writes an in-memory object to ``<cache_dir>/_tmp/`` before it uploads it. The name
says who owns the file: ``p<pid>.<host>-<random><suffix>`` (``host``: a short hash of the
machine's host name). A process removes its own temporary files when an operation fails;
a file whose owner was killed (SIGKILL, the OOM killer, a power cut) is *stale* and
:func:`remove_stale` (``biolake cache clear``) removes it:

- its owner process on this machine is gone (or the pid now belongs to a process that
  started after the file was last written), or
- the owner cannot be told (another machine sharing the cache, an older name) and the
  file is unchanged for an hour.

Example:
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = new_path(folder, ".parquet")
    >>> owner(path) == os.getpid(), is_stale(path)
    (True, False)
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["STALE_AFTER", "TempFile", "is_stale", "new_path", "owner", "remove_stale", "stale_files"]

STALE_AFTER = 3600.0
"""Seconds after which a temporary file whose owner cannot be told counts as stale."""

_NAME = re.compile(r"^p(\d+)\.([0-9a-f]{6})-")


def _host() -> str:
    return hashlib.blake2s(socket.gethostname().encode(), digest_size=3).hexdigest()


def new_path(folder: Path, suffix: str) -> Path:
    """A fresh temporary path in ``folder`` (created if missing) owned by this process."""
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"p{os.getpid()}.{_host()}-{secrets.token_hex(8)}{suffix}"


def owner(path: Path) -> int | None:
    """The pid of the process on this machine that owns ``path``; None if it cannot be told."""
    match = _NAME.match(path.name)
    if match is None or match.group(2) != _host():
        return None
    return int(match.group(1))


@dataclass(frozen=True)
class TempFile:
    """A stale temporary file or folder."""

    path: Path
    size: int
    age: float
    owner: int | None


def is_stale(path: Path, now: float | None = None) -> bool:
    """Whether ``path`` is left over by a process that is gone (see the module docstring)."""
    return _stale_info(path, time.time() if now is None else now) is not None


def stale_files(folder: Path) -> list[TempFile]:
    """The stale temporary files directly in ``folder`` (none if it does not exist)."""
    try:
        children = sorted(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    now = time.time()
    return [info for child in children if (info := _stale_info(child, now)) is not None]


def remove_stale(folder: Path) -> list[TempFile]:
    """Remove the stale temporary files in ``folder``; returns what was removed."""
    removed = []
    for info in stale_files(folder):
        try:
            _remove(info.path)
        except FileNotFoundError:
            continue  # removed meanwhile by another process
        removed.append(info)
    return removed


def _stale_info(path: Path, now: float) -> TempFile | None:
    try:
        size, changed = _size_and_changed(path)
    except FileNotFoundError:
        return None
    pid, age = owner(path), max(0.0, now - changed)
    if pid is None:
        stale = age >= STALE_AFTER
    else:
        stale = pid != os.getpid() and not _runs_since(pid, changed)
    return TempFile(path, size, age, pid) if stale else None


def _runs_since(pid: int, changed: float) -> bool:
    """Whether process ``pid`` is alive and started before ``changed`` (so it may own the file)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by another user
    started = _start_time(pid)
    return started is None or started <= changed + 1.0


def _start_time(pid: int) -> float | None:
    """When process ``pid`` started (epoch seconds), on Linux; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
    except (OSError, IndexError, StopIteration):
        return None
    return int(boot.split()[1]) + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def _size_and_changed(path: Path) -> tuple[int, float]:
    stat = path.lstat()
    size, changed = stat.st_size, stat.st_mtime
    if path.is_dir() and not path.is_symlink():
        size = 0
        for folder, _, files in os.walk(path):
            for name in files:
                entry = os.lstat(os.path.join(folder, name))
                size, changed = size + entry.st_size, max(changed, entry.st_mtime)
    return size, changed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
