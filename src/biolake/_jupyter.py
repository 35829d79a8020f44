"""Whether this process runs inside a Jupyter kernel (where output can be drawn, not printed)."""

from __future__ import annotations

import sys
from typing import Any


def ipython_shell() -> Any:
    """The running IPython shell, if IPython is loaded and one runs."""
    module = sys.modules.get("IPython")
    return module.get_ipython() if module is not None else None


def in_kernel() -> bool:
    """Whether this code runs inside a Jupyter kernel."""
    shell = ipython_shell()
    return shell is not None and getattr(shell, "kernel", None) is not None
