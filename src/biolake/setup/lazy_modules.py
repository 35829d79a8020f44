"""Subpackages that Django imports eagerly but the first query never uses, imported on first use.

Django's model fields do ``from django import forms`` only for ``Field.formfield()``; that
import pulls in templates, the system checks, e-mail and HTML parsing (about 30 modules). A
process that queries registries needs none of them, so :func:`defer` sets the attribute
``forms`` of the ``django`` package to a stand-in *before* Django's models are imported:
``from django import forms`` then binds the stand-in without importing anything, and the first
attribute looked up on it (``forms.CharField``: a migration, a form, ``biolake serve``) imports
the real ``django.forms`` through the ordinary import system and hands that attribute over.

The stand-in is not in ``sys.modules``, so ``import django.forms`` (anywhere, any thread)
is an ordinary import that replaces the attribute of the parent package with the real
module; only the names bound before that keep the stand-in, which forwards to the module.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__ = ["DEFERRED", "Deferred", "defer"]

# ``from <parent> import <child>`` statements on the way to the first query whose module is not used there
DEFERRED = ("django.forms",)


class Deferred(types.ModuleType):
    """Stands in for a submodule until one of its attributes is needed."""

    def __init__(self, name: str) -> None:
        super().__init__(name, f"Stands in for {name}, imported on first use.")
        self.__biolake_module__: types.ModuleType | None = None

    def resolve(self) -> types.ModuleType:
        """The real module (imported now if no one has imported it yet)."""
        module = self.__biolake_module__
        if module is None:
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
