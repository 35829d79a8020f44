"""Move bytes: atomic upload, download, move and delete of files and folders, with progress.

Writes to the local file system are atomic: bytes go to a hidden temporary name in
the destination folder (``.<name>.<random>.biolake-tmp``) and are renamed into place
with :func:`os.replace`, so no reader ever sees a partial file under the final
name. Folders are staged whole in a temporary folder the same way. Object stores
(S3, GCS) make each object appear whole on their own; if an upload fails, every
destination file this call created is removed.

Transfers above :data:`PROGRESS_THRESHOLD` bytes show a transient rich progress
bar on stderr.

Example:
    >>> from biolake.storage.paths import create_path, is_local
    >>> import tempfile, pathlib
    >>> src = pathlib.Path(tempfile.mkdtemp()) / "a.txt"; _ = src.write_text("hi")
    >>> put(src, create_path("memory://doc/a.txt"))
    >>> size_of(create_path("memory://doc/a.txt"))
    2
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from biolake import _faults
from biolake.errors import StorageError, UploadError
from biolake.storage import _listing, s3_put, upload
from biolake.storage.paths import create_path, is_local

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem
    from fsspec.callbacks import Callback
    from upath import UPath

__all__ = [
    "CHUNK_SIZE",
    "PROGRESS_THRESHOLD",
    "TEMP_SUFFIX",
    "get",
    "move",
    "n_files",
    "put",
    "remove",
    "size_of",
    "start_put",
    "StartedPut",
]

PROGRESS_THRESHOLD = 5 * 1024**2
"""Transfers larger than this many bytes show a progress bar."""

CHUNK_SIZE = 8 * 1024**2
"""Bytes copied at a time between local files."""

TEMP_SUFFIX = ".biolake-tmp"
"""Suffix of the temporary names used while writing a local file or folder."""

_Advance = Callable[[int], None]


def put(src: str | os.PathLike[str], dst: UPath, *, fresh: bool = False) -> None:
    """Copy a local file or folder to ``dst`` (local or any fsspec location).

    Args:
        src: A local file or folder.
        dst: The destination path; its parent folders are created.
        fresh: ``dst`` is a new name nothing else writes (a managed key with a fresh uid): on
            an object store nothing is looked up before the upload, and on failure every
            object of this upload is removed. A small file to S3 is then one request.

    Raises:
        UploadError: ``src`` is missing or the copy failed; nothing partial is left
            at ``dst`` (the cause is chained).
    """
    source = create_path(src)
    if not is_local(source):
        raise UploadError(f"put() uploads local files; {str(source)!r} is remote. Use move() or get().", path=str(dst))
    if not _listing.exists(source):
        raise UploadError(f"Cannot upload {str(source)!r}: no file or folder there.", path=str(dst))
    try:
        if is_local(dst):
            _write_local(source, Path(_listing.local_str(dst)), "Copying")
        else:
            _put_remote(Path(_listing.local_str(source)), dst, fresh)
    except Exception as error:
        raise UploadError(
            f"Uploading {str(source)!r} to {str(dst)!r} failed ({type(error).__name__}: {error}); "
            "nothing was kept at the destination.",
            path=str(dst),
        ) from error


def start_put(src: str | os.PathLike[str], fs: AbstractFileSystem, remote: str, body: bytes | None = None) -> StartedPut | None:
    """Start uploading a small local file to a fresh name ``remote`` on the S3 file system ``fs``,
    and return without waiting.

    The file goes up in one verified ``PutObject`` on s3fs's IO thread while the caller does
    other work; :meth:`StartedPut.wait` before relying on the object, :meth:`StartedPut.cancel`
    to drop it. ``body`` is the file's content if the caller read it already (e.g. to hash it):
    then exactly those bytes are sent, and the file is not read again. Returns ``None`` where
    :func:`put` is the way (other file systems, folders, files with a progress bar): nothing
    was started then.

    Raises:
        UploadError: the file cannot be read (nothing was sent).
    """
    local = _local_source(src)
    if local is None or not s3_put.applies(fs, 0):
        return None
    if body is None:
        try:
            info = os.stat(local)
        except OSError:
            return None  # put() names the problem
        if not stat.S_ISREG(info.st_mode):
            return None
    size = len(body) if body is not None else info.st_size
    if size > PROGRESS_THRESHOLD or not s3_put.applies(fs, size):
        return None
    remote = remote.rstrip("/")
    try:
        flight = s3_put.start(fs, local, remote, size, body)
    except Exception as error:
        raise UploadError(f"Uploading {local!r} to {fs.unstrip_protocol(remote)!r} failed ({type(error).__name__}: {error}); nothing was sent.", path=remote) from error
    return StartedPut(local, fs, remote, flight)


def _local_source(src: str | os.PathLike[str]) -> str | None:
    """The local file name of ``src``, or ``None`` if it is remote (:func:`put` refuses it)."""
    if hasattr(src, "protocol"):  # a UPath (e.g. from create_path): not resolved again
        return _listing.local_str(src) if is_local(src) else None  # type: ignore[arg-type]
    return _listing.local_str(create_path(src))


class StartedPut:
    """A small file on its way to S3 (:func:`start_put`); ``wait()`` for it or ``cancel()`` it."""

    def __init__(self, local: str, fs: AbstractFileSystem, remote: str, flight: s3_put.InFlight) -> None:
        self.local, self.fs, self.remote, self._flight = local, fs, remote, flight
        self._done = self._cancelled = False

    def wait(self) -> None:
        """Return once the store holds exactly the bytes sent (a mismatch sends them again, as :func:`put` does).

        Raises:
            UploadError: the upload failed; nothing is left at the destination (the cause is chained).
        """
        if self._done:
            return
        try:
            self._verify()
            _faults.point("mid-upload")
        except Exception as error:
            self.cancel()
            raise UploadError(
                f"Uploading {self.local!r} to {self.fs.unstrip_protocol(self.remote)!r} failed ({type(error).__name__}: {error}); "
                "nothing was kept at the destination.",
                path=self.fs.unstrip_protocol(self.remote),
            ) from error
        self._done = True

    def _verify(self) -> None:
        """Wait for the PUT; while the store's response describes other bytes, send the same bytes again."""
        for _ in range(upload.ATTEMPTS):
            if self._flight.verified():
                return
            self._flight = self._flight.again()
        if not self._flight.verified():
            raise upload.still_differs(self._flight.remote)

    def cancel(self) -> None:
        """Wait until the request has ended, then remove the object (best effort): nothing is left."""
        if self._cancelled:
            return
        self._cancelled = True
        self._flight.settle()
        _remove_remote(self.fs, [self.remote])


