"""When lessons unlock: pure rules over plain dataclasses (no database, no clock).

A schedule program opens lesson N at the start of the client's local day on
start + (N-1) * pace + paused days. A completion or feedback program opens the
next lesson once the previous one is done (or has the therapist's feedback), and
never sooner than min_gap_days after the previous lesson opened.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from icbt.timeutil import local_midnight_utc, to_local

UNLOCK_RULES = ("schedule", "completion", "feedback")


@dataclass(frozen=True)
class Opened:
    """A lesson that is already open."""

    week: int
    unlocked_at: datetime
    completed_at: datetime | None = None
    feedback_at: datetime | None = None


@dataclass(frozen=True)
class Plan:
    """Everything the unlock rules need about one enrolment."""

    unlock: str
    weeks: int
    start_date: date
    tz: str
    pace_days: int = 7
    min_gap_days: int = 7
    paused_days: int = 0
    paused: bool = False
    opened: tuple[Opened, ...] = ()


def scheduled_at(plan: Plan, week: int) -> datetime:
    """Return the naive UTC instant lesson `week` opens by the calendar (local midnight)."""
    day = plan.start_date + timedelta(days=(week - 1) * plan.pace_days + plan.paused_days)
    return local_midnight_utc(day, plan.tz)


def gap_days(plan: Plan) -> int:
    """Return the days between two lessons in a gated program (at least the minimum gap)."""
    return max(plan.min_gap_days, 0)


def earliest_after(plan: Plan, prev: Opened) -> datetime:
    """Return the first instant a gated lesson may open after `prev` (its local day + the gap)."""
    day = to_local(prev.unlocked_at, plan.tz).date() + timedelta(days=gap_days(plan))
    return local_midnight_utc(day, plan.tz)


def next_unlock(plan: Plan, now: datetime) -> tuple[int, datetime] | None:
    """Return (week, unlocked_at) for the next lesson if it should be open by `now`."""
    if plan.paused:
        return None
    week = (plan.opened[-1].week if plan.opened else 0) + 1
    if week > plan.weeks:
        return None
    if week == 1 or plan.unlock == "schedule":
        at = scheduled_at(plan, week)
        if week > 1 and plan.opened and at < plan.opened[-1].unlocked_at:
            at = plan.opened[-1].unlocked_at  # opened early by hand: never before the previous
        return (week, at) if now >= at else None
    prev = plan.opened[-1]
    gate = prev.completed_at if plan.unlock == "completion" else prev.feedback_at
    if gate is None:
        return None
    at = max(earliest_after(plan, prev), gate)
    return (week, at) if now >= at else None


def due_unlocks(plan: Plan, now: datetime) -> list[tuple[int, datetime]]:
    """Return every lesson that should have opened by `now`, in order (catch-up after downtime)."""
    out: list[tuple[int, datetime]] = []
    while True:
        step = next_unlock(plan, now)
        if step is None:
            return out
        out.append(step)
        plan = replace(plan, opened=plan.opened + (Opened(step[0], step[1]),))


def expected_next_at(plan: Plan, week: int, unlocked_at: datetime) -> datetime:
    """Return when the lesson after `week` is expected to open (homework is due before it)."""
    if plan.unlock == "schedule":
        return max(scheduled_at(plan, week + 1), unlocked_at + timedelta(days=1))
    prev = Opened(week, unlocked_at)
    pace = local_midnight_utc(
        to_local(unlocked_at, plan.tz).date() + timedelta(days=plan.pace_days), plan.tz)
    return max(earliest_after(plan, prev), pace)


def locked_hint(plan: Plan, week: int) -> tuple[str, datetime | None]:
    """Say why a locked lesson is locked: ("date", when) | ("completion"|"feedback"|"paused", None)."""
    if plan.paused:
        return "paused", None
    if week == 1 or plan.unlock == "schedule":
        return "date", scheduled_at(plan, week)
    last = plan.opened[-1] if plan.opened else None
    if last is not None and week == last.week + 1:
        gate = last.completed_at if plan.unlock == "completion" else last.feedback_at
        if gate is not None:
            return "date", max(earliest_after(plan, last), gate)
    return plan.unlock, None
