"""The run ``ln.track()`` starts: a new one, or the latest run of the transform re-started.

As in LaminDB, ``new_run=None`` means a new run for scripts and pipelines and the latest run
(by this user) for notebooks, so re-executing a notebook does not pile up runs; ``new_run=True``
or ``False`` decides explicitly. Feature values of the run (``features={...}``) are linked in
the same transaction: a value that does not validate leaves no run behind.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from biolake.models import Run, User
from biolake.models.current import current_user_id

__all__ = ["start_run"]


def start_run(transform: Any, *, params: dict[str, Any] | None, new_run: bool | None, is_notebook: bool,
              cli_args: str | None, parent: Any, features: dict[str, Any] | None) -> tuple[Any, bool]:
    """``(run, restarted)``: the run of ``transform`` that starts now, saved with its features."""
    reuse = is_notebook if new_run is None else not new_run
    with transaction.atomic() if features else contextlib.nullcontext():  # a bad value: no run
        run = _latest(transform) if reuse else None
        restarted = run is not None
        if run is None:
            run = Run(transform=transform, params=params, cli_args=cli_args, initiated_by_run=parent).save()
        else:
            run.started_at, run.finished_at, run.status = timezone.now(), None, "started"
            if params is not None:
                run.params = params
            run.save()
        if features:
            run.features.add_values(features)
    return run, restarted


def _latest(transform: Any) -> Any:
    if transform.pk is None:
        return None
    return (Run.filter(transform=transform, created_by_id=current_user_id(User))
            .order_by("-started_at", "-id").first())
