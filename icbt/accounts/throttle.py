"""Login throttling: failure counters per account and per IP, kept in the database.

Counters live in the LoginAttempt table so that every worker and host sees the
same numbers. The account is identified by a keyed hash of the normalised email,
never by the email itself, and the same rules apply whether or not the account
exists, so the answer never reveals which addresses have accounts.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select

from icbt.db import db
from icbt.models.people import LoginAttempt
from icbt.timeutil import utcnow


@dataclass(frozen=True)
class Verdict:
    """Whether a login may be tried now, and if not, for how long to wait."""

    allowed: bool
    reason: str = ""  # "account" or "ip" when refused (for the log, never shown)
    retry_after_seconds: int = 0


def account_key(email: str) -> str:
    """Return a keyed hash of the normalised email (the email itself is never stored here)."""
    normalised = (email or "").strip().lower()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"login:" + normalised.encode(), hashlib.sha256).hexdigest()


def _window() -> timedelta:
    """The period over which failures are counted."""
    return timedelta(minutes=int(current_app.config["LOGIN_WINDOW_MINUTES"]))


def _last_success(key: str, since: datetime) -> LoginAttempt | None:
    """This account's latest successful sign-in within the window, if any."""
    return db.session.scalars(
        select(LoginAttempt).where(
            LoginAttempt.account_key == key, LoginAttempt.success.is_(True),
            LoginAttempt.at >= since)
        .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc()).limit(1)
    ).first()


def _failures(since: datetime, *, key: str | None = None, ip: str | None = None,
              after: LoginAttempt | None = None) -> tuple[int, datetime | None]:
    """Count failures since a time (or after a given attempt) for one account or one IP."""
    q = select(func.count(LoginAttempt.id), func.min(LoginAttempt.at)).where(
        LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    if after is not None:  # ties in time (a coarse clock) are broken by insertion order
        q = q.where(or_(LoginAttempt.at > after.at,
                        and_(LoginAttempt.at == after.at, LoginAttempt.id > after.id)))
    if key is not None:
        q = q.where(LoginAttempt.account_key == key)
    if ip is not None:
        q = q.where(LoginAttempt.ip == ip)
    count, oldest = db.session.execute(q).one()
    return int(count or 0), oldest


def check(key: str, ip: str) -> Verdict:
    """Tell whether another attempt for this account key from this IP may be tried now."""
    now = utcnow()
    window = _window()
    since = now - window
    # A successful sign-in resets the account's count (not the IP's: one valid
    # account must not let an attacker reset the counter for guessing others).
    success = _last_success(key, since)
    cfg = current_app.config
    count, oldest = _failures(since, key=key, after=success)
    if count >= int(cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        return Verdict(False, "account", _retry(oldest, window, now))
    count, oldest = _failures(since, ip=ip)
    if count >= int(cfg["LOGIN_MAX_FAILURES_PER_IP"]):
        return Verdict(False, "ip", _retry(oldest, window, now))
    return Verdict(True)


def _retry(oldest: datetime | None, window: timedelta, now: datetime) -> int:
    """Seconds until the oldest counted failure leaves the window (at least one minute)."""
    if oldest is None:
        return 60
    return max(60, int((oldest + window - now).total_seconds()))


def record(key: str, ip: str, success: bool) -> None:
    """Add one attempt to the counters (committed with the caller's transaction)."""
    db.session.add(LoginAttempt(at=utcnow(), account_key=key, ip=(ip or "")[:64],
                                success=success))
