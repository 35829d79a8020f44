"""A :class:`Format`: how one family of files is written, loaded, opened and counted.

Handlers are callables or ``"package.module:function"`` strings imported on first
use (:meth:`Format.handler`), so declaring a format imports nothing.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import sys
from collections.abc import Callable
from typing import Any, Union

__all__ = ["Format", "Handler"]

Handler = Union[Callable[..., Any], str, None]
"""A handler: a callable, an import string ``"package.module:function"``, or None."""


@dataclasses.dataclass(frozen=True)
class Format:
    """How one family of files is written, loaded, opened and counted.

    Args:
        name: Short name, also accepted as ``format=`` by
            :func:`~biolake.formats.registry.default_suffix`
            (``"parquet"``, ``"csv"``, ``"zarr"``).
        suffixes: Lower-case suffixes with a leading dot; the first one is the
            default when writing. Compound suffixes (``".csv.gz"``) are allowed.
        otype: Object type that ``loader`` returns and ``writer`` accepts
            (``"DataFrame"``), or None for files that are not loaded as a data object.
        writer: Writes an object to a path.
        loader: Loads a path into memory (or returns the path itself).
        opener: Gives backed or lazy access without loading everything.
        counter: Counts the observations of an object of type ``otype``.
        requires: Importable modules the handlers need; a clear error with an
            install hint is raised when one is missing.
        tabular: Whether the format holds one table of observations.
    """

    name: str
    suffixes: tuple[str, ...]
    otype: str | None = None
    writer: Handler = None
    loader: Handler = None
    opener: Handler = None
    counter: Handler = None
    requires: tuple[str, ...] = ()
    tabular: bool = False

    def handler(self, role: str) -> Callable[..., Any] | None:
        """Return the callable for ``role`` (``"writer"``, ``"loader"``, ...), importing it if needed."""
        spec: Handler = getattr(self, role)
        if spec is None or callable(spec):
            return spec
        self._check_requires()
        return _resolve(spec)

    def _check_requires(self) -> None:
        for module in self.requires:
            if module not in sys.modules and importlib.util.find_spec(module) is None:
                raise ModuleNotFoundError(
                    f"Format '{self.name}' ({', '.join(self.suffixes)}) needs the '{module}' package:"
                    f" pip install {module}",
                    name=module,
                )


def _resolve(spec: str) -> Callable[..., Any]:
    module_name, _, attr = spec.partition(":")
    if not attr:
        module_name, _, attr = spec.rpartition(".")
    handler: Callable[..., Any] = getattr(importlib.import_module(module_name), attr)
    return handler
