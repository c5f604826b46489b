"""Review flag rules (pure): a client's snapshot, a clock value and thresholds in, flags out.

Nothing here touches the database or the clock: `icbt.review.snapshots` builds the
snapshots with batched queries and `icbt.review` stores the results as Flag rows.
Thresholds are the clinic's config (FLAG_* keys); the reliable-change points for
PHQ-9 (6) and GAD-7 (4) come from `icbt.measures` (NHS Talking Therapies manual).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from icbt.measures import scoring
from icbt.programs import overdue
from icbt.timeutil import local_midnight_utc, to_local

# Severity: 4 urgent, 3 high, 2 medium, 1 low. "risk" is raised by icbt.measures.safety, never here.
KIND_SEVERITY = {"risk": 4, "deteriorating": 3, "stalled": 2, "homework": 1, "quiet": 1}
RULE_KINDS = ("deteriorating", "stalled", "homework", "quiet")
KINDS = ("risk", *RULE_KINDS)
SEVERITY_NAMES = {4: "urgent", 3: "high", 2: "medium", 1: "low"}
EPS = 1e-9  # mean differences are floats: 6.0 - 4.0 must count as a drop of 2


def _reliable_rise() -> dict[str, int]:
    """Reliable deterioration points per measure, from icbt.measures when it is there."""
    try:
        return {key: m.reliable_change for key, m in scoring.MEASURES.items()}
    except (ImportError, AttributeError):  # pragma: no cover - measures ships with the app
        # NHS Talking Therapies Manual (v7): reliable change is PHQ-9 >= 6, GAD-7 >= 4.
        return {"phq9": 6, "gad7": 4}


@dataclass(frozen=True)
class Thresholds:
    """The numbers the rules compare against (a clinic changes them in its config)."""

    mood_drop: float = 2.0
    mood_min_days: int = 3  # check-ins needed in each 7-day window to compare means
    stalled_days: int = 7
    lesson_days: int = 10
    homework_overdue_days: int = 3
    homework_window_days: int = overdue.WINDOW_DAYS  # older misses drop off everywhere
    quiet_days: int = 5
    reliable_rise: Mapping[str, int] = field(default_factory=_reliable_rise)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Thresholds:
        """Read the FLAG_* keys of an app config (missing keys keep the defaults)."""
        d = cls()
        rise = dict(d.reliable_rise)
        rise.update(config.get("FLAG_RELIABLE_RISE") or {})
        return cls(
            mood_drop=float(config.get("FLAG_MOOD_DROP", d.mood_drop)),
            mood_min_days=int(config.get("FLAG_MOOD_MIN_DAYS", d.mood_min_days)),
            stalled_days=int(config.get("FLAG_STALLED_DAYS", d.stalled_days)),
            lesson_days=int(config.get("FLAG_LESSON_DAYS", d.lesson_days)),
            homework_overdue_days=int(config.get("FLAG_HOMEWORK_OVERDUE_DAYS",
                                                 d.homework_overdue_days)),
            homework_window_days=int(config.get("FLAG_HOMEWORK_WINDOW_DAYS",
                                                d.homework_window_days)),
            quiet_days=int(config.get("FLAG_QUIET_DAYS", d.quiet_days)),
            reliable_rise=rise,
        )


@dataclass(frozen=True)
class Score:
    """One completed questionnaire total and when it was completed (UTC)."""

    total: int
    at: datetime


@dataclass(frozen=True)
class HomeworkItem:
    """One homework assignment and how many times it was done."""

    id: int
    worksheet: str
    title: str
    week: int | None
    times: int
    done: int
    due_at: datetime | None
    enrolment_id: int | None = None


@dataclass(frozen=True)
class ClientSnapshot:
    """Everything the rules need to know about one client, at one moment."""

    client_id: int
    timezone: str = "UTC"
    case_status: str = "active"  # invited / active / paused / discharged
    enrolment_status: str | None = None  # active / paused / ended; None: not enrolled
    enrolment_id: int | None = None
    enrolment_start: date | None = None
    program_slug: str | None = None
    baseline: Mapping[str, Score] = field(default_factory=dict)
    latest: Mapping[str, Score] = field(default_factory=dict)
    mood_recent: float | None = None  # mean of the last 7 local days (today included)
    mood_recent_n: int = 0
    mood_previous: float | None = None  # mean of the 7 days before those
    mood_previous_n: int = 0
    last_lesson_opened: datetime | None = None
    last_entry_saved: datetime | None = None
    last_checkin_at: datetime | None = None
    last_checkin_day: date | None = None
    last_measure_at: datetime | None = None
    current_week: int | None = None
    current_title: str = ""
    current_unlocked_at: datetime | None = None
    current_completed_at: datetime | None = None
    homework: tuple[HomeworkItem, ...] = ()

    @property
    def last_activity(self) -> datetime | None:
        """The latest of lesson opened, worksheet saved, check-in and questionnaire."""
        seen = [t for t in (self.last_lesson_opened, self.last_entry_saved,
                            self.last_checkin_at, self.last_measure_at) if t is not None]
        return max(seen) if seen else None

    @property
    def enrolled(self) -> bool:
        """In an active program and an active case (paused people are left alone)."""
        return self.case_status == "active" and self.enrolment_status == "active"


@dataclass(frozen=True)
class FlagResult:
    """A rule that holds: its kind, severity, reasons (numbers) and since when."""

    kind: str
    reasons: tuple[dict[str, Any], ...]
    since: date

    @property
    def severity(self) -> int:
        """4 urgent, 3 high, 2 medium, 1 low."""
        return KIND_SEVERITY[self.kind]

    @property
    def evidence(self) -> dict[str, Any]:
        """The JSON stored on the Flag row."""
        return {"reasons": [dict(r) for r in self.reasons], "since": self.since.isoformat()}


def mood_windows(days: Mapping[date, int | float], today: date
                 ) -> tuple[float | None, int, float | None, int]:
    """Mean mood of the last 7 days and of the 7 before: (recent, n, previous, n)."""
    recent_from, previous_from = today - timedelta(days=6), today - timedelta(days=13)
    rs: float = 0
    ps: float = 0
    rn = pn = 0
    for d, v in days.items():  # one pass: this runs for every client of the clinic
        if d > today or d < previous_from:
            continue
        if d >= recent_from:
            rs += v
            rn += 1
        else:
            ps += v
            pn += 1
    return (rs / rn if rn else None, rn, ps / pn if pn else None, pn)


def _local_day(value: datetime, tz: str) -> date:
    return to_local(value, tz).date()


def deteriorating(s: ClientSnapshot, now: datetime, th: Thresholds) -> FlagResult | None:
    """Reliable rise on PHQ-9/GAD-7 since baseline, or the 7-day mood mean fell by mood_drop."""
    if s.case_status not in ("active", "paused"):
        return None
    reasons: list[dict[str, Any]] = []
    since: list[date] = []
    for key, rise in sorted(th.reliable_rise.items()):
        base, last = s.baseline.get(key), s.latest.get(key)
        if base is None or last is None or last.at <= base.at:
            continue
        if last.total - base.total >= rise:
            reasons.append({"code": "measure_up", "measure": key, "points": last.total - base.total,
                            "from": base.total, "to": last.total,
                            "baseline": _local_day(base.at, s.timezone).isoformat(),
                            "latest": _local_day(last.at, s.timezone).isoformat()})
            since.append(_local_day(last.at, s.timezone))
    if (s.mood_recent is not None and s.mood_previous is not None
            and s.mood_recent_n >= th.mood_min_days and s.mood_previous_n >= th.mood_min_days
            and s.mood_previous - s.mood_recent >= th.mood_drop - EPS):
        reasons.append({"code": "mood_drop", "from": round(s.mood_previous, 1),
                        "to": round(s.mood_recent, 1),
                        "drop": round(s.mood_previous - s.mood_recent, 1),
                        "days": s.mood_recent_n, "previous_days": s.mood_previous_n})
        since.append(_local_day(now, s.timezone) - timedelta(days=6))
    if not reasons:
        return None
    return FlagResult("deteriorating", tuple(reasons), min(since))


def stalled(s: ClientSnapshot, now: datetime, th: Thresholds) -> FlagResult | None:
    """No activity for stalled_days while enrolled, or the current lesson open lesson_days."""
    if not s.enrolled:
        return None
    today = _local_day(now, s.timezone)
    reasons: list[dict[str, Any]] = []
    since: list[date] = []
    last = s.last_activity
    ref = _local_day(last, s.timezone) if last is not None else s.enrolment_start
    if ref is not None and (today - ref).days >= th.stalled_days:
        reasons.append({"code": "no_activity", "days": (today - ref).days,
                        "last": ref.isoformat() if last is not None else None,
                        "start": None if last is not None else ref.isoformat()})
        since.append(ref + timedelta(days=th.stalled_days))
    if s.current_unlocked_at is not None and s.current_completed_at is None:
        opened = _local_day(s.current_unlocked_at, s.timezone)
        if (today - opened).days >= th.lesson_days:
            reasons.append({"code": "lesson_waiting", "week": s.current_week,
                            "title": s.current_title, "days": (today - opened).days,
                            "unlocked": opened.isoformat()})
            since.append(opened + timedelta(days=th.lesson_days))
    if not reasons:
        return None
    return FlagResult("stalled", tuple(reasons), min(since))


def homework_overdue(s: ClientSnapshot, now: datetime, th: Thresholds) -> FlagResult | None:
    """Once an item is homework_overdue_days late, every overdue item (icbt.programs.overdue)."""
    if not s.enrolled:
        return None
    late = [(hw, hw.due_at) for hw in overdue.pick(
        s.homework, now, window=th.homework_window_days, enrolment_id=s.enrolment_id)
        if hw.due_at is not None]  # overdue items always have a deadline
    grace = timedelta(days=th.homework_overdue_days)
    if not late or now - late[0][1] < grace:  # the oldest is late[0]: still in its grace days
        return None
    reasons = [{"code": "homework_overdue", "homework_id": hw.id, "worksheet": hw.worksheet,
                "title": hw.title, "week": hw.week, "days": (now - due).days,
                "done": min(hw.done, hw.times), "times": hw.times,
                "due": _local_day(due - timedelta(seconds=1), s.timezone).isoformat()}
               for hw, due in late]
    return FlagResult("homework", tuple(reasons), _local_day(late[0][1] + grace, s.timezone))


def quiet(s: ClientSnapshot, now: datetime, th: Thresholds) -> FlagResult | None:
    """No mood check-in for quiet_days while enrolled."""
    if not s.enrolled:
        return None
    today = _local_day(now, s.timezone)
    ref = s.last_checkin_day or s.enrolment_start
    if ref is None or (today - ref).days < th.quiet_days:
        return None
    reason = {"code": "no_checkin", "days": (today - ref).days,
              "last": s.last_checkin_day.isoformat() if s.last_checkin_day else None,
              "start": None if s.last_checkin_day else ref.isoformat()}
    return FlagResult("quiet", (reason,), ref + timedelta(days=th.quiet_days))


RULES = (deteriorating, stalled, homework_overdue, quiet)


def evaluate(s: ClientSnapshot, now: datetime, th: Thresholds) -> list[FlagResult]:
    """Every rule that holds for this client at `now` (none for invited or discharged people)."""
    if s.case_status in ("invited", "discharged"):
        return []
    return [r for rule in RULES if (r := rule(s, now, th)) is not None]


def next_change(s: ClientSnapshot, now: datetime) -> datetime:
    """The first moment after `now` at which `evaluate` could answer differently for `s`.

    With the data unchanged, the rules read the clock only through the client's local day
    (the mood windows, days without activity or check-ins, snoozes) and through whole days
    since a homework deadline (overdue after N days, too old after M, and the "N days
    late" in the evidence). So the answer holds until the next local midnight or the next
    whole day after a deadline, whichever comes first.
    """
    due = local_midnight_utc(_local_day(now, s.timezone) + timedelta(days=1), s.timezone)
    day = timedelta(days=1)
    for hw in s.homework:
        if hw.due_at is None:
            continue
        if hw.due_at > now:
            mark = hw.due_at
        else:
            mark = hw.due_at + day * ((now - hw.due_at) // day + 1)
        due = min(due, mark)
    return due
