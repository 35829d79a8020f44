"""``ln.view()``: the latest records of each registry of the current instance."""

from __future__ import annotations

from typing import Any

from biolake import _logging as log
from biolake.errors import InvalidArgument
from biolake.models.registries import all_registries, registry_name
from biolake.setup import ensure_ready

# LaminDB's module names → the Django app label of biolake's
_MODULE_ALIASES = {"core": "biolake", "lamindb": "biolake", "bionty": "bio"}


def view(*, limit: int = 7, modules: str | None = None, registries: list[str] | None = None) -> None:
    """Print the latest ``limit`` records of each registry that has any.

    Args:
        limit: how many of the latest records to show per registry.
        modules: only this schema module (``"core"``, ``"bio"``, ``"wetlab"``); default: all enabled.
        registries: only these registries, by name (``["Artifact", "ULabel"]``).

    Example:
        >>> ln.view(limit=3, registries=["Artifact"])  # doctest: +SKIP
    """
    for model in _chosen(modules, registries):
        df = model._visible().order_by("-id")[:limit].df()
        if len(df):
            log.print_renderable(f"{registry_name(model)}\n{'-' * len(registry_name(model))}\n{df.to_string()}\n")


def _chosen(modules: str | None, registries: list[str] | None) -> list[Any]:
    enabled = {"biolake", *ensure_ready().modules}
    if modules is not None:
        label = _MODULE_ALIASES.get(modules, modules)
        if label not in enabled:
            raise InvalidArgument(f"Module {modules!r} is not enabled; enabled: core, {', '.join(sorted(enabled - {'biolake'}))}.")
        enabled = {label}
    chosen = [m for m in all_registries() if m._meta.app_label in enabled]
    if registries is not None:
        chosen = [m for m in chosen if m.__name__ in registries or registry_name(m) in registries]
    return chosen
