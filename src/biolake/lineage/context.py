"""``ln.track()`` and ``ln.finish()``: the run of a script, notebook or pipeline."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from django.db import transaction
from django.utils import timezone

from biolake import _logging as log
from biolake import _process
from biolake.errors import TrackingError
from biolake.lineage import notebook, rscript, run_labels, source
from biolake.lineage.capture import OutputCapture
from biolake.lineage.fd_capture import FdCapture
from biolake.lineage.run_start import start_run
from biolake.lineage.environment import pip_freeze
from biolake.lineage.transforms import transform_for_file, transform_for_pipeline
from biolake.models import Artifact, Run
from biolake.models.constants import RUN_ARTIFACT_KIND
from biolake.models.feature_values import features_by_name
from biolake.setup import ensure_ready
from biolake.setup.settings import settings

RUN_UID_ENV = "BIOLAKE_RUN_UID"


@dataclass
class Tracking:
    """What ``ln.track()`` started, kept in :data:`biolake._process.tracking` until ``finish()``."""

    run: Any
    path: Path | None = None
    is_notebook: bool = False
    capture: OutputCapture | FdCapture | None = None


def _tracking() -> Tracking | None:
    tracking: Tracking | None = _process.tracking.get()
    return tracking


def track(
    transform: Any = None,
    *,
    project: Any = None,
    space: Any = None,
    branch: Any = None,
    features: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    new_run: bool | None = None,
    path: str | os.PathLike[str] | None = None,
    initiated_by_run: Any = None,
) -> Any:
    """Start a run of the calling script or notebook (or of ``transform``) and return it.

    Args:
        transform: a Transform for pipelines, e.g. ``ln.Transform(key="my-pipeline", type="pipeline", version="1.2.0")``.
        project: a Project (or its name or uid) that labels the transform and the artifacts,
            collections, transforms and records created during the run.
        space: a Space (or its name or uid) that holds the records created during the run.
        branch: a Branch (or its name or uid) on which the run and the records created during it
            are stored; ``ln.finish()`` returns to the branch that was current before.
        features: feature values of the run, e.g. ``{"cell_type_by_expert": "T cell"}`` (the
            features must exist); ``run.features.get_values()`` returns them.
        params: run parameters, stored as JSON and queryable (``ln.Run.filter(params__lr=0.1)``).
        new_run: ``True`` starts a new run, ``False`` re-starts the latest run of the transform;
            default: a new run, except for notebooks.
        path: the script or notebook file, when it cannot be detected.
        initiated_by_run: the parent run (default: the run named by ``$BIOLAKE_RUN_UID``).

    Example:
        >>> ln.track(params={"lr": 0.1})  # doctest: +SKIP
    """
    ensure_ready()  # a fresh process: the database is set up before a transaction
    labels = run_labels.resolve_both(project, space)
    target_branch = run_labels.resolve_branch(branch)
    if features:
        features_by_name(list(features))  # unknown features fail before anything is created
    tracking = _tracking()
    if tracking is not None and tracking.run.status == "started":
        _close(tracking, status="completed")
    code_path = None if transform is not None else _detect_path(path)
    is_notebook = code_path is not None and code_path.suffix == ".ipynb"
    run_labels.start_branch(target_branch)
    try:
        with transaction.atomic() if features else contextlib.nullcontext():  # a bad value: no transform, no run
            record = transform_for_pipeline(transform) if code_path is None else transform_for_file(code_path)
            run, restarted = start_run(record, params=params, new_run=new_run, is_notebook=is_notebook,
                                       cli_args=None if is_notebook else " ".join(sys.argv[1:]) or None,
                                       parent=initiated_by_run or _parent_from_env(), features=features)
    except BaseException:
        run_labels.restore_branch()
        raise
    created = record.__dict__.pop("_created_here", False)
    _start(run, code_path, is_notebook)
    run_labels.start(record, *labels)
    started = f"re-started Run('{run.uid}') at {run.started_at:%Y-%m-%d %H:%M:%S} UTC" if restarted else f"started new Run('{run.uid}')"
    log.success(f"{'created' if created else 'loaded'} Transform('{record.uid}'), {started}")
    return run


def _detect_path(path: str | os.PathLike[str] | None) -> Path:
    if path is not None:
        resolved = Path(path).resolve()
        if not resolved.exists():
            raise TrackingError(f"ln.track(path={str(path)!r}): no such file.")
        return resolved
    if notebook.in_kernel():
        found = notebook.notebook_path()
        if found is None:
            raise TrackingError(
                "Could not find this notebook's path (no Jupyter server session matched this kernel): "
                "call ln.track(path='my_notebook.ipynb')."
            )
        return found
    main = sys.modules.get("__main__")
    main_file = getattr(main, "__file__", None)
    r_file = None if main_file else rscript.r_source()
    if r_file is not None:  # Python embedded in R (the R package biolaker, Rscript --file=)
        return r_file
    if not main_file:
        raise TrackingError(
            "ln.track() found no script (interactive session?): pass path='script.py' or "
            "transform=ln.Transform(key=..., type='pipeline')."
        )
    return Path(main_file).resolve()


def _parent_from_env() -> Any:
    uid = os.environ.get(RUN_UID_ENV)
    return Run.filter(uid=uid).first() if uid else None


def _start(run: Any, path: Path | None, is_notebook: bool) -> None:
    tracking = Tracking(run, path, is_notebook)
    _process.tracking.set_process(tracking)
    _process.run.set_process(run)  # the whole process: worker threads save into this run too
    os.environ[RUN_UID_ENV] = run.uid
    if path is not None and not is_notebook:
        capture = FdCapture if rscript.is_r_code(path) else OutputCapture  # R prints through C's stdio
        tracking.capture = capture(settings.cache_dir / "run_logs" / f"{run.uid}.log")
        tracking.capture.start()
        _install_exit_hooks()


def finish(ignore_non_consecutive: bool | None = None) -> Any:
    """Finish the current run: store its report and environment and mark it completed.

    Args:
        ignore_non_consecutive: for a notebook whose cells ran out of order: ``None`` warns,
            ``True`` finishes silently, ``False`` refuses (the run stays open; re-run the
            notebook top to bottom first).
    """
    tracking = _tracking()
    if tracking is None:
        raise TrackingError("ln.finish() needs a run: call ln.track() first.")
    return _close(tracking, status="completed", ignore_non_consecutive=ignore_non_consecutive)


def _close(tracking: Tracking, status: str, ignore_non_consecutive: bool | None = None) -> Any:
    run = tracking.run
    if tracking.is_notebook and tracking.path is not None:
        _check_order(tracking.path, ignore_non_consecutive)
    run_labels.clear()  # the run's own report and environment are not the project's
    if tracking.is_notebook and tracking.path is not None:
        _finish_notebook(run, tracking.path)
    elif tracking.capture is not None:
        log_path = tracking.capture.stop()
        tracking.capture = None
        log_path.write_text(source.redact_secrets(log_path.read_text(encoding="utf-8")), encoding="utf-8")
        run.report = _run_artifact(log_path, f"log of Run('{run.uid}')", previous=run.report)
    run.environment = _environment_artifact()
    run.finished_at = timezone.now()
    run.status = status
    run.save()
    run_labels.restore_branch()
    _process.tracking.set_process(None)
    _process.run.set_process(None)
    os.environ.pop(RUN_UID_ENV, None)
    if status == "completed":
        log.success(f"finished Run('{run.uid}')")
    return run


def _check_order(path: Path, ignore: bool | None) -> None:
    late = notebook.out_of_order_cells(path.read_text(encoding="utf-8"))
    if not late or ignore:
        return
    message = f"cells of {path.name} ran out of order (execution counts {late}); re-run it top to bottom"
    if ignore is False:
        raise TrackingError(f"ln.finish(): {message}, or pass ignore_non_consecutive=True. The run is still open.")
    log.warning(message)


def _finish_notebook(run: Any, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    transform = run.transform
    stored = source.redact_secrets(text)
    transform.source_code, transform.hash = stored, source.source_hash(path, stored)
    transform.save()
    run.report = notebook_report(run, path)


def notebook_report(run: Any, path: Path) -> Any:
    """The HTML rendering of a notebook, saved as the report artifact of ``run``."""
    report = notebook.html_report(path, settings.cache_dir / "run_logs" / f"{run.uid}.html")
    return _run_artifact(report, f"report of Run('{run.uid}')", previous=run.report)


def html_run_artifact(run: Any, html: Path) -> Any:
    """A rendered HTML report (e.g. of an R Markdown document), saved as the report artifact of ``run``."""
    copy = settings.cache_dir / "run_logs" / f"{run.uid}.html"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(html.read_bytes())
    return _run_artifact(copy, f"report of Run('{run.uid}')", previous=run.report)


def _run_artifact(path: Path, description: str, previous: Any = None) -> Any:
    """``path`` saved as a run artifact; with ``previous`` (the report of a re-started run), as its next version."""
    artifact = Artifact(path, description=description, kind=RUN_ARTIFACT_KIND, revises=previous)
    if artifact._state.adding:
        artifact.run = None  # run artifacts are not outputs of their own run
    return artifact.save()


def _environment_artifact() -> Any:
    path = settings.cache_dir / "run_logs" / "run_env_pip.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(pip_freeze(), encoding="utf-8")
    return _run_artifact(path, "Python environment (pip freeze)")


# -- scripts that end without finish(), or with an exception ------------------------------------
def _install_exit_hooks() -> None:
    if _process.exit_hooks_installed.get():
        return
    previous = sys.excepthook

    def excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        previous(kind, error, tb)  # print the traceback first, so the log holds it
        tracking = _tracking()
        if tracking is not None:
            _close(tracking, status="errored")

    sys.excepthook = excepthook
    atexit.register(_finish_at_exit)
    _process.exit_hooks_installed.set_process(True)


def _finish_at_exit() -> None:
    tracking = _tracking()
    if tracking is not None and tracking.run.status == "started":
        _close(tracking, status="completed")


class Context:
    """The run context of this process, LaminDB's ``ln.context``: ``track()``, ``finish()``, ``run``, ``transform``.

    Example:
        >>> ln.context.track()  # doctest: +SKIP
        >>> ln.context.run, ln.context.transform  # doctest: +SKIP
    """

    track = staticmethod(track)
    finish = staticmethod(finish)

    @property
    def run(self) -> Any:
        """The current run (``ln.track()`` or ``@ln.tracked()``), or ``None``."""
        return _process.run.get()

    @property
    def transform(self) -> Any:
        """The transform of the current run, or ``None``."""
        run = self.run
        return run.transform if run is not None else None

    def __repr__(self) -> str:
        run = self.run
        return f"Context(run={run.uid!r})" if run is not None else "Context(run=None)"


context = Context()
