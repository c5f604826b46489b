"""Sessions, timeouts, security headers and safe redirects."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user, logout_user

from .db import db, utcnow
from .extensions import login_manager
from .models import User

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def is_safe_next(target: str | None) -> bool:
    """Allow only local paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not isinstance(target, str):
        return False
    if len(target) > 2000 or any(ord(c) < 32 for c in target):
        return False
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    lowered = target.lower()
    if lowered.startswith("/%2f") or lowered.startswith("/%5c") or "%5c" in lowered[:6]:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the user if the session's version still matches (logout elsewhere ends it)."""
    try:
        uid_s, version_s = user_id.split(":", 1)
        uid, version = int(uid_s), int(version_s)
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or user.disabled:
        return None
    return user


def start_session(user: User) -> None:
    """Record the login time for the idle and absolute timeouts."""
    now = utcnow().timestamp()
    session["login_at"] = now
    session["seen_at"] = now
    session.permanent = False


def _enforce_timeouts() -> Any:
    """End a session that has been idle too long or is older than the absolute limit."""
    if not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    idle = current_app.config["IDLE_TIMEOUT_MINUTES"] * 60
    absolute = current_app.config["ABSOLUTE_TIMEOUT_HOURS"] * 3600
    seen = session.get("seen_at", now)
    started = session.get("login_at", now)
    if now - seen > idle or now - started > absolute:
        logout_user()
        session.pop("seen_at", None)
        session.pop("login_at", None)
        g.session_timed_out = True
        return None
    # Only write the cookie again once a minute, not on every request.
    if now - seen > 60:
        session["seen_at"] = now
    return None


PERSONAL_PREFIXES = ("/static/",)


def _headers(response: Response) -> Response:
    """Add the security headers to every response."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_app.config.get("HTTPS"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if not request.path.startswith(PERSONAL_PREFIXES) and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def reauth_fresh(max_age_minutes: int = 10) -> bool:
    """Tell whether the user entered their password within the last few minutes."""
    at = session.get("reauth_at") or session.get("login_at")
    if not at:
        return False
    return utcnow().timestamp() - float(at) <= max_age_minutes * 60


def mark_reauth() -> None:
    """Record a successful re-authentication."""
    session["reauth_at"] = utcnow().timestamp()


def local_now(user: User) -> datetime:
    """Return the user's local wall-clock time (naive)."""
    from .timeutil import to_local

    return to_local(utcnow(), user.timezone)


def init_app(app: Flask) -> None:
    """Install the request hooks."""
    app.before_request(_enforce_timeouts)
    app.after_request(_headers)
    app.permanent_session_lifetime = timedelta(hours=app.config["ABSOLUTE_TIMEOUT_HOURS"])
