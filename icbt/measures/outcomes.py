"""The clinic outcomes report: episodes started and finished, completion, NHS TT outcomes.

An episode is an Enrolment. Over a period [start, end] (inclusive dates):
- started: the enrolment's start_date falls in the period;
- finished: it ended (status "ended") with ended_at in the period;
- completed: finished having completed at least REPORT_COMPLETION_SHARE (default: all)
  of the program's lessons; otherwise a drop-out;
- outcomes (icbt.measures, NHS Talking Therapies rules) among finished episodes with at
  least two paired PHQ-9/GAD-7 occasions; recovery rates use those who were a case at
  the start as the denominator, as the NHS Talking Therapies manual does.
Queries are batched: a fixed number per report, whatever the number of episodes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, or_, select

from icbt.db import db
from icbt.measures import scoring
from icbt.measures.assessments import EARLY_DAYS
from icbt.models.care import Enrolment, LessonProgress, MeasureResponse
from icbt.models.people import User
from icbt.programs import store
from icbt.timeutil import to_local


@dataclass
class Episode:
    """One enrolment as the report sees it."""

    enrolment_id: int
    client_id: int
    program: str
    therapist_id: int | None
    therapist: str
    start_date: date
    ended_on: date | None
    started: bool
    finished: bool
    lessons_done: int
    lessons_total: int
    completed: bool
    pairs: int
    outcome: scoring.Outcome | None


@dataclass
class Group:
    """Counts and rates for all episodes, one program or one therapist."""

    label: str
    started: int = 0
    finished: int = 0
    completed: int = 0
    dropped: int = 0
    paired: int = 0
    case_at_start: int = 0
    improved: int = 0
    recovered: int = 0
    reliably_recovered: int = 0
    deteriorated: int = 0
    mixed: int = 0

    def add(self, e: Episode) -> None:
        """Count one episode in this group."""
        self.started += e.started
        if not e.finished:
            return
        self.finished += 1
        self.completed += e.completed
        self.dropped += not e.completed
        o = e.outcome
        if o is None:
            return
        self.paired += 1
        self.case_at_start += o.case_at_start
        self.improved += o.reliable_improvement
        self.recovered += o.recovery
        self.reliably_recovered += o.reliable_recovery
        self.deteriorated += o.reliable_deterioration
        self.mixed += o.mixed

    @staticmethod
    def rate(n: int, d: int) -> float | None:
        """n / d as a fraction, or None when d is 0."""
        return n / d if d else None

    @property
    def rates(self) -> dict[str, float | None]:
        """The rates shown and exported, each with its own denominator."""
        return {
            "completion": self.rate(self.completed, self.finished),
            "dropout": self.rate(self.dropped, self.finished),
            "reliable_improvement": self.rate(self.improved, self.paired),
            "recovery": self.rate(self.recovered, self.case_at_start),
            "reliable_recovery": self.rate(self.reliably_recovered, self.case_at_start),
            "reliable_deterioration": self.rate(self.deteriorated, self.paired),
        }


@dataclass
class Report:
    """The whole report for a period."""

    start: date
    end: date
    overall: Group
    by_program: list[Group] = field(default_factory=list)
    by_therapist: list[Group] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)


def _lessons_total(slug: str, seen: int) -> int:
    """The program's number of lessons (or what the enrolment saw, for a removed program)."""
    try:
        program = store.store().get_program(slug)
    except (AttributeError, KeyError, RuntimeError):
        program = None
    weeks = len(getattr(program, "lessons", ()) or ()) or int(getattr(program, "weeks", 0) or 0)
    return weeks or seen


