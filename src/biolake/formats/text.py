"""Text files that parse into Python objects: plain text, JSON, YAML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def load_text(path: Path, suffix: str, encoding: str = "utf-8", **kwargs: Any) -> str:
    """The file's text."""
    return path.read_text(encoding=encoding, **kwargs)


def load_json(path: Path, suffix: str, **kwargs: Any) -> Any:
    """A JSON document (dict, list, ...)."""
    with path.open("r", encoding="utf-8") as f:
        return json.load(f, **kwargs)


def load_yaml(path: Path, suffix: str, **kwargs: Any) -> Any:
    """A YAML document, read with ``yaml.safe_load`` (usually a dict)."""
    import yaml

    with path.open("r", encoding="utf-8") as f:
        return yaml.safe_load(f, **kwargs)
