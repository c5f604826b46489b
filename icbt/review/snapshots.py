"""Build ClientSnapshots for a whole caseload with a fixed number of batched queries.

Every query covers all the caseload's clients at once, over a sub-select of their ids:
a GROUP BY, a window function, or a correlated look-up that the database answers from
an index for each client inside the one statement; never a statement per client. With
`as_of`, only rows created before that instant count, so flags can be computed for any
past date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, or_, select, true, union_all
from sqlalchemy.orm import aliased

from icbt.db import db
from icbt.measures.scoring import MEASURES
from icbt.models.care import (
    Enrolment,
    Entry,
    Homework,
    LessonProgress,
    MeasureResponse,
    MoodCheckin,
)
from icbt.models.people import User
from icbt.programs.homework import worksheet_title
from icbt.review.rules import ClientSnapshot, HomeworkItem, Score, Thresholds, mood_windows
from icbt.timeutil import to_local

MOOD_KEY = "mood_checkin"


@dataclass(frozen=True)
class ClientInfo:
    """Who a snapshot is about (for the queue and the CLI)."""

    id: int
    name: str
    email: str
    timezone: str
    status: str
    therapist_id: int | None

    @property
    def display_name(self) -> str:
        """The name, or the email when there is none."""
        return self.name or self.email


def caseload(therapist_id: int | None = None, client_ids: list[int] | None = None,
             include_discharged: bool = True) -> Select[Any]:
    """A sub-select of client ids: one therapist's, some ids, or every client."""
    q = select(User.id).where(User.role == "client")
    if therapist_id is not None:
        q = q.where(User.therapist_id == therapist_id)
    if client_ids is not None:
        q = q.where(User.id.in_(client_ids))
    if not include_discharged:
        q = q.where(User.status != "discharged")
    return q


def _before(col: Any, as_of: datetime | None) -> ColumnElement[bool]:
    """`col < as_of`, or always true when computing for now."""
    return true() if as_of is None else col < as_of


def _upto(col: Any, as_of: datetime | None) -> Any:
    """The column's value if it happened before as_of, else NULL (for max())."""
    return col if as_of is None else case((col < as_of, col))


def _clients(ids: Select[Any], as_of: datetime | None) -> list[ClientInfo]:
    rows = db.session.connection().execute(
        select(User.id, User.name, User.email, User.timezone, User.status, User.therapist_id)
        .where(User.id.in_(ids), _before(User.created_at, as_of)).order_by(User.name, User.id)
    ).all()
    return [ClientInfo(*r) for r in rows]


def _enrolments(ids: Select[Any], as_of: datetime | None) -> dict[int, dict[str, Any]]:
    rn = func.row_number().over(partition_by=Enrolment.client_id,
                                order_by=(Enrolment.created_at.desc(), Enrolment.id.desc()))
    sub = (select(Enrolment.id, Enrolment.client_id, Enrolment.program_slug,
                  Enrolment.start_date, Enrolment.status, Enrolment.paused_at,
                  Enrolment.ended_at, rn.label("rn"))
           .where(Enrolment.client_id.in_(ids), _before(Enrolment.created_at, as_of)).subquery())
    out = {}
    for r in db.session.connection().execute(select(sub).where(sub.c.rn == 1)).mappings():
        status = r["status"]
        if as_of is not None:  # the status at as_of, as far as the stored dates tell
            if r["ended_at"] is not None:
                status = "ended" if r["ended_at"] < as_of else "active"
            if status == "paused" and (r["paused_at"] is None or r["paused_at"] >= as_of):
                status = "active"
        out[r["client_id"]] = {**r, "status": status}
    return out


def _lessons(ids: Select[Any], as_of: datetime | None
             ) -> tuple[dict[int, Any], dict[int, tuple[Any, Any]]]:
    """The current (latest unlocked) lesson per client, and the last opened/completed times.

    The current lesson is one ordered look-up per client on the client's few rows (not a
    window over every client's lessons).
    """
    lp, u = LessonProgress, User
    x = aliased(LessonProgress)
    latest = (select(x.id).where(x.client_id == u.id, x.unlocked_at.is_not(None),
                                 _before(x.unlocked_at, as_of))
              .order_by(x.enrolment_id.desc(), x.week.desc()).limit(1)
              .correlate(u).scalar_subquery())
    current = {r.client_id: r for r in db.session.connection().execute(
        select(lp.client_id, lp.enrolment_id, lp.week, lp.lesson_title, lp.unlocked_at,
               lp.completed_at).select_from(u).join(lp, lp.id == latest)
        .where(u.id.in_(ids)))}
    activity = {
        cid: (opened, completed) for cid, opened, completed in db.session.connection().execute(
            select(lp.client_id, func.max(_upto(lp.opened_at, as_of)),
                   func.max(_upto(lp.completed_at, as_of)))
            .where(lp.client_id.in_(ids)).group_by(lp.client_id))
    }
    return current, activity


def _measure_keys() -> list[str]:
    return sorted(MEASURES)


