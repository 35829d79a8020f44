"""Modules that Django imports eagerly but the first query never uses, imported on first use.

Django's model fields do ``from django import forms`` only for ``Field.formfield()`` and
``from django.core import checks`` only for ``Model.check()``; those two pull in templates, caches,
e-mail and HTML parsing (about 50 modules). Its database backends do ``import sqlparse``
(to split SQL scripts and read SQLite constraints) and ``import multiprocessing`` (to clone
test databases). A process that queries registries needs none of them.

:func:`defer` sets the attribute ``forms`` of the ``django`` package (and ``checks`` of
``django.core``) to a stand-in *before* Django's models are imported: ``from django import
forms`` binds the stand-in without importing anything. Inside :func:`standing_in`,
``import sqlparse`` binds a stand-in put in ``sys.modules`` for the time of the block (the
import of Django's models, of a database backend) and removed after it. The first attribute
looked up on a stand-in (``forms.CharField``: a migration, ``biolake serve``) imports the real
module through the ordinary import system and hands that attribute over.

Outside those blocks no stand-in is in ``sys.modules``: ``import django.forms`` (anywhere, any
thread) is an ordinary import that also replaces the parent package's attribute with the real
module; only the names bound before keep the stand-in, which forwards to the module.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["DEFERRED", "STANDING_IN", "Deferred", "defer", "standing_in"]

# ``from <parent> import <child>`` on the way to the first query, with a module not used there
DEFERRED = ("django.forms", "django.core.checks")
# ``import <name>`` in Django's models and backends, with a module not used by queries
STANDING_IN = ("sqlparse", "multiprocessing")


class Deferred(types.ModuleType):
    """Stands in for a submodule until one of its attributes is needed."""

    def __init__(self, name: str) -> None:
        super().__init__(name, f"Stands in for {name}, imported on first use.")
        self.__biolake_module__: types.ModuleType | None = None

    def resolve(self) -> types.ModuleType:
        """The real module (imported now if no one has imported it yet)."""
        module = self.__biolake_module__
        if module is None:
            if sys.modules.get(self.__name__) is self:  # used inside standing_in(): give way
                sys.modules.pop(self.__name__, None)
            module = importlib.import_module(self.__name__)
            self.__biolake_module__ = module
        return module

    def __getattr__(self, name: str) -> Any:  # only names the stand-in itself lacks
        return getattr(self.resolve(), name)

    def __dir__(self) -> list[str]:
        return dir(self.resolve())

    def __repr__(self) -> str:
        return f"<deferred module {self.__name__!r}>"


def defer(names: tuple[str, ...] = DEFERRED) -> list[str]:
    """Give each parent package of ``names`` (already imported) a stand-in for its submodule,
    unless the submodule is imported already; returns the names deferred."""
    deferred = []
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = sys.modules.get(parent_name)
        if name in sys.modules or parent is None or child in vars(parent):
            continue
        setattr(parent, child, Deferred(name))
        deferred.append(name)
    return deferred


@contextmanager
def standing_in(names: tuple[str, ...] = STANDING_IN) -> Iterator[None]:
    """While the block runs, ``import X`` of a module of ``names`` that is not imported yet
    binds a stand-in (the block must not import a submodule of ``X``, as Django does not)."""
    placed: dict[str, Deferred] = {}
    for name in names:
        if name not in sys.modules and importlib.util.find_spec(name) is not None:
            placed[name] = sys.modules[name] = Deferred(name)
    try:
        yield
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
