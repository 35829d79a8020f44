"""The Python environment of a run, as ``pip freeze``-style text, read without spawning pip."""

from __future__ import annotations

import importlib.metadata
import io
import platform
import re


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_freeze() -> str:
    """``name==version`` lines of the installed distributions, sorted, plus the Python version.

    Reads each distribution's name and version from the head of its metadata file
    (``importlib.metadata`` finds them): milliseconds, not a ``pip`` subprocess, and no
    parse of the whole file (descriptions can be long).
    """
    seen: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        found = _name_version(dist)
        if found is not None:
            seen.setdefault(_normalize(found[0]), f"{found[0]}=={found[1]}")
    lines = [f"# python {platform.python_version()}", *sorted(seen.values(), key=str.lower)]
    return "\n".join(lines) + "\n"


def _name_version(dist: importlib.metadata.Distribution) -> tuple[str, str] | None:
    """``(Name, Version)`` from the headers of ``METADATA`` (``PKG-INFO`` for eggs), or ``None``."""
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO")
    if not text:
        return None
    fields: dict[str, str] = {}
    for line in io.StringIO(text):
        if not line.strip():  # the headers end at the first blank line
            break
        key, _, value = line.partition(":")
        if key in ("Name", "Version"):
            fields.setdefault(key, value.strip())
            if len(fields) == 2:
                return fields["Name"], fields["Version"]
    return None
