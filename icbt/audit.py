"""Append-only audit events: who, which client, what, when, from where. Never health content."""

from __future__ import annotations

import logging

from sqlalchemy import event

from icbt.db import db
from icbt.models.records import AuditEvent
from icbt.timeutil import utcnow

log = logging.getLogger("icbt.audit")

ACTIONS = {
    "view", "create", "change", "delete", "export", "import",
    "login", "login_failed", "logout", "denied", "throttled",
}


def record(
    action: str,
    *,
    actor_id: int | None,
    client_id: int | None = None,
    target: str = "",
    ip: str = "",
    detail: str = "",
) -> AuditEvent:
    """Add an audit event to the session (committed with the caller's transaction)."""
    ev = AuditEvent(
        at=utcnow(), actor_id=actor_id, client_id=client_id, action=action,
        target=target[:80], ip=ip[:64], detail=detail[:200],
    )
    db.session.add(ev)
    # Log ids only: never names, emails or health content.
    log.info("audit action=%s actor=%s client=%s target=%s", action, actor_id, client_id, target)
    return ev


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:  # type: ignore[no-untyped-def]
    """The audit log is append-only."""
    raise RuntimeError("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:  # type: ignore[no-untyped-def]
    """The audit log is append-only."""
    raise RuntimeError("audit events cannot be deleted")
