"""The format registry: suffix → how to write, load, open and count an object.

The registry maps file suffixes (``".parquet"``, ``".h5ad"``, ...) to a
:class:`Format` and object types (``"DataFrame"``, ``"AnnData"``, ...) to the
class that identifies them. Handlers may be given as callables or as
``"package.module:function"`` strings that are imported on first use, so
registering a format never imports pandas or anndata.

Handler signatures::

    writer(obj, path: Path, suffix: str, **kwargs) -> None
    loader(path: Path, suffix: str, **kwargs) -> Any
    opener(path: Path | UPath, suffix: str, **kwargs) -> Any
    counter(obj) -> int | None

Example:
    >>> from biolake.formats import registry
    >>> registry.default_suffix("DataFrame")
    '.parquet'
    >>> registry.otype_from_suffix(".h5ad")
    'AnnData'
"""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, Union

from biolake.errors import UnknownFormatError
from biolake.formats._builtin import BUILTIN_FORMATS, BUILTIN_OTYPES
from biolake.formats._format import Format

if TYPE_CHECKING:
    from upath import UPath

    PathLike = Union[str, "os.PathLike[str]", UPath]
else:
    PathLike = Union[str, "os.PathLike[str]"]

__all__ = [
    "Format",
    "default_suffix",
    "get_format",
    "infer_otype",
    "infer_suffix",
    "is_tabular_suffix",
    "known_suffixes",
    "load",
    "n_observations",
    "open",
    "otype_from_suffix",
    "register",
    "register_otype",
    "write",
]

_CACHE_HINT = "`.cache()` returns a local path, which always works"


class _Registry:
    """Suffix and object-type tables, filled with the built-in formats on first use."""

    def __init__(self) -> None:
        self.formats: list[Format] = []
        self.by_suffix: dict[str, Format] = {}
        self.otypes: dict[str, tuple[str, str]] = {}
        self._lock = threading.RLock()
        self._builtins_loaded = False
        self._builtins_loading = False

    def ensure_builtins(self) -> None:
        if self._builtins_loaded:
            return
        with self._lock:  # re-entrant: the built-ins call register() while loading
            if self._builtins_loaded or self._builtins_loading:
                return
            self._builtins_loading = True
            try:
                for otype, (module, qualname) in BUILTIN_OTYPES.items():
                    register_otype(otype, module, qualname)
                for fmt in BUILTIN_FORMATS:
                    register(fmt)
                self._builtins_loaded = True
            finally:
                self._builtins_loading = False

    def add(self, fmt: Format, replace: bool) -> None:
        with self._lock:
            for suffix in fmt.suffixes:
                existing = self.by_suffix.get(suffix)
                if existing is not None and existing.name != fmt.name and not replace:
                    raise ValueError(
                        f"Suffix '{suffix}' is already registered by format '{existing.name}';"
                        " pass replace=True to override it"
                    )
            self.formats = [f for f in self.formats if f.name != fmt.name]
            self.formats.append(fmt)
            for suffix in fmt.suffixes:
                self.by_suffix[suffix] = fmt


_REGISTRY = _Registry()


def _tables() -> _Registry:
    _REGISTRY.ensure_builtins()
    return _REGISTRY


def _normalize_suffix(suffix: str) -> str:
    suffix = suffix.strip().lower()
    if suffix and not suffix.startswith("."):
        suffix = "." + suffix
    return suffix


# --- registration -----------------------------------------------------------------------------


def register(fmt: Format, *, replace: bool = False) -> Format:
    """Register a format for its suffixes.

    A format with the same ``name`` is replaced. Taking a suffix from another
    format raises ``ValueError`` unless ``replace=True``.

    Example:
        >>> register(Format("mytext", (".mytxt",), loader="pathlib:Path.read_text"))  # doctest: +SKIP
    """
    normalized = tuple(_normalize_suffix(s) for s in fmt.suffixes)
    if any(not s for s in normalized):
        raise ValueError("A format needs non-empty suffixes")
    if normalized != fmt.suffixes:
        fmt = dataclasses.replace(fmt, suffixes=normalized)
    _tables().add(fmt, replace)
    return fmt


