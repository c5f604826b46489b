"""Demo history for the review area: messages, sessions, contacts, and every kind of flag.

Runs after the other areas' demo hooks: it looks at what their history already raises
and adds just enough for each flag kind to appear at least once in the first
therapist's queue, then computes every client's flags.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from icbt.accounts import users
from icbt.db import db
from icbt.demo.people import DEMO_PASSWORD
from icbt.measures import safety
from icbt.models.care import (
    Contact,
    Enrolment,
    Entry,
    Homework,
    LiveSession,
    MeasureResponse,
    Message,
)
from icbt.models.flags import Flag
from icbt.models.people import User
from icbt.programs import enrolment
from icbt.review import flags, snapshots
from icbt.review.rules import evaluate
from icbt.timeutil import local_today, utcnow

log = logging.getLogger("icbt.review_demo")
PROGRAM = "cbt-low-mood"


def _enrolment(client: User, therapist: User, days_ago: int, now: datetime) -> Enrolment:
    """The client's current enrolment, or a new one that started `days_ago` days back."""
    found = db.session.scalar(select(Enrolment).where(
        Enrolment.client_id == client.id, Enrolment.status == "active")
        .order_by(Enrolment.id.desc()).limit(1))
    if found is not None:
        return found
    start = local_today(client.timezone, now) - timedelta(days=days_ago)
    try:
        return enrolment.enrol(client, PROGRAM, actor=therapist, start_date=start, now=now,
                               notify_client=False)
    except Exception:  # noqa: BLE001 - the program may be missing: a bare enrolment will do
        log.info("demo: enrolling without the lessons service", exc_info=True)
        db.session.rollback()
        row = Enrolment(client_id=client.id, program_slug=PROGRAM, content_version="demo",
                        start_date=start, created_at=now - timedelta(days=days_ago))
        db.session.add(row)
        db.session.flush()
        return row


def _casework(therapist: User, clients: list[User], now: datetime) -> None:
    """A few messages, live sessions, contacts and a talk note, as a real caseload has."""
    for i, c in enumerate(clients[:6]):
        day = now - timedelta(days=6 - i)
        db.session.add_all([
            LiveSession(client_id=c.id, therapist_id=therapist.id, created_at=day,
                        starts_at=(day - timedelta(days=7)).replace(hour=10, minute=0, second=0,
                                                                   microsecond=0),
                        notes="Reviewed the week. Agreed to try two thought records."),
            LiveSession(client_id=c.id, therapist_id=therapist.id, created_at=day,
                        starts_at=(now + timedelta(days=i + 1)).replace(
                            hour=10 + i % 4, minute=0, second=0, microsecond=0)),
            Contact(client_id=c.id, therapist_id=therapist.id, kind="session", minutes=25,
                    at=day - timedelta(days=7)),
            Contact(client_id=c.id, therapist_id=therapist.id, kind="message", minutes=5, at=day),
            Message(client_id=c.id, sender_id=c.id, created_at=day - timedelta(hours=3),
                    read_at=day - timedelta(hours=1),
                    body="I did the thought record on Tuesday. It was harder than I expected."),
            Message(client_id=c.id, sender_id=therapist.id, created_at=day,
                    read_at=None if i % 2 else day + timedelta(hours=5),
                    body="Well done for trying it. Let's look at it together on Thursday."),
        ])
        if i % 3 == 0:
            db.session.add(Message(client_id=c.id, sender_id=c.id, created_at=now - timedelta(hours=2),
                                   body="Could we talk about sleep next time?"))
    if clients:
        clients[0].talk_note = "Sleep, and how to keep going when a week goes badly."


def _raised(clients: list[User], now: datetime) -> dict[str, list[int]]:
    """Which flag kinds the history raises now, and for whom (nothing is written)."""
    ids = snapshots.caseload(client_ids=[c.id for c in clients])
    out: dict[str, list[int]] = {}
    th = flags.thresholds()
    for _info, s in snapshots.build(ids, now, th):
        for r in evaluate(s, now, th):
            out.setdefault(r.kind, []).append(s.client_id)
    return out


def _last_activity(clients: list[User], now: datetime) -> dict[int, datetime | None]:
    ids = snapshots.caseload(client_ids=[c.id for c in clients])
    return {s.client_id: s.last_activity
            for _i, s in snapshots.build(ids, now, flags.thresholds())}


def _extra_client(therapist: User, name: str, n: int) -> User:
    """A demo client of our own, for a flag that needs an absence of activity."""
    return users.create_user(f"client{n}@demo.icbt", "client", name=name,
                             password=DEMO_PASSWORD, therapist=therapist,
                             check_password=False)


def demo_history(staff: dict[str, User], clients: list[User]) -> None:
    """Add review history and make sure the first therapist's queue shows every flag kind."""
    now = utcnow()
    therapist = staff["therapist@demo.icbt"]
    mine = [c for c in clients if c.therapist_id == therapist.id]
    _casework(therapist, mine, now)
    db.session.commit()
    raised = _raised(mine, now)
    spare = [c for c in mine[3:] if not any(c.id in v for v in raised.values())] or mine[3:]
    if "deteriorating" not in raised and spare:
        c = spare.pop(0)
        _enrolment(c, therapist, 28, now)
        for total, at in ((7, now - timedelta(days=60)), (15, now - timedelta(hours=20))):
            db.session.add(MeasureResponse(client_id=c.id, measure="phq9", answers=[],
                                           total=total, created_at=at, completed_at=at))
    if "homework" not in raised and spare:
        c = spare.pop(0)
        e = _enrolment(c, therapist, 14, now)
        hw = Homework(client_id=c.id, enrolment_id=e.id, worksheet="thought_record", times=3,
                      instruction="Two or three thought records this week.",
                      assigned_at=now - timedelta(days=11), due_at=now - timedelta(days=4),
                      created_by=therapist.id)
        db.session.add(hw)
        db.session.flush()
        db.session.add(Entry(client_id=c.id, kind="journal", homework_id=None,
                             data={"text": "A calmer day."}, created_at=now - timedelta(days=1),
                             updated_at=now - timedelta(days=1)))
    db.session.commit()
    raised = _raised(mine, now)  # again: enrolling someone may have raised more kinds
    last = _last_activity(mine, now)
    n = len(clients) + 1
    if "stalled" not in raised:
        quiet_ones = [c for c in mine if (last.get(c.id) or now - timedelta(days=99))
                      < now - timedelta(days=8)]
        c = quiet_ones[0] if quiet_ones else _extra_client(therapist, "Ruth Ellis", n)
        n += 0 if quiet_ones else 1
        _enrolment(c, therapist, 16, now)
    if "quiet" not in raised:
        c = _extra_client(therapist, "Karim Aziz", n)
        _enrolment(c, therapist, 9, now)
        db.session.add(Entry(client_id=c.id, kind="journal", data={"text": "Busy week."},
                             created_at=now - timedelta(days=2), updated_at=now - timedelta(days=2)))
    has_risk = db.session.scalar(select(Flag.id).where(
        Flag.client_id.in_([c.id for c in mine]), Flag.kind == "risk",
        Flag.closed_at.is_(None)).limit(1))
    if has_risk is None and mine:  # risk is raised by icbt.measures.safety, never by the rules
        safety.raise_risk(mine[1 % len(mine)], "phq9_item9", {"answer": 1})
    db.session.commit()
    flags.recompute_all(now)
