"""Register a script or notebook that ran outside ``track()`` (``biolake save analysis.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import timezone

from biolake.errors import PathExistsError, TrackingError
from biolake.lineage.context import html_run_artifact, notebook_report
from biolake.lineage.rscript import R_NOTEBOOK_SUFFIXES
from biolake.lineage.transforms import transform_for_file
from biolake.models import Run, Transform

CODE_SUFFIXES = (".py", ".ipynb", ".r", ".rmd", ".qmd")


def save_code(path: str | Path, report: str | Path | None = None) -> tuple[Any, Any]:
    """Store the source of a script or notebook as a Transform; for a notebook also a Run
    whose report is the HTML rendering of its saved outputs. Returns ``(transform, run or None)``.

    For an R Markdown or Quarto document (``.Rmd``/``.qmd``) the report is its rendered HTML:
    ``report``, else the ``.html`` beside it. It is attached to the transform's latest run (the
    one ``ln.track()`` started while the document was rendered), or to a new run.
    """
    path = Path(path).resolve()
    if path.suffix.lower() not in CODE_SUFFIXES or not path.is_file():
        raise TrackingError(
            f"{str(path)!r} is not a script (.py, .R) or notebook (.ipynb, .Rmd, .qmd) file."
        )
    transform = transform_for_file(path)
    if path.suffix.lower() in R_NOTEBOOK_SUFFIXES:
        return transform, _attach_html_report(transform, path, report)
    if path.suffix != ".ipynb":
        return transform, None
    now = timezone.now()
    run = Run(transform=transform, started_at=now, finished_at=now, status="completed").save()
    run.report = notebook_report(run, path)
    run.save()
    return transform, run


def _attach_html_report(transform: Any, path: Path, report: str | Path | None) -> Any:
    html = Path(report) if report is not None else path.with_suffix(".html")
    if not html.is_file():
        raise TrackingError(
            f"No rendered report {str(html)!r} for {path.name}: render it first "
            f"(rmarkdown::render({path.name!r}) or quarto render) or pass report='....html'."
        )
    run = transform.runs.order_by("-started_at", "-id").first()
    if run is None:
        now = timezone.now()
        run = Run(transform=transform, started_at=now, finished_at=now, status="completed").save()
    run.report = html_run_artifact(run, html)
    run.save()
    return run


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