def register_otype(otype: str, module: str, qualname: str) -> None:
    """Declare that objects of class ``module.qualname`` have object type ``otype``.

    The class is only looked up when ``module`` is already imported, so
    :func:`infer_otype` never imports it.
    """
    _REGISTRY.otypes[otype] = (module, qualname)


def get_format(suffix: str) -> Format | None:
    """Return the format registered for ``suffix``, or None."""
    return _tables().by_suffix.get(_normalize_suffix(suffix))


def known_suffixes() -> list[str]:
    """All registered suffixes, sorted."""
    return sorted(_tables().by_suffix)


# --- inference --------------------------------------------------------------------------------


def infer_otype(obj: object) -> str | None:
    """Object type of ``obj``: ``"DataFrame"``, ``"AnnData"``, ``"MuData"``, or None.

    Never imports a library: an object cannot be an AnnData if anndata is not imported.

    Example:
        >>> import pandas as pd
        >>> infer_otype(pd.DataFrame())
        'DataFrame'
        >>> infer_otype("text") is None
        True
    """
    tables = _tables()
    for otype, (module, qualname) in tables.otypes.items():
        mod = sys.modules.get(module)
        if mod is None:
            continue
        cls = getattr(mod, qualname, None)
        if isinstance(cls, type) and isinstance(obj, cls):
            return otype
    return None


def infer_suffix(path: PathLike) -> str:
    """Suffix of a file or folder name, preferring the longest registered one.

    ``"x.anndata.zarr"`` → ``".anndata.zarr"``, ``"t.csv.gz"`` → ``".csv.gz"``,
    ``"my.data.parquet"`` → ``".parquet"``, ``"folder"`` → ``""``.
    """
    name = PurePath(str(path).rstrip("/")).name.lower()
    matches = [s for s in _tables().by_suffix if name.endswith(s) and len(name) > len(s)]
    if matches:
        return max(matches, key=len)
    return PurePath(name).suffix


def otype_from_suffix(suffix: str) -> str | None:
    """Object type that loading a file with ``suffix`` gives, or None.

    Example:
        >>> otype_from_suffix(".parquet")
        'DataFrame'
    """
    fmt = get_format(suffix)
    return fmt.otype if fmt is not None else None


def is_tabular_suffix(suffix: str) -> bool:
    """Whether ``suffix`` holds a single table (parquet, csv, tsv)."""
    fmt = get_format(suffix)
    return bool(fmt is not None and fmt.tabular)


def default_suffix(otype: str, format: str | None = None) -> str:
    """Suffix used to write an object of type ``otype``.

    Args:
        otype: ``"DataFrame"``, ``"AnnData"`` or ``"MuData"``.
        format: Optional format name or suffix (``"csv"``, ``"zarr"``, ``".h5ad"``).

    Example:
        >>> default_suffix("AnnData", format="zarr")
        '.zarr'
    """
    candidates = [f for f in _tables().formats if f.otype == otype and f.writer is not None]
    if not candidates:
        raise UnknownFormatError(f"No format can write objects of type '{otype}'", suffix=None)
    if format is None:
        return candidates[0].suffixes[0]
    wanted = _normalize_suffix(format)
    for fmt in candidates:
        if fmt.name == format.lower():
            return fmt.suffixes[0]
        if wanted in fmt.suffixes:
            return wanted
    names = sorted({f.name for f in candidates})
    raise UnknownFormatError(
        f"Cannot write '{otype}' as format '{format}'; choose one of {names}", suffix=wanted
    )


# --- operations -------------------------------------------------------------------------------


