"""Demo history for programs: clients enrolled across the three programs at different weeks.

Each client's weeks are replayed day by day through the same services the app uses,
so lessons open by their real rules (schedule, completion, feedback). Most clients
read and finish their lessons and do some of their practice; one has stalled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from icbt.db import db
from icbt.models.care import Enrolment, Entry, Homework, LessonProgress
from icbt.models.people import User
from icbt.programs import enrolment as prog
from icbt.programs import store as content
from icbt.review import flags
from icbt.timeutil import local_midnight_utc, local_today, utcnow

# Per demo client, by position: (program, weeks since the start, how they take part).
# Clients past the end of this list are left unenrolled, to show that page too.
PLANS = [
    ("cbt-low-mood", 5, "engaged"),
    ("dbt-emotion-regulation", 4, "engaged"),
    ("ipt-relationships", 3, "engaged"),
    ("cbt-low-mood", 3, "engaged"),
    ("cbt-low-mood", 6, "stalled"),
    ("ipt-relationships", 5, "engaged"),
    ("dbt-emotion-regulation", 2, "engaged"),
    ("cbt-low-mood", 8, "engaged"),
    ("cbt-low-mood", 1, "new"),
    ("dbt-emotion-regulation", 3, "engaged"),
]
JOURNAL_LINES = [
    "Went for a short walk after lunch. Felt a bit lighter afterwards.",
    "Hard morning, but I called my sister and that helped.",
    "Slept badly. Managed to get to work anyway, which I'm counting.",
]


def _behave(row: LessonProgress, kind: str, now: datetime) -> None:
    """Read, finish and get feedback on a lesson the way this kind of client would."""
    opened = row.unlocked_at or now
    stalled_after = 2 if kind == "stalled" else 99
    if row.week > stalled_after:
        return
    steps = (("opened_at", timedelta(hours=30)), ("completed_at", timedelta(days=2)),
             ("feedback_at", timedelta(days=3)))
    for attr, after in steps:
        if getattr(row, attr) is None and opened + after <= now:
            if attr == "feedback_at" and kind == "stalled" and row.week == stalled_after:
                continue  # the therapist has not caught up with this client yet
            setattr(row, attr, opened + after)


def _practice(client: User, enrolment: Enrolment, kind: str, now: datetime) -> None:
    """Write some journal entries for journal homework (done, or "2 of 3")."""
    if kind == "stalled":
        return
    items = db.session.scalars(select(Homework).where(
        Homework.enrolment_id == enrolment.id, Homework.worksheet == "journal")).all()
    for n, hw in enumerate(items):
        count = hw.times if n % 2 == 0 else max(hw.times - 1, 1)
        for i in range(count):
            at = hw.assigned_at + timedelta(days=1 + i, hours=10)
            if at >= now:
                break
            db.session.add(Entry(client_id=client.id, kind="journal", homework_id=hw.id,
                                 data={"title": "", "text": JOURNAL_LINES[i % 3],
                                       "mood": 4 + i, "tags": []},
                                 created_at=at, updated_at=at))


def demo_history(staff: dict[str, User], clients: list[User]) -> None:
    """Enrol the demo clients across the three programs, replaying their weeks so far."""
    now = utcnow()
    store = content.store()
    for client, (slug, weeks, kind) in zip(clients, PLANS, strict=False):
        if store.get_program(slug) is None or prog.current_enrolment(client.id) is not None:
            continue
        therapist = db.session.get(User, client.therapist_id)
        if therapist is None:
            continue
        start = local_today(client.timezone, now) - timedelta(days=7 * (weeks - 1) + 2)
        t = local_midnight_utc(start, client.timezone) + timedelta(hours=9)
        enrolment = prog.enrol(client, slug, actor=therapist, start_date=start, now=t,
                               notify_client=False)
        while t < now:
            t = min(t + timedelta(hours=12), now)
            for row in prog.progress_rows(enrolment.id):
                _behave(row, kind, t)
            prog.sync(enrolment, t, commit=False, notify_client=False)
        _practice(client, enrolment, kind, now)
        db.session.commit()
        for row in prog.progress_rows(enrolment.id):
            prog.snapshot(slug, row.week)
        flags.recompute_client(client.id)
