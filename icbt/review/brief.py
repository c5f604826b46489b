"""The session brief: what happened since the last live session, on one or two printed pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select

from icbt.db import db
from icbt.measures.scoring import MEASURES
from icbt.models.care import (
    Entry,
    Homework,
    LessonProgress,
    LiveSession,
    MeasureResponse,
    MoodCheckin,
)
from icbt.models.flags import Flag
from icbt.models.people import User
from icbt.modules.thought_record import shifts
from icbt.programs import enrolment, homework, overdue, registry
from icbt.review import live_sessions
from icbt.timeutil import to_local, utcnow


@dataclass(frozen=True)
class EntryNote:
    """A worksheet entry in the brief: when, what, and its one-line summary."""

    entry: Entry
    title: str
    summary: str
    shift: float | None = None
    heading: str = ""  # the entry's own short title, e.g. the situation of a thought record  # thought records: mean drop in emotion intensity (0-100)


@dataclass(frozen=True)
class MeasureTrend:
    """A questionnaire's totals in the period, with the change from before it and baseline."""

    key: str
    title: str
    totals: list[tuple[date, int]]
    before: int | None
    baseline: int | None

    @property
    def latest(self) -> int | None:
        """The last total in the period."""
        return self.totals[-1][1] if self.totals else None

    @property
    def change(self) -> int | None:
        """The latest total minus the last one before the period."""
        if self.latest is None or self.before is None:
            return None
        return self.latest - self.before


@dataclass
class Brief:
    """Everything the therapist reads before a live session."""

    client: User
    start: datetime
    end: datetime
    last_session: LiveSession | None
    next_session: LiveSession | None
    lessons: list[LessonProgress] = field(default_factory=list)
    homework_done: list[Any] = field(default_factory=list)
    homework_missed: list[Any] = field(default_factory=list)
    homework_open: list[Any] = field(default_factory=list)
    entries: list[EntryNote] = field(default_factory=list)
    largest_shift: EntryNote | None = None
    smallest_shift: EntryNote | None = None
    shifted: int = 0  # how many entries were re-rated (the brief words one, two or more)
    mood_now: tuple[float | None, int] = (None, 0)
    mood_before: tuple[float | None, int] = (None, 0)
    measures: list[MeasureTrend] = field(default_factory=list)
    flags_closed: list[Flag] = field(default_factory=list)
    flags_open: list[Flag] = field(default_factory=list)

    @property
    def mood_change(self) -> float | None:
        """The mean mood in the period minus the mean in the period before."""
        if self.mood_now[0] is None or self.mood_before[0] is None:
            return None
        return round(self.mood_now[0] - self.mood_before[0], 1)


def shift_of(kind: str, data: Mapping[str, Any]) -> float | None:
    """A thought record's mean drop in emotion intensity (before minus after), if re-rated."""
    if kind != "thought_record":
        return None
    moved = shifts(data or {})
    if not moved:
        return None
    return round(sum(b - a for _n, b, a in moved) / len(moved), 1)


def _describe(entry: Entry) -> tuple[str, str, str]:
    """An entry's worksheet title, own heading and one-line summary (from its plug-in)."""
    fallback = entry.kind.replace("_", " ").capitalize()
    try:
        ws = registry.get(entry.kind)
        if ws is None:
            return fallback, "", ""
        data = entry.data or {}
        return str(ws.title), str(ws.title_of(data) or ""), str(ws.summary(data))
    except Exception:  # noqa: BLE001 - a broken or removed plug-in must not break the brief
        return fallback, "", ""


def _entries(client: User, start: datetime) -> list[EntryNote]:
    rows = db.session.scalars(select(Entry).where(
        Entry.client_id == client.id, Entry.created_at >= start, Entry.deleted_at.is_(None))
        .order_by(Entry.created_at)).all()
    out = []
    for e in rows:
        title, heading, summary = _describe(e)
        out.append(EntryNote(e, title, summary, shift_of(e.kind, e.data), heading))
    return out


