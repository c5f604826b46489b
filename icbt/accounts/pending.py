"""Forms posted after the session or CSRF token expired: kept, then completed after login.

A view that must never lose a post registers a completion handler for its
endpoint. When such a post arrives without a valid session or CSRF token, the
form is stored here and the browser gets a cookie with a random token; after
the person logs in, the handler runs with the stored form as that user.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from icbt.db import db
from icbt.models.people import PendingSubmission, User
from icbt.timeutil import utcnow

COOKIE = "icbt_pending"
MAX_AGE = timedelta(days=2)
MAX_FORM_BYTES = 200_000

# endpoint -> handler(user, view_args, form) -> URL to go to afterwards
Handler = Callable[[User, dict[str, Any], dict[str, list[str]]], str]
HANDLERS: dict[str, Handler] = {}


def keep_on_expiry(endpoint: str) -> Callable[[Handler], Handler]:
    """Register the function that completes a kept post to this endpoint."""

    def decorator(fn: Handler) -> Handler:
        HANDLERS[endpoint] = fn
        return fn

    return decorator


def store(endpoint: str, view_args: dict[str, Any], form: dict[str, list[str]],
          user_id: int | None) -> str | None:
    """Keep a post; return the token for the cookie, or None if it cannot be kept."""
    if endpoint not in HANDLERS:
        return None
    clean = {k: v for k, v in form.items() if k != "csrf_token"}
    if sum(len(x) for vs in clean.values() for x in vs) > MAX_FORM_BYTES:
        return None
    token = secrets.token_urlsafe(32)
    db.session.add(PendingSubmission(token=token, endpoint=endpoint, view_args=view_args,
                                     form=clean, user_id=user_id))
    db.session.commit()
    return token


def complete(token: str | None, user: User) -> str | None:
    """Run the kept post as `user`; return where to go next, or None if nothing was kept."""
    if not token:
        return None
    cutoff = utcnow() - MAX_AGE
    db.session.execute(delete(PendingSubmission).where(PendingSubmission.created_at < cutoff))
    pending = db.session.scalar(
        select(PendingSubmission).where(PendingSubmission.token == token,
                                        PendingSubmission.completed_at.is_(None))
    )
    if pending is None:
        db.session.commit()
        return None
    # A post made while logged in as someone else is never completed as this user.
    if pending.user_id is not None and pending.user_id != user.id:
        db.session.commit()
        return None
    handler = HANDLERS.get(pending.endpoint)
    pending.completed_at = utcnow()
    db.session.commit()
    if handler is None:
        return None
    return handler(user, dict(pending.view_args), dict(pending.form))
