"""Client email preferences (reminder kinds, quiet hours) and the notification emails.

Emails carry a first name and a link, never therapy content: the link goes to the
client's home page, not to a lesson, so even the URL says nothing about their program.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from icbt import audit, i18n
from icbt.db import db
from icbt.messaging import mail
from icbt.messaging.mail import external_url
from icbt.models.people import User
from icbt.models.records import OutboxMessage
from icbt.timeutil import local_midnight_utc, to_local, zone

# Each kind of email a client can turn off (settings page, unsubscribe link).
KINDS = {
    "lesson": _l("When a new lesson is ready"),
    "homework": _l("The day before practice is due"),
    "checkin": _l("When I have not checked in today"),
}


def wants_email(user: User) -> bool:
    """Only clients whose case is active get emails (not invited, paused or discharged ones)."""
    return user.status == "active" and not user.disabled


def reminder_on(user: User, kind: str) -> bool:
    """Tell whether the client wants this kind of email (on unless turned off)."""
    return bool((user.prefs or {}).get("reminders", {}).get(kind, True))


def quiet_hours(user: User) -> tuple[int, int] | None:
    """Return the client's quiet hours (start, end) in local hours, or None when they have none."""
    raw = (user.prefs or {}).get("quiet_hours", current_app.config["QUIET_HOURS"])
    try:
        start, end = int(raw[0]) % 24, int(raw[1]) % 24
    except (TypeError, ValueError, IndexError):
        return None
    return None if start == end else (start, end)


def is_quiet(user: User, local_hour: int) -> bool:
    """Tell whether a local hour falls in the client's quiet hours."""
    q = quiet_hours(user)
    if q is None:
        return False
    start, end = q
    return start <= local_hour < end if start < end else local_hour >= start or local_hour < end


def send_hour(user: User) -> int | None:
    """Return the local hour daily reminders go out: REMINDER_HOUR, moved out of quiet hours."""
    hour = int(current_app.config["REMINDER_HOUR"]) % 24
    for h in list(range(hour, 24)) + list(range(hour - 1, -1, -1)):
        if not is_quiet(user, h):
            return h
    return None


def not_before(user: User, now: datetime) -> datetime:
    """Return `now`, or the end of the client's quiet hours if `now` falls inside them."""
    local = to_local(now, user.timezone)
    q = quiet_hours(user)
    if q is None or not is_quiet(user, local.hour):
        return now
    day = local.date() if local.hour < q[1] else local.date() + timedelta(days=1)
    end = datetime.combine(day, time(q[1]), tzinfo=zone(user.timezone))
    return end.astimezone(UTC).replace(tzinfo=None)


def save_settings(user: User, *, timezone: str, quiet: tuple[int, int] | None,
                  enabled: dict[str, bool]) -> None:
    """Store a client's time zone, quiet hours and reminder choices."""
    prefs: dict[str, Any] = dict(user.prefs or {})
    prefs["reminders"] = {k: bool(enabled.get(k, False)) for k in KINDS}
    prefs["quiet_hours"] = list(quiet) if quiet else [0, 0]
    user.prefs = prefs  # a new dict, so SQLAlchemy sees the JSON change
    user.timezone = timezone
    audit.record("change", actor_id=user.id, client_id=user.id, target="settings")
    db.session.commit()


def find_by_unsubscribe_token(token: str) -> User | None:
    """Return the client whose unsubscribe link this is, or None."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.unsubscribe_token == token))
    return user if user is not None and user.role == "client" else None


def unsubscribe(user: User) -> None:
    """Turn off every reminder email for this client (the one-click link)."""
    prefs: dict[str, Any] = dict(user.prefs or {})
    prefs["reminders"] = {k: False for k in KINDS}
    user.prefs = prefs
    audit.record("change", actor_id=user.id, client_id=user.id, target="unsubscribe")
    db.session.commit()


def _body(user: User, message: str) -> str:
    """Wrap a short message with the greeting, the home link and the unsubscribe link."""
    home = external_url("client.home")
    stop = external_url("client.unsubscribe", token=user.unsubscribe_token or "-")
    return _("Hello %(first)s,\n\n%(message)s\n\n%(link)s\n\n"
             "To stop these emails: %(stop)s\n", first=user.first_name, message=message,
             link=home, stop=stop)


def lesson_ready(user: User, enrolment_id: int, week: int, now: datetime) -> OutboxMessage | None:
    """Queue "Your next lesson is ready" once per lesson, held back until quiet hours end."""
    if not reminder_on(user, "lesson") or not wants_email(user):
        return None
    with i18n.speaking(user.language):
        subject, body = _("Your next lesson is ready"), _body(user, _("Your next lesson is ready."))
    msg = mail.queue(user.email, subject, body, kind="lesson_ready",
                     dedupe_key=f"lesson-ready:{enrolment_id}:{week}", user_id=user.id)
    if msg is not None:
        msg.next_attempt_at = not_before(user, now)
    return msg


def homework_reminder(user: User, day: date) -> OutboxMessage | None:
    """Queue the "practice due tomorrow" reminder, once per client and local day."""
    with i18n.speaking(user.language):
        subject = _("A gentle reminder for tomorrow")
        body = _body(user, _("Some of this week's practice is due tomorrow. "
                             "Whatever you manage counts."))
    return mail.queue(user.email, subject, body, kind="remind_homework", dedupe_key=f"remind-homework:{user.id}:{day}",
                      user_id=user.id)


def checkin_reminder(user: User, day: date) -> OutboxMessage | None:
    """Queue the "no check-in today" reminder, once per client and local day."""
    with i18n.speaking(user.language):
        subject = _("How are you today?")
        body = _body(user, _("You have not checked in today. It only takes a minute."))
    return mail.queue(user.email, subject, body, kind="remind_checkin", dedupe_key=f"remind-checkin:{user.id}:{day}",
                      user_id=user.id)


def local_day_start(user: User, day: date) -> datetime:
    """Return the UTC instant a local day starts for this client."""
    return local_midnight_utc(day, user.timezone)
