"""Edits (only with ``biolake serve --writable``; CSRF-checked): description, labels, trash, restore."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from biolake.web.views.common import artifact_or_404, get_or_404


def _back(artifact: Any, note: str = "") -> Any:
    return HttpResponseRedirect(f"/artifacts/{artifact.uid}/" + (f"?note={note}" if note else ""))


def _refuse(request: Any, message: str) -> Any:
    return render(request, "biolake/error.html", {"title": "Not saved", "message": message}, status=400)


@require_POST
def edit_description(request: Any, uid: str) -> Any:
    """Set an artifact's description."""
    artifact = artifact_or_404(uid)
    text = request.POST.get("description", "").strip()
    if len(text) > 10_000:
        return _refuse(request, "A description may have at most 10,000 characters.")
    type(artifact).objects.filter(pk=artifact.pk).update(description=text or None)
    return _back(artifact, "saved")


@require_POST
def edit_labels(request: Any, uid: str) -> Any:
    """Add or remove a ULabel (by name; optionally for a feature)."""
    import biolake as ln

    artifact = artifact_or_404(uid)
    name = request.POST.get("label", "").strip()
    label = ln.ULabel.filter(name=name).first()
    if label is None:
        return _refuse(request, f"No ULabel named {name!r}; create it first (ln.ULabel(name=...).save()).")
    if request.POST.get("action") == "remove":
        from biolake.models import ArtifactULabel

        ArtifactULabel.objects.filter(artifact=artifact, ulabel=label).delete()
        return _back(artifact, "removed")
    feature_name = request.POST.get("feature", "").strip()
    feature = get_or_404(ln.Feature.filter(), name=feature_name) if feature_name else None
    artifact.labels.add(label, feature=feature)
    return _back(artifact, "added")


@require_POST
def trash(request: Any, uid: str) -> Any:
    """Move an artifact to the trash."""
    artifact = artifact_or_404(uid)
    artifact.delete()
    return _back(artifact, "trashed")


@require_POST
def restore(request: Any, uid: str) -> Any:
    """Bring an artifact back from the trash."""
    artifact = artifact_or_404(uid)
    artifact.restore()
    return _back(artifact, "restored")
