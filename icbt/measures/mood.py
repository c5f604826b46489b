"""Daily mood check-ins (services): one per client per local day, missed days back-filled.

Rules: today's check-in can be changed all day; a missed day up to BACKFILL_DAYS back can
be filled in, and what was filled in stays editable for the rest of the local day on
which it was written. "Today" is always the client's own date (icbt.timeutil).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from icbt import signals
from icbt.db import db
from icbt.models.care import MoodCheckin
from icbt.models.people import User
from icbt.timeutil import local_today, to_local, utcnow

log = logging.getLogger("icbt.mood")

BACKFILL_DAYS = 7
NOTE_MAX = 280
# A fixed list keeps tags comparable over time and keeps free text out of the chart data.
EMOTION_TAGS: tuple[tuple[str, object], ...] = (
    ("calm", _l("Calm")), ("content", _l("Content")), ("hopeful", _l("Hopeful")),
    ("grateful", _l("Grateful")), ("energised", _l("Energised")), ("tired", _l("Tired")),
    ("sad", _l("Sad")), ("lonely", _l("Lonely")), ("worried", _l("Worried")),
    ("stressed", _l("Stressed")), ("irritable", _l("Irritable")), ("angry", _l("Angry")),
    ("numb", _l("Numb")), ("ashamed", _l("Ashamed")), ("guilty", _l("Guilty")),
)
TAG_KEYS = tuple(k for k, _label in EMOTION_TAGS)


class CheckinError(ValueError):
    """A check-in that cannot be saved; the message is safe to show to the client."""


@dataclass
class CheckinInput:
    """What the client entered (already converted to numbers by the form)."""

    mood: int
    anxiety: int | None = None
    sleep_hours: float | None = None
    tags: list[str] = field(default_factory=list)
    note: str = ""


def client_today(client: User) -> date:
    """The client's today, in their own time zone."""
    return local_today(client.timezone)


def earliest_fillable(client: User) -> date:
    """The oldest day a missed check-in can still be filled in."""
    return client_today(client) - timedelta(days=BACKFILL_DAYS)


def get_checkin(client_id: int, day: date) -> MoodCheckin | None:
    """The client's check-in for a day, if any."""
    return db.session.scalar(
        select(MoodCheckin).where(MoodCheckin.client_id == client_id, MoodCheckin.day == day)
    )


def can_edit(client: User, day: date, existing: MoodCheckin | None) -> bool:
    """Tell whether the client may write this day's check-in now."""
    today = client_today(client)
    if day > today or day < today - timedelta(days=BACKFILL_DAYS):
        return False
    if existing is None or day == today:
        return True
    return to_local(existing.created_at, client.timezone).date() == today


def validate(data: CheckinInput) -> CheckinInput:
    """Check ranges and the tag list; raise CheckinError with a calm message."""
    if not isinstance(data.mood, int) or not 0 <= data.mood <= 10:
        raise CheckinError(_("Please choose how your mood was, from 0 to 10."))
    if data.anxiety is not None and not 0 <= data.anxiety <= 10:
        raise CheckinError(_("Anxiety goes from 0 to 10."))
    if data.sleep_hours is not None and not 0 <= data.sleep_hours <= 24:
        raise CheckinError(_("Hours slept go from 0 to 24."))
    unknown = [t for t in data.tags if t not in TAG_KEYS]
    if unknown:
        raise CheckinError(_("Please choose feelings from the list."))
    if len(data.note or "") > NOTE_MAX:
        raise CheckinError(_("Please keep the note to %(n)d characters.", n=NOTE_MAX))
    sleep = None if data.sleep_hours is None else round(float(data.sleep_hours) * 2) / 2
    tags = [t for t in TAG_KEYS if t in set(data.tags)]
    return CheckinInput(data.mood, data.anxiety, sleep, tags, (data.note or "").strip())


def save_checkin(client: User, day: date, data: CheckinInput) -> MoodCheckin:
    """Create or update the check-in for a day, commit, then refresh the client's flags."""
    clean = validate(data)
    existing = get_checkin(client.id, day)
    if not can_edit(client, day, existing):
        raise CheckinError(_("This day can no longer be changed. You can fill in missed days "
                             "up to %(n)d days back.", n=BACKFILL_DAYS))
    now = utcnow()
    row = existing
    if row is None:
        row = MoodCheckin(client_id=client.id, day=day, mood=clean.mood, created_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            # The same day was saved a moment ago (a double tap): update that one instead.
            row = get_checkin(client.id, day)
            if row is None:
                raise
    row.mood, row.anxiety, row.sleep_hours = clean.mood, clean.anxiety, clean.sleep_hours
    row.tags, row.note, row.updated_at = list(clean.tags), clean.note, now
    db.session.commit()
    after_write(client.id)
    return row


def after_write(client_id: int) -> None:
    """Recompute review flags after a commit; a failure here must not undo saved data."""

    try:
        signals.client_data_changed(client_id)
    except Exception:  # noqa: BLE001 - the nightly job recomputes; the client's data is saved
        db.session.rollback()
        log.exception("recompute_client failed for client %s", client_id)


def recent(client: User, days: int = 14) -> list[MoodCheckin]:
    """The client's check-ins of the last `days` local days, newest first."""
    since = client_today(client) - timedelta(days=days - 1)
    return list(db.session.scalars(
        select(MoodCheckin).where(MoodCheckin.client_id == client.id, MoodCheckin.day >= since)
        .order_by(MoodCheckin.day.desc())
    ))


def missed_days(client: User) -> list[date]:
    """Days in the back-fill window (not today) with no check-in, newest first."""
    today = client_today(client)
    start = today - timedelta(days=BACKFILL_DAYS)
    have = set(db.session.scalars(
        select(MoodCheckin.day).where(MoodCheckin.client_id == client.id,
                                      MoodCheckin.day >= start, MoodCheckin.day < today)
    ))
    return [today - timedelta(days=i) for i in range(1, BACKFILL_DAYS + 1)
            if today - timedelta(days=i) not in have]


def tag_label(key: str) -> str:
    """The shown name of an emotion tag."""
    return str(dict(EMOTION_TAGS).get(key, key))
