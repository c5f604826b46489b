"""Request and response hardening: security headers, no caching of personal data,
NUL characters dropped from input, and a reverse proxy's headers trusted only when told.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)

# Endpoints whose responses a browser may keep but must revalidate (see _headers).
REVALIDATE_ENDPOINTS = frozenset({"charts.chart"})
# Our own files, the same for everyone: they keep the caching their view gives them.
PUBLIC_ENDPOINTS = frozenset({"static", "main.favicon"})


def _headers(response: Response) -> Response:
    """Add the security headers to every response."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if current_app.config.get("HTTPS"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    # Everything but our static files may show personal data: never store it in any cache,
    # the browser's included. The one listed exception is the chart images, which the charts
    # issue asks browsers to reuse by ETag: "private, no-cache" keeps them out of shared
    # caches and makes the browser ask every time (a cheap 304 after an access check).
    if request.endpoint in REVALIDATE_ENDPOINTS and response.status_code in (200, 304):
        response.headers["Cache-Control"] = "private, no-cache"
    elif request.endpoint not in PUBLIC_ENDPOINTS:
        # A view's "private" is kept (it only narrows); anything looser is replaced.
        private = "private" in response.headers.get("Cache-Control", "")
        response.headers["Cache-Control"] = "private, no-store" if private else "no-store"
    return response


def _strip_nul(values: Any) -> Any:
    """Return the multidict without NUL characters (PostgreSQL text cannot hold them)."""
    from werkzeug.datastructures import ImmutableMultiDict

    return ImmutableMultiDict([(k.replace("\x00", ""), v.replace("\x00", "") if isinstance(v, str)
                                else v) for k, v in values.items(multi=True)])


def _drop_nul_characters() -> None:
    """Remove NUL characters from query and form values before any view reads them.

    A NUL is never meaningful in what a person types, and PostgreSQL refuses to store it:
    without this, a stray or hostile NUL would be a 500 on PostgreSQL and fine on SQLite.
    """
    if b"\x00" in request.query_string or b"%00" in request.query_string.lower():
        request.args = _strip_nul(request.args)  # type: ignore[misc]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        form = request.form
        if any("\x00" in k or "\x00" in v for k, v in form.items(multi=True)):
            request.form = _strip_nul(form)  # type: ignore[misc]


def init_app(app: Flask) -> None:
    """Install the hooks (and ProxyFix when PROXY_HOPS says how many proxies to trust)."""
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops)
    app.before_request(_drop_nul_characters)
    app.after_request(_headers)
