"""Sessions, timeouts, re-authentication and safe redirects (web layer; headers: hardening.py).

Sign-in state lives in Flask's signed session cookie. The user id stored there
(and in the remember-me cookie) is "<user id>:<session version>:<sign-in time>":
bumping User.session_version ends every session and remember-me cookie of that
person at once, and the sign-in time lets the server enforce the absolute
timeout even on a copied cookie. Always sign people in with `sign_in()`.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeGuard, TypeVar
from urllib.parse import unquote, urlsplit

from flask import (
    Flask,
    current_app,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from icbt.accounts.twofactor import required_for
from icbt.db import db
from icbt.extensions import login_manager
from icbt.models.people import User
from icbt.timeutil import utcnow
from icbt.views import hardening

F = TypeVar("F", bound=Callable[..., Any])

PENDING_KEY = "pending_login"
PENDING_MINUTES = 10  # how long "password ok, second step pending" lasts
# Pages a person who must still set up two-step verification may open.
SETUP_ALLOWED = {"static", "main.favicon", "auth.logout", "account.twofactor_setup",
                 "account.reauth", "main.help", "main.healthz", "safety.help_now"}


def now_ts(value: datetime | None = None) -> float:
    """Seconds since the epoch for the app clock's naive-UTC time."""
    return (value or utcnow()).replace(tzinfo=UTC).timestamp()


# --- safe redirects -------------------------------------------------------------------------


def _plain_safe(target: str) -> bool:
    """One decoding level of a `next` value: a local absolute path and nothing else."""
    for c in target:
        if ord(c) < 32 or ord(c) == 127 or unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp"):
            return False
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    # Dot segments could collapse into "//host" once a browser resolves them; we never need them.
    if any(seg in (".", "..") for seg in parts.path.split("/")):
        return False
    return not parts.scheme and not parts.netloc


def is_safe_next(target: object) -> TypeGuard[str]:
    """Allow only local paths: no scheme, no host, no protocol-relative or backslash tricks.

    The value is checked as given and again after each round of percent-decoding, so
    encoded variants (%2F%2Fevil, %5Cevil, double encoding) are refused as well.
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return False
    candidate = target
    for _round in range(4):
        if not _plain_safe(candidate):
            return False
        decoded = unquote(candidate)
        if decoded == candidate:
            return True
        candidate = decoded
    return False  # still changing after several rounds: not a plain path


# --- signing in and out ---------------------------------------------------------------------


def _parse_id(user_id: str | None) -> tuple[int, int, int] | None:
    """Split "<id>:<version>:<sign-in time>"; None when it is not that shape."""
    try:
        uid_s, version_s, stamp_s = str(user_id).split(":")
        return int(uid_s), int(version_s), int(stamp_s)
    except (ValueError, AttributeError):
        return None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the user if the session version still matches and the sign-in is recent enough."""
    parsed = _parse_id(user_id)
    if parsed is None:
        return None
    uid, version, stamp = parsed
    age = now_ts() - stamp
    absolute = current_app.config["ABSOLUTE_TIMEOUT_HOURS"] * 3600
    if age > absolute or age < -300:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or user.disabled:
        return None
    return user


def sign_in(user: User, remember: bool = False) -> None:
    """Sign the user in on this browser with a fresh session (the only way to sign in)."""
    session.clear()  # a new session at sign-in: nothing from before carries over
    login_user(user, remember=remember)
    if not remember and current_app.config.get("REMEMBER_COOKIE_NAME",
                                               "remember_token") in request.cookies:
        session["_remember"] = "clear"  # an old remember-me cookie goes too
    start_session(user)


def start_session(user: User) -> None:
    """Stamp the session with the sign-in time (used by the idle and absolute timeouts)."""
    now = now_ts()
    session["_user_id"] = f"{user.get_id()}:{int(now)}"
    session["login_at"] = now
    session["seen_at"] = now
    session.permanent = False


def end_session() -> None:
    """Sign out on this browser (the remember-me cookie is cleared too)."""
    logout_user()
    for key in ("login_at", "seen_at", "reauth_at", PENDING_KEY):
        session.pop(key, None)