def get(src: UPath, dst: str | os.PathLike[str]) -> Path:
    """Download a file or folder at ``src`` to the local path ``dst`` (atomically).

    Returns:
        ``dst`` as a :class:`pathlib.Path`.

    Raises:
        StorageError: ``src`` is missing or the download failed (the cause is chained).
    """
    target = Path(dst)
    if not _listing.exists(src):
        raise StorageError(f"Cannot download {str(src)!r}: no file or folder there.", path=str(src))
    try:
        _write_local(src, target, "Downloading")
    except Exception as error:
        raise StorageError(
            f"Downloading {str(src)!r} to {str(target)!r} failed ({type(error).__name__}: {error}).", path=str(src)
        ) from error
    return target


def remove(path: UPath) -> None:
    """Delete a file or a folder (recursively); a missing path is not an error.

    Raises:
        StorageError: The delete failed.
    """
    try:
        if is_local(path):
            _remove_local(_listing.local_str(path))
        elif path.fs.exists(path.path):
            path.fs.rm(path.path, recursive=True)
    except FileNotFoundError:
        return
    except Exception as error:
        raise StorageError(f"Cannot delete {str(path)!r} ({type(error).__name__}: {error}).", path=str(path)) from error


def move(src: UPath, dst: UPath) -> None:
    """Move a file or folder; a rename on the same file system, else copy then delete.

    Raises:
        StorageError: ``src`` is missing or the move failed.
    """
    if not _listing.exists(src):
        raise StorageError(f"Cannot move {str(src)!r}: no file or folder there.", path=str(src))
    try:
        if not _rename(src, dst):
            _copy_between(src, dst)
            remove(src)
    except StorageError:
        raise
    except Exception as error:
        raise StorageError(
            f"Moving {str(src)!r} to {str(dst)!r} failed ({type(error).__name__}: {error}).", path=str(src)
        ) from error


def size_of(path: UPath) -> int:
    """Return the size in bytes of a file, or the total size of the files in a folder."""
    if _listing.is_dir(path):
        return sum(entry.size for entry in _listing.walk(path))
    if not _listing.exists(path):
        raise StorageError(f"No file or folder at {str(path)!r}.", path=str(path))
    if is_local(path):
        return os.path.getsize(_listing.local_str(path))
    return int(path.fs.size(path.path) or 0)


def n_files(path: UPath) -> int | None:
    """Return the number of files in a folder, or None for a file."""
    if _listing.is_dir(path):
        return len(_listing.walk(path))
    if not _listing.exists(path):
        raise StorageError(f"No file or folder at {str(path)!r}.", path=str(path))
    return None


# -- writing to the local file system ------------------------------------------------


def _write_local(src: UPath, target: Path, verb: str) -> None:
    """Copy a local or remote file or folder to the local ``target``, atomically."""
    if _listing.is_dir(src):
        entries = _listing.walk(src)
        with _progress(sum(entry.size for entry in entries), f"{verb} {src.name}") as advance:
            _write_local_dir(src, entries, target, advance)
        return
    with _progress(size_of(src), f"{verb} {src.name}") as advance:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = _temp_name(target)
        try:
            _fetch(src, _source_name(src), temp, advance)
            os.replace(temp, target)
        except BaseException:
            _remove_local(str(temp))
            raise