def _measures(ids: Select[Any], as_of: datetime | None
              ) -> tuple[dict[int, dict[str, Score]], dict[int, dict[str, Score]]]:
    """The first (baseline) and latest completed total per client and measure.

    For every client and measure, two index look-ups (ORDER BY completed_at LIMIT 1, each
    way) on (client_id, measure, completed_at) find the rows, then a join reads their
    totals: a few look-ups per client, where ranking every row with window functions, or
    grouping them, read all 400,000 questionnaires of a 10,000-client clinic.
    """
    m, u = MeasureResponse, User
    keys = union_all(*[select(literal(k).label("k")) for k in _measure_keys()]).subquery()

    def pick(last: bool) -> Any:
        order = (m.completed_at.desc(), m.id.desc()) if last else (m.completed_at, m.id)
        # completed_at is set with the total (measures.assessments): the index alone answers.
        return (select(m.id).where(m.client_id == u.id, m.measure == keys.c.k,
                                   m.completed_at.is_not(None), _before(m.completed_at, as_of))
                .order_by(*order).limit(1).correlate(u, keys).scalar_subquery())

    p = (select(u.id.label("cid"), keys.c.k, pick(False).label("fid"), pick(True).label("lid"))
         .select_from(u).join(keys, literal(True)).where(u.id.in_(ids)).subquery())
    f, la = aliased(MeasureResponse), aliased(MeasureResponse)
    baseline: dict[int, dict[str, Score]] = defaultdict(dict)
    latest: dict[int, dict[str, Score]] = defaultdict(dict)
    for cid, key, ft, fat, lt, lat in db.session.connection().execute(
            select(p.c.cid, p.c.k, f.total, f.completed_at, la.total, la.completed_at)
            .join(f, f.id == p.c.fid).join(la, la.id == p.c.lid)):
        if ft is not None:
            baseline[cid][key] = Score(int(ft), fat)
        if lt is not None:
            latest[cid][key] = Score(int(lt), lat)
    return baseline, latest


def _last_entries(ids: Select[Any], as_of: datetime | None) -> dict[int, datetime]:
    """When each client last wrote or changed a worksheet entry (one still there).

    Now: two ordered index look-ups per client, on (client_id, created_at) and
    (client_id, updated_at). As of a past moment: a grouped scan (rarely needed).
    """
    e, u = Entry, User
    if as_of is None:
        def newest(col: Any) -> Any:
            return (select(col).where(e.client_id == u.id, e.deleted_at.is_(None))
                    .order_by(col.desc()).limit(1).correlate(u).scalar_subquery())

        rows = db.session.connection().execute(
            select(u.id, newest(e.created_at), newest(e.updated_at)).where(u.id.in_(ids)))
        return {cid: max(t for t in (c, up) if t is not None) for cid, c, up in rows
                if c is not None or up is not None}
    alive = or_(e.deleted_at.is_(None), e.deleted_at >= as_of)
    rows = db.session.connection().execute(
        select(e.client_id, func.max(e.created_at), func.max(_upto(e.updated_at, as_of)))
        .where(e.client_id.in_(ids), alive, _before(e.created_at, as_of)).group_by(e.client_id))
    return {cid: max(t for t in (c, up) if t is not None) for cid, c, up in rows}


def _last_checkins(ids: Select[Any], as_of: datetime | None) -> dict[int, tuple[date, datetime]]:
    """The latest check-in day and the latest time a check-in was written, per client.

    Two index look-ups per client ((client_id, day) and (client_id, created_at)) instead
    of grouping every check-in: a filled-in missed day can be written after a later day's.
    """
    m, u = MoodCheckin, User
    day = (select(func.max(m.day)).where(m.client_id == u.id, _before(m.created_at, as_of))
           .correlate(u).scalar_subquery())
    at = (select(func.max(m.created_at)).where(m.client_id == u.id, _before(m.created_at, as_of))
          .correlate(u).scalar_subquery())
    rows = db.session.connection().execute(select(u.id, day, at).where(u.id.in_(ids)))
    return {cid: (d, a) for cid, d, a in rows if d is not None}


def _homework(ids: Select[Any], as_of: datetime | None, horizon: datetime) -> list[Any]:
    """Recent homework rows, each with how many entries count towards it.

    The count is a correlated sub-select, so SQL looks entries up by homework id
    (an index search per homework row) instead of scanning the entry table.
    """
    h, e = Homework, Entry
    alive = e.deleted_at.is_(None) if as_of is None else or_(e.deleted_at.is_(None),
                                                             e.deleted_at >= as_of)
    # By homework id alone: a client_id match here would tempt SQLite (no statistics) to
    # walk all the client's entries by a (client_id, ...) index instead.
    done = (select(func.count(e.id)).where(e.homework_id == h.id,
                                           alive, _before(e.created_at, as_of))
            .correlate(h).scalar_subquery())
    return list(db.session.connection().execute(
        select(h.id, h.client_id, h.enrolment_id, h.week, h.worksheet, h.times, h.assigned_at,
               h.due_at, done.label("done"))
        .where(h.client_id.in_(ids), _before(h.assigned_at, as_of),
               or_(h.due_at.is_(None), h.due_at >= horizon)).order_by(h.id)).all())