def clinic_report(start: date, end: date) -> Report:
    """Build the outcomes report for episodes started or finished in [start, end]."""
    lo = datetime.combine(start, time(0))
    hi = datetime.combine(end + timedelta(days=1), time(0))
    enrolments = list(db.session.scalars(
        select(Enrolment).where(or_(
            Enrolment.start_date.between(start, end),
            (Enrolment.status == "ended") & (Enrolment.ended_at >= lo) & (Enrolment.ended_at < hi),
        )).order_by(Enrolment.id)
    ))
    ids = [e.id for e in enrolments]
    people = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({e.client_id for e in enrolments})))} if ids else {}
    therapist_ids = {u.therapist_id for u in people.values() if u.therapist_id}
    therapists = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(therapist_ids)))} if therapist_ids else {}
    lessons: dict[int, tuple[int, int]] = {}
    if ids:
        for eid, seen, done in db.session.execute(
            select(LessonProgress.enrolment_id, func.count(),
                   func.count(LessonProgress.completed_at))
            .where(LessonProgress.enrolment_id.in_(ids)).group_by(LessonProgress.enrolment_id)
        ):
            lessons[eid] = (int(seen), int(done))
    scores: dict[int, dict[str, list[tuple[date, int]]]] = defaultdict(lambda: defaultdict(list))
    if ids:
        # Linked responses, plus unlinked ones taken during an episode (as assessments.history).
        by_client: dict[int, list[Enrolment]] = defaultdict(list)
        for e in enrolments:
            by_client[e.client_id].append(e)
        for rid, cid, key, at, total in db.session.execute(
            select(MeasureResponse.enrolment_id, MeasureResponse.client_id,
                   MeasureResponse.measure, MeasureResponse.completed_at, MeasureResponse.total)
            .where(MeasureResponse.client_id.in_(list(by_client)),
                   or_(MeasureResponse.enrolment_id.in_(ids),
                       MeasureResponse.enrolment_id.is_(None)),
                   MeasureResponse.completed_at.is_not(None),
                   MeasureResponse.total.is_not(None))
        ):
            if at is None or total is None:
                continue
            tz = people[cid].timezone if cid in people else "UTC"
            point = (to_local(at, tz).date(), int(total))
            if rid is not None:
                scores[rid][key].append(point)
                continue
            for e in by_client[cid]:
                opens = datetime.combine(e.start_date - timedelta(days=EARLY_DAYS), time(0))
                if at >= opens and (e.ended_at is None or at <= e.ended_at):
                    scores[e.id][key].append(point)
                    break
    share = float(current_app.config.get("REPORT_COMPLETION_SHARE", 1.0))
    overall = Group("all")
    programs: dict[str, Group] = {}
    by_therapist: dict[int | None, Group] = {}
    episodes = []
    for e in enrolments:
        person = people.get(e.client_id)
        tid = person.therapist_id if person else None
        ended_on = e.ended_at.date() if e.status == "ended" and e.ended_at else None
        seen, done = lessons.get(e.id, (0, 0))
        total = _lessons_total(e.program_slug, seen)
        pairs = scoring.pair_scores(scores[e.id]["phq9"], scores[e.id]["gad7"])
        finished = ended_on is not None and start <= ended_on <= end
        episode = Episode(
            enrolment_id=e.id, client_id=e.client_id, program=e.program_slug, therapist_id=tid,
            therapist=therapists[tid].display_name if tid in therapists else "",
            start_date=e.start_date, ended_on=ended_on, started=start <= e.start_date <= end,
            finished=finished, lessons_done=done, lessons_total=total,
            completed=finished and total > 0 and done >= share * total, pairs=len(pairs),
            outcome=scoring.episode_outcome(pairs),
        )
        episodes.append(episode)
        overall.add(episode)
        programs.setdefault(e.program_slug, Group(e.program_slug)).add(episode)
        by_therapist.setdefault(tid, Group(episode.therapist or "-")).add(episode)
    return Report(start, end, overall, sorted(programs.values(), key=lambda g: g.label),
                  sorted(by_therapist.values(), key=lambda g: g.label), episodes)


# CSV columns: scores carry their LOINC codes wherever they leave the app.
PHQ, GAD = scoring.PHQ9.loinc, scoring.GAD7.loinc
EPISODE_COLUMNS = [
    "enrolment_id", "client_id", "program", "therapist_id", "start_date", "ended_on",
    "lessons_done", "lessons_total", "completed", "paired_occasions",
    f"baseline_phq9_total_loinc_{PHQ}", f"latest_phq9_total_loinc_{PHQ}",
    f"baseline_gad7_total_loinc_{GAD}", f"latest_gad7_total_loinc_{GAD}",
    "case_at_start", "reliable_improvement", "reliable_deterioration", "mixed_change",
    "recovery", "reliable_recovery", "outcome",
]


def episode_rows(report: Report) -> list[list[object]]:
    """One CSV row per finished or started episode (ids only, no names)."""
    rows: list[list[object]] = []
    for e in report.episodes:
        o = e.outcome
        rows.append([
            e.enrolment_id, e.client_id, e.program, e.therapist_id or "", e.start_date.isoformat(),
            e.ended_on.isoformat() if e.ended_on else "", e.lessons_done, e.lessons_total,
            int(e.completed) if e.finished else "", e.pairs,
            o.baseline.phq9 if o else "", o.latest.phq9 if o else "",
            o.baseline.gad7 if o else "", o.latest.gad7 if o else "",
            *([int(o.case_at_start), int(o.reliable_improvement), int(o.reliable_deterioration),
               int(o.mixed), int(o.recovery), int(o.reliable_recovery), o.status] if o
              else [""] * 7),
        ])
    return rows
