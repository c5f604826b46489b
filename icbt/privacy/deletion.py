"""Account deletion with a grace period, and the retention job (services; jobs call them).

A client asks; their account is deleted DELETION_GRACE_DAYS later unless they
cancel (signing in during the grace shows how). `purge_due_deletions(now)` then
removes every row that names them, found from the foreign keys to `user`, so a
table added later is covered without a change here. The audit log keeps its
rows (ids only, never content) plus one tombstone event.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from icbt import audit
from icbt.db import db
from icbt.messaging import mail
from icbt.models.people import User
from icbt.models.records import OutboxMessage
from icbt.timeutil import utcnow

log = logging.getLogger("icbt.deletion")

# A column with one of these names holds the rows a person owns: deleted with them.
OWNER_COLUMNS = ("client_id", "user_id")


def grace() -> timedelta:
    """The configured grace period."""
    return timedelta(days=int(current_app.config.get("DELETION_GRACE_DAYS", 14)))


def request_deletion(user: User, *, ip: str = "") -> datetime:
    """Schedule a client's account for deletion after the grace period; return when."""
    if user.role != "client":
        raise ValueError("only client accounts are deleted this way")
    if user.deletion_due_at is None:
        user.deletion_due_at = utcnow() + grace()
        audit.record("delete", actor_id=user.id, client_id=user.id, target="account",
                     ip=ip, detail="requested")
        _notify(user, cancelled=False)
    db.session.commit()
    return user.deletion_due_at


def cancel_deletion(user: User, *, ip: str = "") -> None:
    """Cancel a pending deletion; nothing is removed."""
    if user.deletion_due_at is None:
        return
    user.deletion_due_at = None
    audit.record("change", actor_id=user.id, client_id=user.id, target="account",
                 ip=ip, detail="deletion cancelled")
    _notify(user, cancelled=True)
    db.session.commit()


def _notify(user: User, *, cancelled: bool) -> None:
    """Tell the client (so a stranger cannot delete them unnoticed) and their therapist."""
    stamp = f"{utcnow():%Y%m%d%H%M%S}"
    clinic = current_app.config["CLINIC_NAME"]
    if cancelled:
        body = _("Hello %(first)s,\n\nYour account will not be deleted. Everything stays as "
                 "it was.\n", first=user.first_name)
        mail.queue(user.email, _("Your account will stay"), body, kind="deletion",
                   user_id=user.id, dedupe_key=f"deletion-cancel:{user.id}:{stamp}")
    else:
        due = user.deletion_due_at
        body = _("Hello %(first)s,\n\nYou asked us to delete your account at %(clinic)s. We "
                 "will delete it and everything in it on %(day)s.\n\nIf you change your mind, "
                 "sign in before then and choose \"Keep my account\".\n\nIf you did not ask for "
                 "this, sign in and keep your account, then change your password.\n",
                 first=user.first_name, clinic=clinic, day=f"{due:%d %B %Y}" if due else "")
        mail.queue(user.email, _("Your account will be deleted"), body, kind="deletion",
                   user_id=user.id, dedupe_key=f"deletion:{user.id}:{stamp}")
    therapist = user.therapist
    if therapist is not None and not therapist.disabled:
        # No client name in the email: the therapist sees who in the app.
        body = (_("Hello %(first)s,\n\nOne of your clients has cancelled their request to "
                  "delete their account.\n", first=therapist.first_name) if cancelled else
                _("Hello %(first)s,\n\nOne of your clients has asked to delete their account. "
                  "It will be deleted in %(days)d days unless they cancel.\n",
                  first=therapist.first_name, days=grace().days))
        mail.queue(therapist.email, _("A client's account request"), body, kind="deletion",
                   user_id=therapist.id,
                   dedupe_key=f"deletion-staff:{user.id}:{stamp}:{int(cancelled)}")


def _user_foreign_keys() -> list[tuple[sa.Table, sa.Column]]:  # type: ignore[type-arg]
    """Every (table, column) that points to user.id, children before parents."""
    out = []
    for t in reversed(db.metadata.sorted_tables):
        if t.name == "user":
            continue
        for fk in t.foreign_keys:
            if fk.column.table.name == "user":
                out.append((t, fk.parent))
    return out


def _run(stmt: Any) -> int:
    """Execute a DELETE or UPDATE and return how many rows it touched."""
    return int(db.session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def purge_client(user_id: int) -> dict[str, int]:
    """Remove a client and every row naming them; keep the audit log; add a tombstone."""
    user = db.session.get(User, user_id)
    if user is None or user.role != "client":
        return {}
    counts: dict[str, int] = {}
    for t, col in _user_foreign_keys():
        if col.name in OWNER_COLUMNS or not col.nullable:
            n = _run(sa.delete(t).where(col == user_id))
        else:  # e.g. a message's sender: the row belongs to someone else's record
            n = _run(sa.update(t).where(col == user_id).values({col.name: None}))
        if n:
            counts[t.name] = counts.get(t.name, 0) + n
    # Emails queued without a user_id, matched by address.
    counts["outbox_message"] = counts.get("outbox_message", 0) + _run(
        sa.delete(OutboxMessage).where(sa.func.lower(OutboxMessage.to_addr) == user.email.lower()))
    db.session.execute(sa.delete(User).where(User.id == user_id))
    db.session.expunge(user)
    audit.record("delete", actor_id=None, client_id=user_id, target="account", detail="purged")
    db.session.commit()
    log.info("purged client %s", user_id)
    return counts


def purge_due_deletions(now: datetime | None = None) -> int:
    """Delete every client whose grace period has ended; return how many. Safe to run twice."""
    now = now or utcnow()
    due = db.session.scalars(sa.select(User.id).where(
        User.role == "client", User.deletion_due_at.is_not(None), User.deletion_due_at <= now
    )).all()
    db.session.commit()
    for user_id in due:
        purge_client(user_id)
    return len(due)