def _enforce_timeouts() -> Any:
    """End a session that has been idle too long or is older than the absolute limit."""
    # The browser fetching the icon is not the person being active (nor idle: no sign-out).
    if request.endpoint in ("static", "main.favicon") or not current_user.is_authenticated:
        return None
    now = now_ts()
    if "login_at" not in session:  # brought back by the remember-me cookie
        parsed = _parse_id(session.get("_user_id"))
        session["login_at"] = float(parsed[2]) if parsed else now
        session["seen_at"] = now
    idle = current_app.config["IDLE_TIMEOUT_MINUTES"] * 60
    absolute = current_app.config["ABSOLUTE_TIMEOUT_HOURS"] * 3600
    seen = float(session.get("seen_at", now))
    started = float(session.get("login_at", now))
    if now - seen > idle or now - started > absolute:
        end_session()
        g.session_timed_out = True
        flash(_("For your privacy you were signed out after a while. Please sign in again."),
              "info")
        return None
    # Only write the cookie again once a minute, not on every request.
    if now - seen > 60:
        session["seen_at"] = now
    return None


def _require_second_factor_setup() -> Any:
    """Send someone whose role needs two-step verification, and who has none, to set it up."""
    if not current_user.is_authenticated or request.endpoint in SETUP_ALLOWED:
        return None
    if required_for(current_user) and not current_user.totp_enabled:
        return redirect(url_for("account.twofactor_setup"))
    return None


# --- the "password ok, second step pending" state ------------------------------------------


def begin_pending_login(user: User, stage: str, remember: bool, next_url: str | None) -> None:
    """Remember that the password was right; the person is NOT signed in yet."""
    session.clear()
    session[PENDING_KEY] = {"uid": user.id, "ver": user.session_version, "at": now_ts(),
                            "stage": stage, "remember": bool(remember),
                            "next": next_url if is_safe_next(next_url) else None}


def pending_login() -> tuple[User, dict[str, Any]] | None:
    """Return the user and state of a recent pending sign-in, or None."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    try:
        fresh = now_ts() - float(data["at"]) <= PENDING_MINUTES * 60
        user = db.session.get(User, int(data["uid"])) if fresh else None
    except (KeyError, TypeError, ValueError):
        return None
    if user is None or user.disabled or user.session_version != data.get("ver"):
        return None
    return user, data


def clear_pending() -> None:
    """Forget a pending sign-in."""
    session.pop(PENDING_KEY, None)


# --- re-authentication before sensitive actions ---------------------------------------------


def reauth_fresh(max_age_minutes: int | None = None) -> bool:
    """Tell whether the user entered their password within the last few minutes."""
    minutes = max_age_minutes or int(current_app.config.get("REAUTH_MINUTES", 10))
    at = session.get("reauth_at")
    if at is None and session.get("_fresh"):  # a sign-in with the password counts
        at = session.get("login_at")
    if not at:
        return False
    return 0 <= now_ts() - float(at) <= minutes * 60


def mark_reauth() -> None:
    """Record a successful re-authentication."""
    session["reauth_at"] = now_ts()


def _back_to() -> str:
    """Where to return after re-authenticating: this page, or the page a POST came from."""
    if request.method == "GET":
        target = request.full_path[:-1] if request.full_path.endswith("?") else request.full_path
        return target
    ref = urlsplit(request.referrer or "")
    if ref.netloc == request.host and is_safe_next(ref.path):
        return ref.path + (f"?{ref.query}" if ref.query else "")
    return url_for("main.index")


def reauth_required(view: F) -> F:
    """Ask for the password again (at most every 10 minutes) before a sensitive action.

    Put it under the login/role decorator. A GET comes back to the same page after
    the password; a POST comes back to the page it was sent from, to press again.
    """

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not reauth_fresh():
            return redirect(url_for("account.reauth", next=_back_to()))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    """Install the sign-in hooks (timeouts, second-step setup) and the hardening ones."""
    hardening.init_app(app)
    app.before_request(_enforce_timeouts)
    app.before_request(_require_second_factor_setup)
    lifetime = timedelta(hours=app.config["ABSOLUTE_TIMEOUT_HOURS"])
    app.permanent_session_lifetime = lifetime
    # A remember-me cookie never outlives the absolute timeout (the server checks it too).
    app.config["REMEMBER_COOKIE_DURATION"] = lifetime
