"""One synthetic client's story: enrolments, lessons, homework, check-ins, measures, messages.

Lessons open by the same pure rules the app uses (icbt.programs.pacing), so the unlock job
finds nothing left to open in a freshly built clinic. Rows go to a `Sink` (the bulk
writer in icbt.demo.synthetic); ids are assigned here so children can point at parents.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from icbt.demo.synthetic_data import CLIENT_NOTES, NOTES, TAGS, THERAPIST_NOTES, answers_for
from icbt.programs.pacing import Opened, Plan, earliest_after, expected_next_at, scheduled_at
from icbt.timeutil import local_midnight_utc

# (persona, weight): how people use the service; "stalled" stop everything some days ago.
PERSONAS = (("engaged", 50), ("partial", 22), ("stalled", 12), ("paused", 4),
            ("discharged", 6), ("new", 4), ("invited", 2))
# Chances: a check-in on a day; opening a lesson; finishing an opened lesson; doing a
# homework item in full (otherwise part of it).
HABITS = {"engaged": (0.98, 0.99, 0.97, 0.95), "partial": (0.8, 0.8, 0.7, 0.6),
          "stalled": (0.9, 0.9, 0.8, 0.7), "paused": (0.75, 0.85, 0.8, 0.7),
          "discharged": (0.85, 0.9, 0.85, 0.7), "new": (0.9, 0.95, 0.9, 0.85),
          "invited": (0.0, 0.0, 0.0, 0.0)}
TRAJECTORIES = (("improving", 50), ("flat", 30), ("worsening", 20))


class Sink(Protocol):
    """Where rows go (the bulk writer)."""

    def add(self, table: str, row: dict[str, Any]) -> None: ...

    def next_id(self, table: str) -> int: ...


@dataclass
class Clinic:
    """What every client's story shares."""

    now: datetime
    days: int
    programs: list[Any]
    samples: dict[str, list[dict[str, Any]]]
    sink: Sink
    offsets: dict[str, timedelta] = field(default_factory=dict)


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    """A weighted random choice of a key."""
    return rng.choices([k for k, _w in weighted], [w for _k, w in weighted])[0]


def _at(c: Clinic, tz: str, day: date, hour: float) -> datetime:
    """A local day and hour as naive UTC (the zone's offset of today; close enough here)."""
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour) - c.offsets[tz]


