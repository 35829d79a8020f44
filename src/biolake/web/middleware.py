"""Request guards: the access token, read-only mode, and security headers on every response."""

from __future__ import annotations

import hmac
from typing import Any, Callable
from urllib.parse import urlencode

from biolake.web.config import current

TOKEN_COOKIE = "biolake_token"
# pages: our own scripts and styles only; stored HTML is never shown here (see views.files)
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

Handler = Callable[[Any], Any]


def security_headers(get_response: Handler) -> Handler:
    """A restrictive Content-Security-Policy (unless a view set its own), no MIME sniffing."""

    def middleware(request: Any) -> Any:
        response = get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = PAGE_CSP
        response["X-Content-Type-Options"] = "nosniff"
        response["Referrer-Policy"] = "same-origin"
        return response

    return middleware


def _presented_token(request: Any) -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return str(header[7:])
    return str(request.GET.get("token") or request.COOKIES.get(TOKEN_COOKIE) or "")


def require_token(get_response: Handler) -> Handler:
    """With a token configured, refuse requests without it; ``?token=`` once sets a cookie."""

    def middleware(request: Any) -> Any:
        from django.http import HttpResponse, HttpResponseRedirect

        token = current().token
        if not token:
            return get_response(request)
        if not hmac.compare_digest(_presented_token(request).encode(), token.encode()):
            return HttpResponse(
                "This biolake server needs its access token: open the URL that `biolake serve` printed "
                "(it ends in ?token=...), or send the header 'Authorization: Bearer <token>'.\n",
                status=401, content_type="text/plain; charset=utf-8",
            )
        if "token" in request.GET:  # move the token from the URL into a cookie
            query = request.GET.copy()
            del query["token"]
            response = HttpResponseRedirect(request.path + (f"?{urlencode(query, doseq=True)}" if query else ""))
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict")
            return response
        return get_response(request)

    return middleware


def read_only(get_response: Handler) -> Handler:
    """Refuse every write unless the server was started with ``--writable``."""

    def middleware(request: Any) -> Any:
        from django.shortcuts import render

        if request.method not in ("GET", "HEAD", "OPTIONS") and not current().writable:
            message = "This server is read-only: restart it with `biolake serve --writable` to edit."
            return render(request, "biolake/error.html", {"title": "Read-only", "message": message}, status=403)
        return get_response(request)

    return middleware
