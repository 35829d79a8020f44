"""Error pages: a refused write (CSRF) and pages that do not exist."""

from __future__ import annotations

from typing import Any

from django.shortcuts import render


def csrf_failure(request: Any, reason: str = "") -> Any:
    """A write without a valid CSRF token (e.g. from another site): refused."""
    message = "This form is missing its security token (CSRF); reload the page and submit it again."
    return render(request, "biolake/error.html", {"title": "Refused", "message": message}, status=403)


def not_found(request: Any, exception: Exception | None = None) -> Any:
    """The 404 page, with what was not found."""
    message = str(exception.args[0]) if exception is not None and exception.args else "No such page."
    return render(request, "biolake/error.html", {"title": "Not found", "message": message}, status=404)


def server_error(request: Any) -> Any:
    """The 500 page."""
    return render(request, "biolake/error.html", {"title": "Error", "message": "Something went wrong."}, status=500)
