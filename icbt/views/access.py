"""The guards that apply the access policy (icbt.accounts.policy) to a request.

Views call these; nothing else decides access. Another person's object answers
404 (not 403) so ids cannot be probed, and every view of a client's data by staff,
and every refusal, is written to the audit log here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, request
from flask_login import current_user

from icbt import audit
from icbt.accounts.policy import may_see_client, safe_check
from icbt.db import db
from icbt.extensions import login_manager
from icbt.models.people import User

F = TypeVar("F", bound=Callable[..., Any])


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
            if not safe_check(lambda: current_user.role in roles):
                deny()
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
