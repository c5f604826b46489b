"""The unlock rules as a table of cases (pure: no database, no clock)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from icbt.programs.pacing import (
    Opened,
    Plan,
    due_unlocks,
    expected_next_at,
    locked_hint,
    next_unlock,
)

MON = date(2026, 3, 2)  # a Monday
AKL, LA, LON = "Pacific/Auckland", "America/Los_Angeles", "Europe/London"


def plan(**kw: object) -> Plan:
    base: dict[str, object] = {"unlock": "schedule", "weeks": 8, "start_date": MON, "tz": LON}
    base.update(kw)
    return Plan(**base)  # type: ignore[arg-type]


W1_LON = datetime(2026, 3, 2, 0, 0)  # London is on UTC in early March
W1_AKL = datetime(2026, 3, 1, 11, 0)  # Auckland midnight (UTC+13) is 11:00 UTC the day before
W1_LA = datetime(2026, 3, 2, 8, 0)  # Los Angeles midnight (UTC-8)

CASES = [
    # (description, plan, now, expected next unlock)
    ("before the start day nothing opens", plan(), datetime(2026, 3, 1, 23, 59), None),
    ("lesson 1 at London midnight", plan(), W1_LON, (1, W1_LON)),
    ("lesson 1 at Auckland midnight", plan(tz=AKL), W1_AKL, (1, W1_AKL)),
    ("not a minute before Auckland midnight", plan(tz=AKL), datetime(2026, 3, 1, 10, 59), None),
    ("lesson 1 at Los Angeles midnight", plan(tz=LA), W1_LA, (1, W1_LA)),
    ("LA is still on the day before at 07:59 UTC", plan(tz=LA), datetime(2026, 3, 2, 7, 59), None),
    ("lesson 2 one pace later", plan(opened=(Opened(1, W1_LON),)),
     datetime(2026, 3, 9, 0, 0), (2, datetime(2026, 3, 9, 0, 0))),
    ("lesson 2 not a day early", plan(opened=(Opened(1, W1_LON),)),
     datetime(2026, 3, 8, 23, 0), None),
    ("a 3-day pace", plan(pace_days=3, opened=(Opened(1, W1_LON),)),
     datetime(2026, 3, 5, 0, 0), (2, datetime(2026, 3, 5, 0, 0))),
    ("LA after the clocks change (8 March): midnight is 07:00 UTC",
     plan(tz=LA, opened=(Opened(1, W1_LA),)), datetime(2026, 3, 9, 7, 0),
     (2, datetime(2026, 3, 9, 7, 0))),
    ("paused: nothing opens", plan(paused=True, opened=(Opened(1, W1_LON),)),
     datetime(2026, 3, 20), None),
    ("paused days move the schedule", plan(paused_days=4, opened=(Opened(1, W1_LON),)),
     datetime(2026, 3, 12, 23, 0), None),
    ("paused days move the schedule (after)", plan(paused_days=4, opened=(Opened(1, W1_LON),)),
     datetime(2026, 3, 13, 0, 0), (2, datetime(2026, 3, 13, 0, 0))),
    ("all weeks open: nothing more", plan(weeks=1, opened=(Opened(1, W1_LON),)),
     datetime(2026, 6, 1), None),
    ("completion gate: not done", plan(unlock="completion", opened=(Opened(1, W1_LON),)),
     datetime(2026, 3, 20), None),
    ("completion gate: done but inside the gap",
     plan(unlock="completion", opened=(Opened(1, W1_LON, completed_at=datetime(2026, 3, 3)),)),
     datetime(2026, 3, 8, 23, 0), None),
    ("completion gate: done, gap over",
     plan(unlock="completion", opened=(Opened(1, W1_LON, completed_at=datetime(2026, 3, 3)),)),
     datetime(2026, 3, 9, 0, 0), (2, datetime(2026, 3, 9, 0, 0))),
    ("completion gate: done after the gap opens at once",
     plan(unlock="completion",
          opened=(Opened(1, W1_LON, completed_at=datetime(2026, 3, 12, 15, 0)),)),
     datetime(2026, 3, 12, 15, 0), (2, datetime(2026, 3, 12, 15, 0))),
    ("completion gate ignores feedback",
     plan(unlock="completion", opened=(Opened(1, W1_LON, feedback_at=datetime(2026, 3, 3)),)),
     datetime(2026, 3, 20), None),
    ("feedback gate: done is not enough",
     plan(unlock="feedback", opened=(Opened(1, W1_LON, completed_at=datetime(2026, 3, 3)),)),
     datetime(2026, 3, 20), None),
    ("feedback gate: feedback given, gap over",
     plan(unlock="feedback", opened=(Opened(1, W1_LON, feedback_at=datetime(2026, 3, 5)),)),
     datetime(2026, 3, 9, 0, 0), (2, datetime(2026, 3, 9, 0, 0))),
    ("feedback gate with a 10-day minimum gap",
     plan(unlock="feedback", min_gap_days=10,
          opened=(Opened(1, W1_LON, feedback_at=datetime(2026, 3, 5)),)),
     datetime(2026, 3, 11, 23, 0), None),
    ("gates still open lesson 1 by date", plan(unlock="feedback"), W1_LON, (1, W1_LON)),
]


@pytest.mark.parametrize("desc,p,now,want", CASES, ids=[c[0] for c in CASES])
def test_next_unlock(desc: str, p: Plan, now: datetime, want: object) -> None:
    assert next_unlock(p, now) == want


def test_catch_up_opens_every_missed_lesson_at_its_own_time() -> None:
    got = due_unlocks(plan(), datetime(2026, 3, 17, 12, 0))
    assert got == [(1, W1_LON), (2, datetime(2026, 3, 9)), (3, datetime(2026, 3, 16))]


def test_catch_up_stops_at_a_gate() -> None:
    assert due_unlocks(plan(unlock="completion"), datetime(2026, 4, 1)) == [(1, W1_LON)]


def test_homework_is_due_when_the_next_lesson_opens() -> None:
    p = plan(tz=AKL)
    assert expected_next_at(p, 1, W1_AKL) == datetime(2026, 3, 8, 11, 0)
    gated = plan(unlock="completion", min_gap_days=7)
    assert expected_next_at(gated, 1, W1_LON) == datetime(2026, 3, 9, 0, 0)


def test_locked_hint() -> None:
    assert locked_hint(plan(), 3) == ("date", datetime(2026, 3, 16))
    assert locked_hint(plan(paused=True), 3) == ("paused", None)
    gated = plan(unlock="completion", opened=(Opened(1, W1_LON),))
    assert locked_hint(gated, 2) == ("completion", None)
    assert locked_hint(plan(unlock="feedback", opened=(Opened(1, W1_LON),)), 3) == ("feedback", None)
