"""Consent to the privacy notice: record it, and tell whether a client agreed to a version.

Each agreement is a new Consent row (version, time, sha256 of the text shown), so the
history stays: "My data" shows the latest, the export holds them all. Only clients
are asked (staff agree to the clinic's terms in their contract, not here).
"""

from __future__ import annotations

from sqlalchemy import select

from icbt.db import db
from icbt.models.people import Consent, User
from icbt.timeutil import utcnow


def add(user: User, version: str, notice_sha256: str = "") -> Consent:
    """Add a consent row for this version at the clock's time (the caller commits)."""
    row = Consent(client_id=user.id, version=version, notice_sha256=notice_sha256,
                  agreed_at=utcnow())
    db.session.add(row)
    return row


def record(user: User, version: str, notice_sha256: str = "") -> Consent:
    """Record that the client agreed to this version of the notice, now; commit."""
    row = add(user, version, notice_sha256)
    db.session.commit()
    return row


def latest(user_id: int) -> Consent | None:
    """The client's most recent consent, or None if they never agreed."""
    return db.session.scalar(select(Consent).where(Consent.client_id == user_id)
                             .order_by(Consent.agreed_at.desc(), Consent.id.desc()).limit(1))


def history(user_id: int) -> list[Consent]:
    """Every consent the client gave, oldest first."""
    return list(db.session.scalars(select(Consent).where(Consent.client_id == user_id)
                                   .order_by(Consent.agreed_at, Consent.id)))


def is_current(user: User, version: str) -> bool:
    """Tell whether no asking is needed: staff, or a client whose latest consent is this version."""
    if user.role != "client":
        return True
    row = latest(user.id)
    return row is not None and row.version == version
