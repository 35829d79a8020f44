"""An artifact's bytes: download (attachment) and raw (inline, for images and sandboxed HTML).

Only an artifact's uid chooses the file: no path from the request reaches the file system.
Raw responses carry ``Content-Security-Policy: sandbox``, so stored HTML or SVG runs no
script and gets no access to this site, even when opened directly.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from django.http import FileResponse, HttpResponse

from biolake.web.previews import HTML_SUFFIXES, IMAGE_SUFFIXES, TEXT_SUFFIXES
from biolake.web.views.common import artifact_or_404

RAW_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _file_name(artifact: Any) -> str:
    name = (artifact.key or "").rsplit("/", 1)[-1]
    return name or f"{artifact.uid}{artifact.suffix}"


def _local_file(artifact: Any) -> Any:
    path = artifact.cache()
    if not path.is_file():
        return None
    return path


def download(request: Any, uid: str) -> Any:
    """``/artifacts/<uid>/download``: the bytes as an attachment (folders: refused with a hint)."""
    artifact = artifact_or_404(uid)
    path = _local_file(artifact)
    if path is None:
        return HttpResponse(
            f"Artifact {uid} is a folder; copy it with `biolake artifact get {uid} --to DEST`.\n",
            status=400, content_type="text/plain; charset=utf-8",
        )
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=_file_name(artifact),
                            content_type="application/octet-stream")
    response["Content-Security-Policy"] = RAW_CSP
    return response


def raw(request: Any, uid: str) -> Any:
    """``/artifacts/<uid>/raw``: images, HTML reports and text inline, sandboxed."""
    artifact = artifact_or_404(uid)
    suffix = (artifact.suffix or "").lower()
    path = _local_file(artifact)
    if path is None or suffix not in (*IMAGE_SUFFIXES, *HTML_SUFFIXES, *TEXT_SUFFIXES):
        return HttpResponse("No inline view of this artifact; download it instead.\n", status=404,
                            content_type="text/plain; charset=utf-8")
    if suffix in IMAGE_SUFFIXES:
        content_type = IMAGE_SUFFIXES[suffix]
    elif suffix in HTML_SUFFIXES:
        content_type = "text/html; charset=utf-8"
    else:
        content_type = "text/plain; charset=utf-8"
    response = FileResponse(open(path, "rb"), content_type=content_type or mimetypes.guess_type(path.name)[0])
    response["Content-Security-Policy"] = RAW_CSP
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
