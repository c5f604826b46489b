"""The one authorisation policy: who may see which client's data.

Views call these functions; nothing else decides access. Another person's
object answers 404 (not 403) so ids cannot be probed, and an exception inside
a check denies.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, request
from flask_login import current_user

from . import audit
from .db import db
from .extensions import login_manager
from .models import User

log = logging.getLogger("icbt.access")
F = TypeVar("F", bound=Callable[..., Any])

STAFF_ROLES = ("therapist", "admin")


def _safe(check: Callable[[], bool]) -> bool:
    """Run a check; any exception means no."""
    try:
        return bool(check())
    except Exception:  # noqa: BLE001 - an access check that fails must deny
        log.exception("access check raised; denying")
        return False


def may_see_client(actor: Any, client: User | None) -> bool:
    """A client sees only themself; a therapist only their assigned clients; admins manage accounts."""

    def check() -> bool:
        if client is None or actor is None or not getattr(actor, "is_authenticated", False):
            return False
        if client.role != "client":
            return False
        if actor.role == "client":
            return bool(actor.id == client.id)
        if actor.role == "therapist":
            return bool(client.therapist_id == actor.id)
        return False

    return _safe(check)


def may_manage_accounts(actor: Any) -> bool:
    """Admins manage accounts."""
    return _safe(lambda: actor.is_authenticated and actor.role == "admin")


def may_invite(actor: Any) -> bool:
    """Therapists and admins invite clients."""
    return _safe(lambda: actor.is_authenticated and actor.role in STAFF_ROLES)


def may_see_content(actor: Any) -> bool:
    """Designers and admins see every program and lesson (the designer pages)."""
    return _safe(lambda: actor.is_authenticated and actor.role in ("designer", "admin"))


def _ip() -> str:
    return request.remote_addr or "" if request else ""


def deny(target: str = "") -> Any:
    """Log the denied access (ids only) and answer 404."""
    actor_id = current_user.id if current_user.is_authenticated else None
    audit.record("denied", actor_id=actor_id, target=target or request.endpoint or "", ip=_ip())
    db.session.commit()
    abort(404)


def client_or_404(client_id: int, *, target: str = "", audit_view: bool = True) -> User:
    """Load a client the current user may see, audit staff views, or answer 404."""
    client = db.session.get(User, client_id)
    if not may_see_client(current_user, client):
        deny(target)
    assert client is not None
    if audit_view and current_user.id != client.id:
        audit.record(
            "view", actor_id=current_user.id, client_id=client.id,
            target=target or request.endpoint or "", ip=_ip(),
        )
        db.session.commit()
    return client


def owned_or_404(obj: Any, *, target: str = "", audit_view: bool = True) -> Any:
    """Return an object with a client_id the current user may see, or answer 404."""
    if obj is None:
        deny(target)
    client_or_404(obj.client_id, target=target, audit_view=audit_view)
    return obj


def roles_required(*roles: str) -> Callable[[F], F]:
    """Let only these roles in (others get 404); anonymous users go to the login page."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not _safe(lambda: current_user.role in roles):
                deny()
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
