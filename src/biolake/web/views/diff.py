"""The diff of two artifacts (e.g. two versions of a DataFrame or AnnData): ``artifact.diff(other)``."""

from __future__ import annotations

from typing import Any

from django.shortcuts import render

from biolake.web.views.common import artifact_or_404


def diff_page(request: Any) -> Any:
    """``/diff/?old=<uid>&new=<uid>``."""
    from biolake.errors import BiolakeError

    old = artifact_or_404(request.GET.get("old", ""))
    new = artifact_or_404(request.GET.get("new", ""))
    result, error = None, None
    try:
        result = old.diff(new)
    except BiolakeError as exc:
        error = str(exc)
    changes = result.changes if result is not None else None
    context = {"old": old, "new": new, "result": result, "error": error,
               "frames": _frames(changes) if changes is not None else []}
    return render(request, "biolake/diff.html", context)


def _frames(changes: Any) -> list[tuple[str, Any]]:
    """(section name, FrameDiff): one for a DataFrame, ``obs`` and ``var`` for AnnData."""
    if hasattr(changes, "obs"):
        return [("obs", changes.obs), ("var", changes.var)]
    return [("", changes)]
