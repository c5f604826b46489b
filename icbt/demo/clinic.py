"""The demo clinic: a few staff, a dozen clients (the review hook adds two), plausible history. Idempotent."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from icbt.accounts import consent, users
from icbt.db import db
from icbt.demo import mood, program, review, worksheets
from icbt.demo.people import CLIENTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, STAFF, client_email
from icbt.models.people import Consent, User
from icbt.models.records import AuditEvent
from icbt.privacy import notice
from icbt.timeutil import utcnow


def build() -> bool:
    """Create the demo clinic unless it exists; return whether anything was created."""
    if users.get_by_email(STAFF[0][0]) is not None:
        return False
    staff: dict[str, User] = {}
    for email, role, name in STAFF:
        staff[email] = users.create_user(email, role, name=name, password=DEMO_PASSWORD,
                                         check_password=False)
    for user in staff.values():
        if user.role in ("therapist", "admin"):
            user.totp_secret = DEMO_TOTP_SECRET
            user.totp_enabled = True
    db.session.commit()
    therapists = [staff["therapist@demo.icbt"], staff["therapist2@demo.icbt"]]
    clients: list[User] = []
    for i, name in enumerate(CLIENTS):
        therapist = therapists[0] if i < 9 else therapists[1]
        clients.append(users.create_user(client_email(i), "client", name=name,
                                         password=DEMO_PASSWORD, therapist=therapist,
                                         check_password=False))
    for hook in HISTORY_HOOKS:
        hook(staff, clients)
    agree_to_notice()
    db.session.commit()
    return True


def agree_to_notice() -> None:
    """Demo: every client with a password has agreed to the privacy notice in force."""
    current = notice.current()
    agreed = select(Consent.client_id).where(Consent.version == current.version)
    for client in db.session.scalars(select(User).where(
            User.role == "client", User.password_hash.is_not(None), User.id.not_in(agreed))).all():
        consent.add(client, current.version, current.sha256)
    db.session.flush()


def client_emails() -> list[str]:
    """The demo clients' sign-in addresses in the database (client1, client2, ...), in order."""
    found = db.session.scalars(db.select(User.email).where(
        User.role == "client", User.email.like("client%@demo.icbt"))).all()
    numbered = [(int(m.group(1)), e) for e in found
                if (m := re.fullmatch(r"client(\d+)@demo\.icbt", e))]
    return [e for _n, e in sorted(numbered)]


def audit_history(staff: dict[str, User], clients: list[User]) -> None:
    """Demo: each therapist opened their clients' records on a few recent days."""
    now = utcnow().replace(second=0, microsecond=0)
    for i, client in enumerate(clients):
        if client.therapist_id is None:
            continue
        for days, minutes in ((1, 25), (4, 70), (9, 40)):
            at = now - timedelta(days=days + i % 3, minutes=minutes + 7 * i)
            db.session.add(AuditEvent(at=at, actor_id=client.therapist_id, client_id=client.id,
                                      action="view", target="overview", ip="127.0.0.1"))
    db.session.flush()


# Later features add their demo history here: hook(staff, clients) -> None.
HISTORY_HOOKS: list = [
    program.demo_history,  # LESSONS: enrolments, lesson progress, homework (others read them)
    audit_history,  # DATA-RIGHTS: therapists opened their clients' records
    mood.demo_history,  # MOOD: check-ins and PHQ-9/GAD-7 stories, one risk answer
    worksheets.demo_history,  # WORKSHEETS: entries of several types
    review.demo_history,  # REVIEW: keep LAST (it reads the others' history, then flags)
]