class Story:
    """Generate one client's rows."""

    def __init__(self, c: Clinic, rng: random.Random, uid: int, therapist_id: int, tz: str,
                 persona: str) -> None:
        self.c, self.rng, self.uid, self.tid, self.tz, self.persona = (
            c, rng, uid, therapist_id, tz, persona)
        self.today = (c.now + c.offsets[tz]).date()
        self.p_checkin, self.p_open, self.p_done, self.p_hw = HABITS[persona]
        self.trajectory = pick(rng, TRAJECTORIES)
        if persona in ("new", "invited"):
            self.first = self.today - timedelta(days=rng.randint(0, 10))
        else:
            self.first = self.today - timedelta(days=c.days - 1 - rng.randint(0, c.days // 20))
        self.stop: date | None = None  # the last day of any activity
        if persona == "stalled":
            self.stop = self.today - timedelta(days=rng.randint(8, 30))
        elif persona == "discharged":
            self.stop = self.today - timedelta(days=rng.randint(5, 40))
        self.until = (local_midnight_utc(self.stop + timedelta(days=1), tz)
                      if self.stop else c.now)
        self.enrolments: list[tuple[date, int]] = []

    def created_at(self) -> datetime:
        """When the account was made (two days before the first check-in)."""
        return _at(self.c, self.tz, self.first - timedelta(days=2), 10)

    # --- program -----------------------------------------------------------------
    def programs(self) -> None:
        """One enrolment, or a finished one and a second program after it."""
        if self.persona == "invited":
            return
        rng, span = self.rng, (self.today - self.first).days
        # Some wait weeks for a place (their check-ins start on the waiting list).
        start = self.first + timedelta(days=rng.randint(0, max(0, span * 85 // 100)))
        if self.persona == "new":
            start = self.first + timedelta(days=rng.randint(0, 2))
        program = rng.choice(self.c.programs)
        ended = None
        last = self._enrolment(program, start, None, probe=True)
        if (last is not None and self.persona in ("engaged", "partial")
                and self.c.now - last > timedelta(days=40)):
            # A finished program: half go on to a second one, the others are discharged.
            ended = last + timedelta(days=rng.randint(21, 35))
            if rng.random() < 0.5:
                self.persona = "discharged"
                self.stop = (ended + self.c.offsets[self.tz]).date()
                self.until = ended
        paused = (self.c.now - timedelta(days=rng.randint(3, 20))
                  if self.persona == "paused" else None)
        if self.persona == "discharged":
            ended = self.until
        self._enrolment(program, start, ended, paused=None if ended else paused)
        if ended is not None and self.persona != "discharged":
            start2 = (ended + self.c.offsets[self.tz]).date() + timedelta(days=rng.randint(1, 5))
            if start2 <= self.today:
                others = [p for p in self.c.programs if p.slug != program.slug]
                self._enrolment(rng.choice(others), start2, None, paused=paused)

    def _enrolment(self, program: Any, start: date, ended: datetime | None,
                   paused: datetime | None = None, probe: bool = False) -> datetime | None:
        """Open lessons by the program's rules up to now (or the end or pause); add the rows."""
        rng, c = self.rng, self.c
        limit = min(x for x in (ended, paused, c.now) if x is not None)
        weeks = max((lesson.week for lesson in program.lessons), default=0)
        plan = Plan(unlock=program.unlock, weeks=weeks, start_date=start, tz=self.tz,
                    pace_days=7, min_gap_days=program.min_gap_days)
        state = rng.getstate()  # a probe must not change what comes next
        eid = 0 if probe else c.sink.next_id("enrolment")
        if not probe:
            c.sink.add("enrolment", {
                "id": eid, "client_id": self.uid, "program_slug": program.slug,
                "content_version": program.content_hash, "start_date": start, "pace_days": 7,
                "status": "ended" if ended else ("paused" if paused else "active"),
                "paused_at": paused, "paused_days": 0, "extra_unlocked": 0,
                "created_at": _at(c, self.tz, start - timedelta(days=1), 11),
                "ended_at": ended})
            self.enrolments.append((start, eid))
        opened: list[Opened] = []
        for lesson in program.lessons:
            week = lesson.week
            if week == 1 or plan.unlock == "schedule":
                at = scheduled_at(plan, week)
            else:
                prev = opened[-1]
                gate = prev.completed_at if plan.unlock == "completion" else prev.feedback_at
                if gate is None:
                    break
                at = max(earliest_after(plan, prev), gate)
            if at > limit:
                break
            seen = self._maybe(at, rng.uniform(2, 60), self.p_open, limit)
            done = self._maybe(seen, rng.uniform(1, 96), self.p_done, limit) if seen else None
            feedback = (self._maybe(seen, rng.uniform(48, 150), 0.92, limit)
                        if seen and plan.unlock == "feedback" else None)
            opened.append(Opened(week, at, done, feedback))
            if not probe:
                c.sink.add("lesson_progress", {
                    "enrolment_id": eid, "client_id": self.uid, "week": week,
                    "lesson_slug": lesson.slug, "lesson_title": lesson.title,
                    "content_version": program.content_hash, "unlocked_at": at,
                    "opened_at": seen, "completed_at": done, "feedback_at": feedback})
                self._homework(plan, lesson, eid, at)
        if probe:
            rng.setstate(state)
        return opened[-1].unlocked_at if len(opened) == weeks and opened else None

    def _maybe(self, after: datetime | None, hours: float, p: float,
               limit: datetime) -> datetime | None:
        """`after` + hours, if the client does it (p) before they stop, the limit and now;
        someone who does not get to it soon may still do it days later (p again)."""
        if after is None:
            return None
        if self.rng.random() >= p:
            if self.rng.random() >= p:
                return None
            hours += self.rng.uniform(96, 300)
        at = after + timedelta(hours=hours)
        return at if at <= min(limit, self.until, self.c.now) else None

    def _homework(self, plan: Plan, lesson: Any, eid: int, at: datetime) -> None:
        """The lesson's homework rows and the worksheet entries done for them."""
        c, rng = self.c, self.rng
        due = expected_next_at(plan, lesson.week, at)
        for spec in lesson.homework:
            hid = c.sink.next_id("homework")
            c.sink.add("homework", {
                "id": hid, "client_id": self.uid, "enrolment_id": eid, "week": lesson.week,
                "worksheet": spec.worksheet, "times": spec.times,
                "instruction": spec.instruction[:500], "assigned_at": at, "due_at": due,
                "created_by": None})
            if spec.worksheet == "mood_checkin" or spec.worksheet not in c.samples:
                continue
            end = min(due, self.until, c.now)
            window = (end - at).total_seconds()
            if window <= 3600:
                continue
            times = spec.times if rng.random() < self.p_hw else rng.randint(0, spec.times - 1)
            for _n in range(times):
                self._entry(spec.worksheet, at + timedelta(seconds=rng.uniform(0, window)), hid)

    def _entry(self, kind: str, at: datetime, homework_id: int | None) -> None:
        deleted = at + timedelta(days=1) if self.rng.random() < 0.01 else None
        self.c.sink.add("entry", {
            "id": self.c.sink.next_id("entry"), "client_id": self.uid, "kind": kind,
            "schema_version": 1, "data": self.rng.choice(self.c.samples[kind]),
            "homework_id": homework_id, "submission_key": None, "created_at": at,
            "updated_at": at, "deleted_at": deleted if deleted and deleted < self.c.now else None})

    # --- daily life --------------------------------------------------------------
    def _progress(self, day: date) -> float:
        """How far the trajectory has moved by a day: 0 flat, up to 1 better, below 0 worse."""
        f = (day - self.first).days / max(1, (self.today - self.first).days)
        return {"improving": f, "worsening": -0.6 * f}.get(self.trajectory, 0.0)

    def daily(self) -> None:
        """Check-ins, questionnaires, journal entries and messages, day by day."""
        if self.persona == "invited":
            return
        rng, c, tz = self.rng, self.c, self.tz
        base, gain = rng.uniform(3.5, 6.0), rng.uniform(2.0, 4.0)
        phq0, gad0 = rng.randint(10, 22), rng.randint(8, 17)
        last_day = min(self.stop or self.today, self.today)
        pause_day = self.today - timedelta(days=30) if self.persona == "paused" else None
        day, n = self.first, 0
        while day <= last_day:
            p = self.p_checkin * (0.5 if pause_day and day > pause_day else 1.0)
            if rng.random() < p:
                late = 1.5 if self.trajectory == "worsening" and (self.today - day).days < 10 \
                    else 0.0  # a recent dip, as the deteriorating rule looks for
                self._checkin(day, base + gain * self._progress(day) - late)
            if n % 7 == 1 and rng.random() < 0.9:
                lift = self._progress(day)
                self._measure("phq9", day, phq0 - round(9 * lift), 9)
                self._measure("gad7", day, gad0 - round(6 * lift), 7)
            if self.persona == "engaged" and n % 11 == 5 and "journal" in c.samples:
                self._entry("journal", _at(c, tz, day, rng.uniform(9, 22)), None)
            if n % 17 == 8:
                self._messages(day, last_day)
            day += timedelta(days=1)
            n += 1

    def _checkin(self, day: date, level: float) -> None:
        rng, c = self.rng, self.c
        mood = max(0, min(10, round(level + rng.gauss(0, 1.1))))
        at = min(_at(c, self.tz, day, rng.uniform(18, 22.5)), c.now - timedelta(minutes=5))
        c.sink.add("mood_checkin", {
            "client_id": self.uid, "day": day, "mood": mood,
            "anxiety": max(0, min(10, 10 - mood + round(rng.gauss(0, 1.5))))
            if rng.random() < 0.7 else None,
            "sleep_hours": rng.choice((5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5))
            if rng.random() < 0.5 else None,
            "tags": rng.sample(TAGS, rng.randint(1, 2)) if rng.random() < 0.3 else [],
            "note": rng.choice(NOTES) if rng.random() < 0.1 else "",
            "created_at": at, "updated_at": at})

    def _measure(self, key: str, day: date, total: int, items: int) -> None:
        rng, c = self.rng, self.c
        total = max(0, min(3 * items, total + rng.randint(-2, 2)))
        item9 = 1 if (key == "phq9" and self.trajectory == "worsening" and total >= 20
                      and (self.today - day).days < 7 and rng.random() < 0.3) else 0
        answers = answers_for(total, items, rng, item9)
        at = min(_at(c, self.tz, day, rng.uniform(8, 21)), c.now - timedelta(minutes=5))
        complete = rng.random() > 0.02
        rid = c.sink.next_id("measure_response")
        eid = next((e for s, e in reversed(self.enrolments) if s <= day), None)
        c.sink.add("measure_response", {
            "id": rid, "client_id": self.uid, "enrolment_id": eid, "measure": key,
            "answers": answers if complete else answers[:-3] + [None] * 3,
            "total": sum(answers) if complete else None,
            "created_at": at - timedelta(minutes=4), "completed_at": at if complete else None})
        if item9 and complete:
            c.sink.add("flag", {
                "client_id": self.uid, "kind": "risk", "severity": 4, "source": "phq9_item9",
                "evidence": {"measure": "phq9", "item": 9, "answer": item9, "response_id": rid},
                "opened_at": at, "ack_note": ""})

    def _messages(self, day: date, last_day: date) -> None:
        rng, c = self.rng, self.c
        sent = _at(c, self.tz, day, rng.uniform(9, 17))
        if sent >= c.now:
            return
        recent = (self.today - day).days < 4
        c.sink.add("message", {"client_id": self.uid, "sender_id": self.tid, "entry_id": None,
                               "body": rng.choice(THERAPIST_NOTES), "created_at": sent,
                               "read_at": None if recent else sent + timedelta(hours=5)})
        reply = sent + timedelta(hours=rng.uniform(3, 40))
        if rng.random() < 0.6 and reply < min(c.now, self.until):
            c.sink.add("message", {"client_id": self.uid, "sender_id": self.uid,
                                   "entry_id": None, "body": rng.choice(CLIENT_NOTES),
                                   "created_at": reply,
                                   "read_at": None if recent else reply + timedelta(hours=8)})
