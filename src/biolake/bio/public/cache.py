"""The compact per-source cache: one parquet file per (source, version, content).

The first load of a source reads its upstream file (NCBITaxon: about 5 s) and writes
``<cache>/<source name>/<version>-<key>.parquet``; every later load memory-maps that file
(NCBITaxon: about 0.1 s). ``<key>`` hashes the source's fingerprint and the cache format,
so a new upstream file or a new biolake table layout gets a new cache file instead of a
stale one. Writes go to a temporary file that is renamed into place, so two processes
building the same cache at once both end up reading a complete file.

The folder is ``cache_dir`` if given, else ``$BIOLAKE_CACHE_DIR/public`` (the biolake
cache: ``~/.cache/biolake/public`` unless ``BIOLAKE_CACHE_DIR`` or ``BIOLAKE_HOME`` is set).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from biolake.setup.store import default_cache_dir

if TYPE_CHECKING:
    import pyarrow as pa

    from biolake.bio.public.sources import SourceSpec

CACHE_FORMAT = 1  # bump when the table layout written by the readers changes
PUBLIC_DIR = "public"
ROW_GROUP_ROWS = 1 << 21  # one row group (so one Arrow chunk per column) for every shipped source


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds the public-source cache."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    return default_cache_dir() / PUBLIC_DIR


def cache_path(spec: SourceSpec, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where the table of ``spec`` is cached."""
    key = hashlib.sha256(f"{CACHE_FORMAT}|{spec.reader}|{spec.fingerprint}".encode()).hexdigest()[:12]
    return cache_root(cache_dir) / _safe(spec.name) / f"{_safe(spec.version)}-{key}.parquet"


def load_table(spec: SourceSpec, cache_dir: str | os.PathLike[str] | None = None) -> tuple[pa.Table, Path]:
    """The table of ``spec`` from its cache file, building that file first if it is missing.

    Returns:
        The table and the path of its cache file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = cache_path(spec, cache_dir)
    if path.exists():
        try:
            return pq.read_table(path, memory_map=True), path
        except (OSError, pa.ArrowException):  # a truncated or foreign file: build it again
            pass
    table = spec.read()
    write_table(table, path)
    return table, path


def write_table(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` as zstd parquet, atomically."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd", row_group_size=ROW_GROUP_ROWS)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a small text file atomically (temporary file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", part).strip(".") or "_"
