"""Daily reminders: "practice due tomorrow" and "no check-in today", each at most once a day.

A reminder goes out at REMINDER_HOUR in the client's own time zone (moved out of
their quiet hours), only while their program is active, only for the kinds they
want, and only when the task is still not done: homework due tomorrow that is not
finished, or no check-in today while this week's homework asks for check-ins that
are not all done yet. A reminder queued but not yet
delivered is cancelled if the task gets done first (checked again at send time).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select

from icbt.db import db
from icbt.messaging import notify
from icbt.models.care import Enrolment, Homework, MoodCheckin
from icbt.models.people import User
from icbt.models.records import OutboxMessage
from icbt.programs import homework as hw_mod
from icbt.timeutil import to_local

REMINDER_KINDS = {"remind_checkin": "checkin", "remind_homework": "homework",
                  "lesson_ready": "lesson"}


def _active_clients() -> dict[int, tuple[User, Enrolment]]:
    """Return every client whose program is running (not paused, not ended)."""
    rows = db.session.execute(
        select(User, Enrolment).join(Enrolment, Enrolment.client_id == User.id)
        .where(Enrolment.status == "active", User.role == "client", User.disabled.is_(False),
               User.status == "active")
    ).all()
    return {u.id: (u, e) for u, e in rows}


def _undone_due(clients: dict[int, User], days: dict[int, date]) -> dict[int, list[Homework]]:
    """Return, per client, the homework due by the end of that client's given day and not done."""
    if not clients:
        return {}
    lo = min(days.values())
    items = list(db.session.scalars(select(Homework).where(
        Homework.client_id.in_(list(clients)), Homework.due_at.is_not(None),
        Homework.due_at > datetime.combine(lo - timedelta(days=1), datetime.min.time()),
        Homework.due_at < datetime.combine(max(days.values()) + timedelta(days=3),
                                           datetime.min.time()))))
    items = [h for h in items
             if hw_mod.due_day(h.due_at, clients[h.client_id].timezone) == days[h.client_id]]
    done = hw_mod.counts(items, {cid: u.timezone for cid, u in clients.items()})
    out: dict[int, list[Homework]] = defaultdict(list)
    for h in items:
        if done[h.id] < max(h.times or 1, 1):
            out[h.client_id].append(h)
    return out


def _asked_to_check_in(clients: dict[int, User], now: datetime) -> set[int]:
    """Return the clients whose current homework asks for check-ins they have not all done."""
    if not clients:
        return set()
    items = list(db.session.scalars(select(Homework).where(
        Homework.client_id.in_(list(clients)), Homework.worksheet == hw_mod.MOOD_KEY,
        Homework.assigned_at <= now, Homework.due_at.is_(None) | (Homework.due_at > now))))
    done = hw_mod.counts(items, {cid: u.timezone for cid, u in clients.items()})
    return {h.client_id for h in items if done[h.id] < max(h.times or 1, 1)}


def _checked_in(pairs: set[tuple[int, date]]) -> set[tuple[int, date]]:
    """Return the (client, day) pairs that have a mood check-in."""
    if not pairs:
        return set()
    rows = db.session.execute(select(MoodCheckin.client_id, MoodCheckin.day).where(
        MoodCheckin.client_id.in_({c for c, _ in pairs}),
        MoodCheckin.day.in_({d for _, d in pairs}))).all()
    return {(c, d) for c, d in rows} & pairs


def send_reminders(now: datetime) -> int:
    """Queue today's reminders for every client whose reminder time has come; return how many."""
    due_now: dict[int, User] = {}
    today: dict[int, date] = {}
    for cid, (user, enrolment) in _active_clients().items():
        local = to_local(now, user.timezone)
        hour = notify.send_hour(user)
        if hour is None or local.hour < hour or notify.is_quiet(user, local.hour):
            continue
        if enrolment.start_date > local.date():
            continue
        due_now[cid] = user
        today[cid] = local.date()
    queued = 0
    checkin = _asked_to_check_in(
        {cid: u for cid, u in due_now.items() if notify.reminder_on(u, "checkin")}, now)
    done_today = _checked_in({(cid, today[cid]) for cid in checkin})
    for cid in sorted(checkin):
        if (cid, today[cid]) not in done_today:
            queued += notify.checkin_reminder(due_now[cid], today[cid]) is not None
    wants = {cid: u for cid, u in due_now.items() if notify.reminder_on(u, "homework")}
    undone = _undone_due(wants, {cid: today[cid] + timedelta(days=1) for cid in wants})
    for cid in sorted(undone):
        queued += notify.homework_reminder(wants[cid], today[cid]) is not None
    db.session.commit()
    return queued


def _key_parts(key: str) -> tuple[int, date] | None:
    """Read (client id, local day) back out of a reminder's dedupe key."""
    try:
        _, uid, day = key.split(":", 2)
        return int(uid), date.fromisoformat(day)
    except (ValueError, AttributeError):
        return None


def cancel_stale(now: datetime) -> int:
    """Cancel queued reminders whose task is now done, or that the client no longer wants."""
    msgs = list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.status == "queued", OutboxMessage.kind.in_(list(REMINDER_KINDS)),
        OutboxMessage.next_attempt_at <= now)))
    if not msgs:
        return 0
    active = _active_clients()
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({m.user_id for m in msgs if m.user_id})))}
    cancel: list[OutboxMessage] = []
    for m in msgs:
        user = users.get(m.user_id or 0)
        if user is None or not notify.wants_email(user) or \
                not notify.reminder_on(user, REMINDER_KINDS[m.kind]):
            cancel.append(m)
            continue
        if m.kind == "lesson_ready":
            continue  # the lesson is open either way; only the opt-out matters
        parts = _key_parts(m.dedupe_key or "")
        if user.id not in active or parts is None:
            cancel.append(m)
        elif m.kind == "remind_checkin" and (
                _checked_in({parts}) or not _asked_to_check_in({user.id: user}, now)):
            cancel.append(m)
        elif m.kind == "remind_homework" and not _undone_due(
                {user.id: user}, {user.id: parts[1] + timedelta(days=1)}):
            cancel.append(m)
    for m in cancel:
        m.status = "cancelled"
    db.session.commit()
    return len(cancel)