def _mean(values: list[int]) -> tuple[float | None, int]:
    return (round(sum(values) / len(values), 1) if values else None, len(values))


def _mood(client: User, start: datetime, end: datetime
          ) -> tuple[tuple[float | None, int], tuple[float | None, int]]:
    first = to_local(start, client.timezone).date()
    last = to_local(end, client.timezone).date()
    span = max((last - first).days, 1)
    before = first - timedelta(days=span)
    rows = db.session.execute(select(MoodCheckin.day, MoodCheckin.mood).where(
        MoodCheckin.client_id == client.id, MoodCheckin.day >= before)).all()
    return (_mean([m for d, m in rows if first <= d <= last]),
            _mean([m for d, m in rows if before <= d < first]))


def _measures(client: User, start: datetime) -> list[MeasureTrend]:
    rows = db.session.execute(select(MeasureResponse.measure, MeasureResponse.total,
                                     MeasureResponse.completed_at).where(
        MeasureResponse.client_id == client.id, MeasureResponse.total.is_not(None),
        MeasureResponse.completed_at.is_not(None)).order_by(MeasureResponse.completed_at)).all()
    out = []
    for key, m in MEASURES.items():
        # The query keeps only completed rows: neither value is None here.
        mine: list[tuple[datetime, int]] = [(at, int(total)) for k, total, at in rows
                                            if k == key and at is not None and total is not None]
        inside = [(to_local(at, client.timezone).date(), t) for at, t in mine if at >= start]
        earlier = [t for at, t in mine if at < start]
        if inside or earlier:
            out.append(MeasureTrend(key, m.title, inside, earlier[-1] if earlier else None,
                                    mine[0][1] if mine else None))
    return out


def _homework(client: User, start: datetime, now: datetime) -> tuple[list, list, list]:
    items = db.session.scalars(select(Homework).where(
        Homework.client_id == client.id,
        or_(Homework.due_at >= start, Homework.due_at.is_(None) & (Homework.assigned_at >= start))
    )).all()
    statuses = homework.statuses(client, items, now)
    current = enrolment.current_enrolment(client.id)
    missed = homework.overdue_for(client, current.id if current else None, now,
                                  overdue.window_days(current_app.config))
    return ([s for s in statuses if s.state == "done"], missed,
            [s for s in statuses if s.state in ("partly", "todo")])


def build(client: User, now: datetime | None = None) -> Brief:
    """Gather what happened since the last live session (or since the start)."""
    now = now or utcnow()
    last = live_sessions.previous(client.id, now)
    start = last.starts_at if last is not None else client.created_at
    b = Brief(client=client, start=start, end=now, last_session=last,
              next_session=live_sessions.upcoming(client.id, now))
    b.lessons = list(db.session.scalars(select(LessonProgress).where(
        LessonProgress.client_id == client.id, LessonProgress.completed_at >= start)
        .order_by(LessonProgress.completed_at)))
    b.homework_done, b.homework_missed, b.homework_open = _homework(client, start, now)
    b.entries = _entries(client, start)
    shifted = [e for e in b.entries if e.shift is not None]
    b.shifted = len(shifted)
    if shifted:
        b.largest_shift = max(shifted, key=lambda e: (e.shift, e.entry.id))
        if len(shifted) > 1:
            b.smallest_shift = min(shifted, key=lambda e: (e.shift, e.entry.id))
    b.mood_now, b.mood_before = _mood(client, start, now)
    b.measures = _measures(client, start)
    flags = db.session.scalars(select(Flag).where(Flag.client_id == client.id, or_(
        Flag.opened_at >= start, Flag.closed_at.is_(None), Flag.closed_at >= start))
        .order_by(Flag.opened_at)).all()
    # Risk first, as in the queue and the overview: the most severe, then the longest open.
    b.flags_open = sorted((f for f in flags if f.closed_at is None),
                          key=lambda f: (-f.severity, f.opened_at, f.id))
    b.flags_closed = [f for f in flags if f.closed_at is not None and f.closed_at >= start]
    return b
