"""Homework progress: how much is done, when it is due, in kind words (batched queries)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from icbt.db import db
from icbt.models.care import Entry, Homework, MoodCheckin
from icbt.models.people import User
from icbt.programs import overdue, registry
from icbt.timeutil import to_local, utcnow

MOOD_KEY = "mood_checkin"

# Plural nouns for the built-in worksheets, so a client reads "2 of 3 thought records".
NOUNS = {
    "mood_checkin": (_l("mood check-in"), _l("mood check-ins")),
    "thought_record": (_l("thought record"), _l("thought records")),
    "journal": (_l("journal entry"), _l("journal entries")),
    "activity_monitoring": (_l("activity record"), _l("activity records")),
    "activity_schedule": (_l("activity plan"), _l("activity plans")),
    "diary_card": (_l("diary card"), _l("diary cards")),
    "check_the_facts": (_l("check the facts worksheet"), _l("check the facts worksheets")),
    "opposite_action": (_l("opposite action worksheet"), _l("opposite action worksheets")),
    "interpersonal_inventory": (_l("interpersonal inventory"), _l("interpersonal inventories")),
    "communication_analysis": (_l("communication analysis"), _l("communication analyses")),
    "medication_log": (_l("medication log entry"), _l("medication log entries")),
}


@dataclass(frozen=True)
class Status:
    """One homework item with how much of it is done."""

    homework: Homework
    done: int
    due_day: date | None  # the last local day to do it
    state: str  # done | partly | todo | overdue

    @property
    def times(self) -> int:
        """How many times it was asked for."""
        return max(self.homework.times or 1, 1)

    @property
    def id(self) -> int:
        """The homework's id (what icbt.programs.overdue reads)."""
        return self.homework.id

    @property
    def due_at(self) -> datetime | None:
        """The deadline (UTC)."""
        return self.homework.due_at

    @property
    def enrolment_id(self) -> int | None:
        """The enrolment it belongs to (None: a therapist's extra homework)."""
        return self.homework.enrolment_id

    @property
    def label(self) -> str:
        """Say how much is done, e.g. "2 of 3 thought records"."""
        return progress_words(self.homework.worksheet, min(self.done, self.times), self.times)


def worksheet_title(key: str) -> str:
    """Return a worksheet's title from the registry, or a readable form of its key."""
    if key == MOOD_KEY:
        return _("Mood check-in")
    ws = registry.get(key)
    return str(getattr(ws, "title", "") or key.replace("_", " ").capitalize())


def progress_words(key: str, done: int, times: int) -> str:
    """Say "2 of 3 thought records" (or "2 of 3: Problem solving" for a designer's worksheet)."""
    if key in NOUNS:
        one, many = NOUNS[key]
        noun = one if times == 1 else many
        return _("%(done)d of %(times)d %(noun)s", done=done, times=times, noun=noun)
    return _("%(done)d of %(times)d: %(title)s", done=done, times=times,
             title=worksheet_title(key))


def due_day(due_at: datetime | None, tz: str) -> date | None:
    """Return the last local day before a deadline (due at midnight means due by the day before)."""
    if due_at is None:
        return None
    return to_local(due_at - timedelta(seconds=1), tz).date()


def _state(done: int, times: int, due_at: datetime | None, now: datetime) -> str:
    if done >= times:
        return "done"
    if due_at is not None and now >= due_at:
        return "overdue"
    return "partly" if done else "todo"


def counts(items: Iterable[Homework], tz_of: dict[int, str]) -> dict[int, int]:
    """Count the work done for each homework id: entries linked to it, or check-ins in its window."""
    items = list(items)
    out: dict[int, int] = {h.id: 0 for h in items}
    entry_ids = [h.id for h in items if h.worksheet != MOOD_KEY]
    if entry_ids:
        rows = db.session.execute(
            select(Entry.homework_id, func.count(Entry.id))
            .where(Entry.homework_id.in_(entry_ids), Entry.deleted_at.is_(None))
            .group_by(Entry.homework_id)
        ).all()
        out.update({hid: n for hid, n in rows if hid is not None})
    mood = [h for h in items if h.worksheet == MOOD_KEY]
    if mood:
        windows = {h.id: (to_local(h.assigned_at, tz_of.get(h.client_id, "UTC")).date(),
                          due_day(h.due_at, tz_of.get(h.client_id, "UTC")))
                   for h in mood}
        lo = min(w[0] for w in windows.values())
        days: dict[int, list[date]] = defaultdict(list)
        for cid, day in db.session.execute(
            select(MoodCheckin.client_id, MoodCheckin.day).where(
                MoodCheckin.client_id.in_({h.client_id for h in mood}), MoodCheckin.day >= lo)
        ).all():
            days[cid].append(day)
        for h in mood:
            first, last = windows[h.id]
            out[h.id] = sum(1 for d in days[h.client_id]
                            if d >= first and (last is None or d <= last))
    return out


def statuses(client: User, items: Iterable[Homework], now: datetime | None = None) -> list[Status]:
    """Return the status of each homework item of one client, soonest due first."""
    now = now or utcnow()
    items = list(items)
    done = counts(items, {client.id: client.timezone})
    out = [Status(h, done[h.id], due_day(h.due_at, client.timezone),
                  _state(done[h.id], max(h.times or 1, 1), h.due_at, now)) for h in items]
    far = datetime.max
    return sorted(out, key=lambda s: (s.homework.due_at or far, s.homework.id))


def overdue_for(client: User, enrolment_id: int | None, now: datetime | None = None,
                window: int = overdue.WINDOW_DAYS) -> list[Status]:
    """The client's overdue homework (icbt.programs.overdue), the oldest deadline first."""
    now = now or utcnow()
    items = db.session.scalars(select(Homework).where(
        Homework.client_id == client.id, Homework.due_at <= now,
        Homework.due_at >= now - timedelta(days=window + 1))).all()
    return overdue.pick(statuses(client, items, now), now, window=window,
                        enrolment_id=enrolment_id)


def is_done(hw: Homework, tz: str) -> bool:
    """Tell whether one homework item is complete."""
    return counts([hw], {hw.client_id: tz})[hw.id] >= max(hw.times or 1, 1)


def for_client(client_id: int, *, enrolment_id: int | None = None,
               week: int | None = None) -> list[Homework]:
    """Return a client's homework, optionally for one enrolment and week."""
    q = select(Homework).where(Homework.client_id == client_id)
    if enrolment_id is not None:
        q = q.where((Homework.enrolment_id == enrolment_id) | Homework.enrolment_id.is_(None))
    if week is not None:
        q = q.where(Homework.week == week)
    return list(db.session.scalars(q.order_by(Homework.id)))
