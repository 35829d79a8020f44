"""The Python environment of a run, as ``pip freeze``-style text, read without spawning pip."""

from __future__ import annotations

import importlib.metadata
import platform
import re


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_freeze() -> str:
    """``name==version`` lines of the installed distributions, sorted, plus the Python version.

    Uses ``importlib.metadata``, so it costs milliseconds, not a ``pip`` subprocess.
    """
    seen: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if not name:
            continue
        seen.setdefault(_normalize(name), f"{name}=={dist.version}")
    lines = [f"# python {platform.python_version()}", *sorted(seen.values(), key=str.lower)]
    return "\n".join(lines) + "\n"