def _mood_days(ids: Select[Any], as_of: datetime | None, since: date
               ) -> dict[int, dict[date, int]]:
    """Check-in days and moods since a date (bounded: a few weeks per client)."""
    out: dict[int, dict[date, int]] = defaultdict(dict)
    for cid, day, mood in db.session.connection().execute(
        select(MoodCheckin.client_id, MoodCheckin.day, MoodCheckin.mood)
        .where(MoodCheckin.client_id.in_(ids), MoodCheckin.day >= since,
               _before(MoodCheckin.created_at, as_of))):
        out[cid][day] = mood
    return out


def build(ids: Select[Any], now: datetime, th: Thresholds, as_of: datetime | None = None
          ) -> list[tuple[ClientInfo, ClientSnapshot]]:
    """Snapshots for every client in the sub-select `ids` (9 queries, whatever their number)."""
    db.session.flush()  # the reads below go through the connection, so no autoflush
    people = _clients(ids, as_of)
    if not people:
        return []
    enrol = _enrolments(ids, as_of)
    current, lesson_activity = _lessons(ids, as_of)
    baseline, latest = _measures(ids, as_of)
    entries = _last_entries(ids, as_of)
    checkins = _last_checkins(ids, as_of)
    horizon = now - timedelta(days=th.homework_window_days + 1)
    items = _homework(ids, as_of, horizon)
    mood_from = now.date() - timedelta(days=15)  # 14 local days, plus a day of time zones
    for it in items:
        if it.worksheet == MOOD_KEY:
            mood_from = min(mood_from, it.assigned_at.date() - timedelta(days=1))
    moods = _mood_days(ids, as_of, mood_from)
    tz_of = {p.id: p.timezone or "UTC" for p in people}
    by_client: dict[int, list[HomeworkItem]] = defaultdict(list)
    titles: dict[str, str] = {}  # a dozen worksheet keys over thousands of rows: look each up once
    for it in items:
        tz = tz_of.get(it.client_id, "UTC")
        if it.worksheet == MOOD_KEY:  # daily check-ins: local days from assignment to due day
            first = to_local(it.assigned_at, tz).date()
            last = to_local(it.due_at - timedelta(seconds=1), tz).date() if it.due_at else None
            done = sum(1 for d in moods[it.client_id] if d >= first and (last is None or d <= last))
        else:
            done = int(it.done or 0)
        by_client[it.client_id].append(HomeworkItem(
            it.id, it.worksheet, titles.get(it.worksheet) or titles.setdefault(
                it.worksheet, worksheet_title(it.worksheet)), it.week, max(it.times or 1, 1), done,
            it.due_at, it.enrolment_id))
    out = []
    for p in people:
        tz = tz_of[p.id]
        en = enrol.get(p.id)
        cur = current.get(p.id)
        if cur is not None and en is not None and cur.enrolment_id != en["id"]:
            cur = None  # a lesson of an earlier program
        recent, rn, previous, pn = mood_windows(moods.get(p.id, {}), to_local(now, tz).date())
        opened, completed = lesson_activity.get(p.id, (None, None))
        last_lesson = max((t for t in (opened, completed) if t is not None), default=None)
        last_measure = max((s.at for s in latest.get(p.id, {}).values()), default=None)
        checkin = checkins.get(p.id)
        done_at = cur.completed_at if cur is not None else None
        if done_at is not None and as_of is not None and done_at >= as_of:
            done_at = None
        out.append((p, ClientSnapshot(
            client_id=p.id, timezone=tz, case_status=p.status,
            enrolment_status=en["status"] if en else None, enrolment_id=en["id"] if en else None,
            enrolment_start=en["start_date"] if en else None,
            program_slug=en["program_slug"] if en else None,
            baseline=baseline.get(p.id, {}), latest=latest.get(p.id, {}),
            mood_recent=recent, mood_recent_n=rn, mood_previous=previous, mood_previous_n=pn,
            last_lesson_opened=last_lesson, last_entry_saved=entries.get(p.id),
            last_checkin_at=checkin[1] if checkin else None,
            last_checkin_day=checkin[0] if checkin else None, last_measure_at=last_measure,
            current_week=cur.week if cur is not None else None,
            current_title=cur.lesson_title if cur is not None else "",
            current_unlocked_at=cur.unlocked_at if cur is not None else None,
            current_completed_at=done_at, homework=tuple(by_client.get(p.id, ())),
        )))
    return out


def homework_this_week(s: ClientSnapshot) -> tuple[int, int]:
    """(done, asked) for the homework of the client's current lesson week."""
    items = [h for h in s.homework if s.current_week is not None and h.week == s.current_week
             and h.enrolment_id in (None, s.enrolment_id)]
    return sum(min(h.done, h.times) for h in items), sum(h.times for h in items)