def _write_local_dir(src: UPath, entries: list[_listing.Entry], target: Path, advance: _Advance) -> None:
    """Stage every file of a folder in a temporary folder, then move them into ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = _temp_name(target)
    try:
        staging.mkdir()
        for entry in entries:
            _fetch(src, entry.path, staging / entry.key, advance)
        _install_dir(staging, target, [entry.key for entry in entries])
    finally:
        _remove_local(str(staging))


def _install_dir(staging: Path, target: Path, keys: list[str]) -> None:
    """Rename a staged folder into place, or its files one by one into an existing folder."""
    if not target.exists():
        os.replace(staging, target)
        return
    for key in keys:
        final = target / key
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / key, final)


def _fetch(src: UPath, name: str, out: Path, advance: _Advance) -> None:
    """Write one file (local path or fsspec name on ``src``'s file system) to ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if is_local(src):
        _copy_bytes(name, out, advance)
    else:
        src.fs.get_file(name, str(out), callback=_callback(advance))


def _copy_bytes(source: str, out: Path, advance: _Advance) -> None:
    with open(source, "rb") as reader, open(out, "xb") as writer:
        _copy_chunks(reader, writer, advance)


def _copy_chunks(reader: BinaryIO, writer: BinaryIO, advance: _Advance) -> None:
    while chunk := reader.read(CHUNK_SIZE):
        writer.write(chunk)
        _faults.point("mid-upload")
        advance(len(chunk))


def _temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _remove_local(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def _source_name(path: UPath) -> str:
    return _listing.local_str(path) if is_local(path) else path.path


# -- writing to fsspec file systems --------------------------------------------------


def _put_remote(source: Path, dst: UPath, fresh: bool) -> None:
    """Upload a local file or folder (concurrently, verified); on failure remove what this call created."""
    fs, base = dst.fs, dst.path.rstrip("/")
    if source.is_dir():
        pairs = upload.pairs_for(source, base, _listing.walk(create_path(source)))
        existing = set() if fresh else _existing_below(fs, base)
    else:
        pairs = upload.pairs_for(source, base, None)
        existing = set() if fresh or not fs.exists(base) else {base}
    with _progress(sum(p.size for p in pairs), f"Uploading {source.name}") as advance:
        try:
            upload.put_pairs(fs, pairs, advance, _callback)
        except BaseException:
            _remove_remote(fs, [p.remote for p in pairs if p.remote not in existing])
            raise


def _existing_below(fs: AbstractFileSystem, base: str) -> set[str]:
    """The objects already at or below ``base`` (one listing)."""
    return set(fs.find(base))


def _remove_remote(fs: AbstractFileSystem, names: list[str]) -> None:
    """Best-effort removal of files after a failed upload."""
    for name in names:
        try:
            if fs.exists(name):
                fs.rm_file(name)
        except Exception:  # noqa: BLE001 - cleanup must not hide the upload error
            continue


# -- moving --------------------------------------------------------------------------


def _rename(src: UPath, dst: UPath) -> bool:
    """Rename within one file system; return False when a copy is needed instead."""
    if is_local(src) and is_local(dst):
        target = Path(_listing.local_str(dst))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(_listing.local_str(src), target)
        except OSError:
            return False
        return True
    if not is_local(src) and not is_local(dst) and src.fs is dst.fs:
        _rename_remote(src.fs, src, dst.path.rstrip("/"))
        return True
    return False


def _rename_remote(fs: AbstractFileSystem, src: UPath, target: str) -> None:
    """Move file by file (server-side copies on object stores), so folders move the same everywhere."""
    if not _listing.is_dir(src):
        fs.mv(src.path, target)
        return
    for entry in _listing.walk(src):
        fs.mv(entry.path, f"{target}/{entry.key}")
    if fs.exists(src.path):
        fs.rm(src.path, recursive=True)


def _copy_between(src: UPath, dst: UPath) -> None:
    if is_local(src):
        put(_listing.local_str(src), dst)
    elif is_local(dst):
        get(src, _listing.local_str(dst))
    else:
        with tempfile.TemporaryDirectory(prefix="biolake-move-") as folder:
            staged = get(src, Path(folder) / (src.name or "data"))
            put(staged, dst)


# -- progress ------------------------------------------------------------------------


@contextmanager
def _progress(total: int, description: str) -> Iterator[_Advance]:
    """Yield a function that advances a transient progress bar (no bar below the threshold)."""
    if total <= PROGRESS_THRESHOLD:
        yield _ignore
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def _ignore(_: int) -> None:
    return None


def _callback(advance: _Advance) -> Callback:
    """Return an fsspec callback that forwards the bytes of one file to ``advance``."""
    from fsspec.callbacks import Callback

    seen = [0]

    def hook(size: int | None, value: int) -> None:
        if value:
            _faults.point("mid-upload")
        advance(value - seen[0])
        seen[0] = value

    return Callback(hooks={"progress": hook})