def write(obj: object, path: Path, suffix: str, **kwargs: Any) -> None:
    """Write ``obj`` to ``path`` in the format of ``suffix``.

    Example:
        >>> write(df, Path("table.parquet"), ".parquet")  # doctest: +SKIP
    """
    suffix = _normalize_suffix(suffix)
    fmt = get_format(suffix)
    otype = infer_otype(obj)
    if fmt is None or fmt.writer is None:
        raise UnknownFormatError(
            f"No writer for suffix '{suffix}'; writable suffixes: {_suffixes_with('writer')}",
            suffix=suffix,
        )
    if fmt.otype != otype:
        raise UnknownFormatError(
            f"Cannot write an object of type '{otype or type(obj).__name__}' as '{suffix}'"
            f" (which holds {fmt.otype})",
            suffix=suffix,
        )
    writer = fmt.handler("writer")
    assert writer is not None
    writer(obj, Path(path), suffix, **kwargs)


def load(path: Path, suffix: str | None = None, **kwargs: Any) -> Any:
    """Load what is loadable, else return the path.

    Data formats load into objects (``.parquet`` → DataFrame, ``.h5ad`` → AnnData,
    ``.json`` → dict, ...); known files that are not parsed (images, html, pdf,
    folders) come back as the :class:`~pathlib.Path` itself. An unknown suffix
    raises :class:`~biolake.errors.UnknownFormatError`.

    Args:
        path: Local file or folder.
        suffix: Suffix that decides the format; inferred from ``path`` if None.
        **kwargs: Passed to the underlying reader (e.g. ``pandas.read_csv``).

    Example:
        >>> load(Path("table.parquet"))  # doctest: +SKIP
    """
    path = Path(path)
    suffix = infer_suffix(path) if suffix is None else _normalize_suffix(suffix)
    if suffix == "":
        if path.is_file():
            raise UnknownFormatError(
                f"Cannot load '{path.name}': a file without a suffix has no known format; {_CACHE_HINT}",
                suffix=suffix,
            )
        return path
    fmt = get_format(suffix)
    if fmt is None or fmt.loader is None:
        if path.is_dir():
            return path
        raise UnknownFormatError(
            f"No loader for suffix '{suffix}'; {_CACHE_HINT}. Loadable suffixes: {_suffixes_with('loader')}",
            suffix=suffix,
        )
    loader = fmt.handler("loader")
    assert loader is not None
    return loader(path, suffix, **kwargs)


def open(path: PathLike, suffix: str, **kwargs: Any) -> Any:  # noqa: A001 - mirrors Artifact.open
    """Open ``path`` for backed or lazy access without loading it into memory.

    ``.parquet`` (file or folder) → ``pyarrow.dataset.Dataset``; ``.h5ad`` → backed
    AnnData (local files only); ``.zarr`` → read-only ``zarr.Group``; ``.h5`` →
    read-only ``h5py.File``. A folder (suffix ``""``) of parquet files also opens
    as a Dataset. ``path`` may be a local path or an fsspec ``UPath``.

    Example:
        >>> dataset = open(Path("table.parquet"), ".parquet")  # doctest: +SKIP
        >>> dataset.to_table().num_rows  # doctest: +SKIP
    """
    suffix = _normalize_suffix(suffix)
    if suffix == "":
        fmt = get_format(".parquet")
    else:
        fmt = get_format(suffix)
    if fmt is None or fmt.opener is None:
        raise UnknownFormatError(
            f"Cannot open suffix '{suffix}'; open() supports {_suffixes_with('opener')}"
            f" and folders of parquet files. Use .load(), or {_CACHE_HINT}",
            suffix=suffix,
        )
    opener = fmt.handler("opener")
    assert opener is not None
    return opener(path, suffix, **kwargs)


def n_observations(obj: object) -> int | None:
    """Number of observations: rows of a DataFrame, ``n_obs`` of AnnData/MuData, else None.

    Example:
        >>> import pandas as pd
        >>> n_observations(pd.DataFrame({"a": [1, 2]}))
        2
    """
    otype = infer_otype(obj)
    if otype is None:
        return None
    for fmt in _tables().formats:
        if fmt.otype == otype and fmt.counter is not None:
            counter = fmt.handler("counter")
            assert counter is not None
            count: int | None = counter(obj)
            return count
    return None


def _suffixes_with(role: str) -> str:
    suffixes = sorted(s for s, f in _tables().by_suffix.items() if getattr(f, role) is not None)
    return ", ".join(suffixes)
