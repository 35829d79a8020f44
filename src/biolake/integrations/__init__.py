"""Integrations with tools around biolake: Vitessce configs, PyTorch Lightning, R.

Each integration loads only when used (``ln.integrations.lightning`` imports Lightning on
first access), so ``import biolake`` and ``ln.integrations`` stay cheap.

Example:
    >>> import biolake as ln
    >>> ln.integrations.save_vitessce_config(config, description="my view")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from biolake.integrations import lightning, r
    from biolake.integrations.vitessce import save_vitessce_config

__all__ = ["lightning", "r", "save_vitessce_config"]

_LAZY: dict[str, tuple[str, str | None]] = {
    "lightning": ("biolake.integrations.lightning", None),
    "r": ("biolake.integrations.r", None),
    "save_vitessce_config": ("biolake.integrations.vitessce", "save_vitessce_config"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    return module if attribute is None else getattr(module, attribute)


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
