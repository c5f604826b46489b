"""Case management: a client's status, the therapist's contact log and minutes per week."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from icbt.db import db
from icbt.models.care import Contact
from icbt.models.flags import Flag
from icbt.models.people import User
from icbt.review import flags
from icbt.timeutil import to_local, utcnow

STATUS_LABELS = {"invited": _l("Invited"), "active": _l("Active"), "paused": _l("Paused"),
                 "discharged": _l("Discharged")}
SETTABLE = ("active", "paused", "discharged")  # "invited" is set by the invitation only
CONTACT_KINDS = {"call": _l("Phone call"), "message": _l("Message"), "session": _l("Session")}
MAX_MINUTES = 600


class CaseError(ValueError):
    """A case change that is refused, with a reason for the therapist."""


def is_read_only(client: User) -> bool:
    """A discharged client's record is kept, read-only."""
    return client.status == "discharged"


def open_risk(client_id: int) -> int:
    """How many urgent flags of this client are still open."""
    return len(db.session.scalars(select(Flag.id).where(
        Flag.client_id == client_id, Flag.kind == "risk", Flag.closed_at.is_(None))).all())


def set_status(client: User, status: str) -> None:
    """Change a client's case status; flags follow at once (discharged: none, paused: fewer)."""
    if status not in SETTABLE:
        raise CaseError(_("Please choose a status."))
    if status == "discharged" and open_risk(client.id):
        raise CaseError(_("Please acknowledge the urgent flag before discharging."))
    client.status = status
    db.session.commit()
    flags.recompute_client(client.id)


def log_contact(client: User, therapist: User, kind: str, minutes: int,
                at: datetime | None = None, note: str = "") -> Contact:
    """Record time the therapist spent on a client; commit."""
    if is_read_only(client):
        raise CaseError(_("This record is read-only: the client was discharged."))
    if kind not in CONTACT_KINDS:
        raise CaseError(_("Please choose a kind of contact."))
    if not 1 <= minutes <= MAX_MINUTES:
        raise CaseError(_("Please give the minutes, between 1 and %(n)d.", n=MAX_MINUTES))
    contact = Contact(client_id=client.id, therapist_id=therapist.id, kind=kind, minutes=minutes,
                      at=at or utcnow(), note=(note or "").strip()[:500])
    db.session.add(contact)
    db.session.commit()
    return contact


def contacts(client_id: int, limit: int = 20) -> list[Contact]:
    """The latest contacts with a client, newest first."""
    return list(db.session.scalars(select(Contact).where(Contact.client_id == client_id)
                                   .order_by(Contact.at.desc(), Contact.id.desc()).limit(limit)))


def week_start(day: date) -> date:
    """The Monday of a day's week."""
    return day - timedelta(days=day.weekday())


def minutes_by_week(client_id: int, therapist: User, weeks: int = 8,
                    now: datetime | None = None) -> list[tuple[date, int]]:
    """The therapist's own minutes with this client per week (Monday first), latest first."""
    now = now or utcnow()
    this_week = week_start(to_local(now, therapist.timezone).date())
    first = this_week - timedelta(weeks=weeks - 1)
    totals = {first + timedelta(weeks=i): 0 for i in range(weeks)}
    rows = db.session.execute(
        select(Contact.at, Contact.minutes).where(
            Contact.client_id == client_id, Contact.therapist_id == therapist.id,
            Contact.at >= now - timedelta(weeks=weeks, days=1))).all()
    for at, minutes in rows:
        monday = week_start(to_local(at, therapist.timezone).date())
        if monday in totals:
            totals[monday] += int(minutes)
    return sorted(totals.items(), reverse=True)
