"""Reading the audit log: the admins' search and a client's own access log.

Each page is one SELECT with the people joined in (no query per row), fetching
one row more than the page size to know whether a next page exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from icbt.accounts.users import get_by_email
from icbt.db import db
from icbt.models.people import User
from icbt.models.records import AuditEvent

PER_PAGE = 50
# What staff can do to a client's record that the client is shown in their access log.
STAFF_ACTIONS = ("view", "create", "change", "delete", "export")


@dataclass(frozen=True)
class AuditFilter:
    """The admin's search: every field optional; dates are inclusive UTC days."""

    actor_id: int | None = None
    client_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Person:
    """A person named in an audit row, or what is left of them (an id)."""

    id: int | None
    name: str | None
    email: str | None
    role: str | None

    @property
    def label(self) -> str:
        """Name and id, or the id alone when the account no longer exists."""
        if self.id is None:
            return ""
        if self.name is None and self.email is None:
            return f"#{self.id}"
        return f"{self.name or self.email} (#{self.id})"


@dataclass(frozen=True)
class AuditRow:
    """One audit event with its actor and client."""

    event: AuditEvent
    actor: Person
    client: Person


@dataclass(frozen=True)
class AuditPage:
    """A page of rows, newest first."""

    rows: list[AuditRow]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        """Tell whether there is an earlier page."""
        return self.page > 1


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0))


def _paged(stmt: Select, page: int, per_page: int) -> tuple[list, bool]:  # type: ignore[type-arg]
    """Run a statement for one page; return its rows and whether more follow."""
    page = max(page, 1)
    rows = db.session.execute(stmt.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return list(rows[:per_page]), len(rows) > per_page


def search(f: AuditFilter, page: int = 1, per_page: int = PER_PAGE) -> AuditPage:
    """Find audit events matching the filter, newest first, one page at a time."""
    actor = aliased(User)
    client = aliased(User)
    stmt = (
        select(AuditEvent, actor.name, actor.email, actor.role,
               client.name, client.email, client.role)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(client, client.id == AuditEvent.client_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if f.actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == f.actor_id)
    if f.client_id is not None:
        stmt = stmt.where(AuditEvent.client_id == f.client_id)
    if f.action:
        stmt = stmt.where(AuditEvent.action == f.action)
    if f.since is not None:
        stmt = stmt.where(AuditEvent.at >= _day_start(f.since))
    if f.until is not None:
        stmt = stmt.where(AuditEvent.at < _day_start(f.until) + timedelta(days=1))
    rows, has_next = _paged(stmt, page, per_page)
    out = [
        AuditRow(ev, Person(ev.actor_id, an, ae, ar), Person(ev.client_id, cn, ce, cr))
        for ev, an, ae, ar, cn, ce, cr in rows
    ]
    return AuditPage(out, max(page, 1), has_next)


def access_log(client_id: int, page: int = 1, per_page: int = PER_PAGE) -> AuditPage:
    """What staff did with this client's record, newest first (the client's own view)."""
    actor = aliased(User)
    stmt = (
        select(AuditEvent, actor.name, actor.role)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .where(AuditEvent.client_id == client_id, AuditEvent.actor_id.is_not(None),
               AuditEvent.actor_id != client_id, AuditEvent.action.in_(STAFF_ACTIONS))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    rows, has_next = _paged(stmt, page, per_page)
    out = [AuditRow(ev, Person(ev.actor_id, name, None, role), Person(client_id, None, None, None))
           for ev, name, role in rows]
    return AuditPage(out, max(page, 1), has_next)


def resolve_person(text: str) -> int | None:
    """Turn what an admin typed (an id like 12 or #12, or an email) into a user id."""
    text = (text or "").strip()
    if not text:
        return None
    if text.lstrip("#").isdigit():
        return int(text.lstrip("#"))
    user = get_by_email(text)
    return user.id if user is not None else -1
