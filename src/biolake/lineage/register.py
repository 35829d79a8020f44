"""Register a script or notebook that ran outside ``track()`` (``biolake save analysis.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import timezone

from biolake.errors import PathExistsError, TrackingError
from biolake.lineage.context import notebook_report
from biolake.lineage.transforms import transform_for_file
from biolake.models import Run, Transform

CODE_SUFFIXES = (".py", ".ipynb")


def save_code(path: str | Path) -> tuple[Any, Any]:
    """Store the source of a script or notebook as a Transform; for a notebook also a Run
    whose report is the HTML rendering of its saved outputs. Returns ``(transform, run or None)``.
    """
    path = Path(path).resolve()
    if path.suffix not in CODE_SUFFIXES or not path.is_file():
        raise TrackingError(f"{str(path)!r} is not a script (.py) or notebook (.ipynb) file.")
    transform = transform_for_file(path)
    if path.suffix != ".ipynb":
        return transform, None
    now = timezone.now()
    run = Run(transform=transform, started_at=now, finished_at=now, status="completed").save()
    run.report = notebook_report(run, path)
    run.save()
    return transform, run


def find_transform(uid_or_key: str) -> Any:
    """The transform named by a uid, a 12-char uid stem or a key (latest version)."""
    if uid_or_key.isascii() and uid_or_key.isalnum() and len(uid_or_key) in (12, 16):
        found = Transform.filter(uid__startswith=uid_or_key).order_by("-uid").first()
        if found is not None:
            return found
    return Transform.get(key=uid_or_key)


def load_code(uid_or_key: str, destination: str | Path | None = None, force: bool = False) -> Path:
    """Write a transform's stored source back to a file (default: its key's file name here)."""
    transform = find_transform(uid_or_key)
    if not transform.source_code:
        raise TrackingError(f"Transform {transform.uid} ({transform.key}) has no stored source code.")
    target = Path(destination) if destination else Path(Path(transform.key or transform.uid).name)
    if target.exists() and target.read_text(encoding="utf-8") != transform.source_code and not force:
        raise PathExistsError(f"{str(target)!r} exists with other content; pass --force to overwrite it.", path=str(target))
    target.write_text(transform.source_code, encoding="utf-8")
    return target
