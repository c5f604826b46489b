"""The flag rules and the flag lifecycle, as tables of cases: no database, no clock."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from icbt.review.lifecycle import StoredFlag, plan_flags
from icbt.review.rules import (
    ClientSnapshot,
    HomeworkItem,
    Score,
    Thresholds,
    deteriorating,
    evaluate,
    homework_overdue,
    mood_windows,
    quiet,
    stalled,
)
from icbt.review.words import evidence_words

NOW = datetime(2026, 3, 20, 12, 0)  # UTC; London is on GMT in March before the 29th
TODAY = NOW.date()
TH = Thresholds()
BASE = ClientSnapshot(client_id=1, timezone="Europe/London", case_status="active",
                      enrolment_status="active", enrolment_id=1,
                      enrolment_start=date(2026, 3, 1),
                      last_checkin_day=TODAY, last_checkin_at=NOW)


def at(days_ago: float, hour: int = 9) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time()).replace(
        hour=hour)


def test_thresholds_come_from_config_and_measures() -> None:
    th = Thresholds.from_config({"FLAG_MOOD_DROP": 3, "FLAG_QUIET_DAYS": 9})
    assert th.mood_drop == 3.0 and th.quiet_days == 9 and th.stalled_days == 7
    assert th.reliable_rise == {"phq9": 6, "gad7": 4}  # from icbt.measures


@pytest.mark.parametrize("measure,base,last,flags", [
    ("phq9", 8, 13, False), ("phq9", 8, 14, True), ("phq9", 8, 15, True),
    ("phq9", 14, 8, False), ("gad7", 5, 8, False), ("gad7", 5, 9, True),
])
def test_deteriorating_on_reliable_rise(measure: str, base: int, last: int, flags: bool) -> None:
    s = replace(BASE, baseline={measure: Score(base, at(18))}, latest={measure: Score(last, at(1))})
    r = deteriorating(s, NOW, TH)
    assert (r is not None) == flags
    if flags:
        assert r.severity == 3
        reason = r.reasons[0]
        assert reason["points"] == last - base and reason["from"] == base
        assert reason["baseline"] == "2026-03-02"


def test_deteriorating_words() -> None:
    s = replace(BASE, baseline={"phq9": Score(8, at(18))}, latest={"phq9": Score(15, at(1))})
    r = deteriorating(s, NOW, TH)
    assert evidence_words("deteriorating", "rule", r.evidence) == [
        "PHQ-9 up 7 points since 2 March (8 → 15)"]


def test_one_score_is_no_baseline() -> None:
    s = replace(BASE, baseline={"phq9": Score(20, at(1))}, latest={"phq9": Score(20, at(1))})
    assert deteriorating(s, NOW, TH) is None


@pytest.mark.parametrize("previous,recent,n,flags", [
    ([7, 7, 7], [5, 5, 5], 3, True),       # fell by exactly 2
    ([7, 7, 7], [6, 5, 5], 3, False),      # fell by 1.67
    ([7, 7, 6], [5, 5, 4], 3, True),       # 6.67 -> 4.67, a float difference of 2
    ([8, 8], [4, 4], 2, False),            # too few check-ins to compare
    ([5, 5, 5], [8, 8, 8], 3, False),      # mood went up
])
def test_deteriorating_on_mood_drop(previous: list[int], recent: list[int], n: int,
                                    flags: bool) -> None:
    days = {TODAY - timedelta(days=8 + i): v for i, v in enumerate(previous)}
    days.update({TODAY - timedelta(days=i): v for i, v in enumerate(recent)})
    r_mean, rn, p_mean, pn = mood_windows(days, TODAY)
    assert rn == len(recent) and pn == len(previous)
    s = replace(BASE, mood_recent=r_mean, mood_recent_n=rn, mood_previous=p_mean,
                mood_previous_n=pn)
    r = deteriorating(s, NOW, TH)
    assert (r is not None) == flags
    if flags:
        assert r.reasons[0]["code"] == "mood_drop" and r.reasons[0]["drop"] >= 2


def test_mood_windows_edges() -> None:
    days = {TODAY: 1, TODAY - timedelta(days=6): 3, TODAY - timedelta(days=7): 9,
            TODAY - timedelta(days=13): 7, TODAY - timedelta(days=14): 100}
    assert mood_windows(days, TODAY) == (2.0, 2, 8.0, 2)


@pytest.mark.parametrize("days_quiet,flags", [(6, False), (7, True), (9, True)])
def test_stalled_without_activity(days_quiet: int, flags: bool) -> None:
    last = at(days_quiet, hour=23)
    s = replace(BASE, last_checkin_at=last, last_checkin_day=last.date(), last_entry_saved=None,
                last_lesson_opened=at(days_quiet + 3))
    r = stalled(s, NOW, TH)
    assert (r is not None) == flags
    if flags:
        assert r.reasons[0]["days"] == days_quiet
        assert evidence_words("stalled", "rule", r.evidence)[0].startswith(
            f"No activity for {days_quiet} days")


def test_stalled_needs_an_active_enrolment_and_case() -> None:
    old = replace(BASE, last_checkin_at=at(20), last_checkin_day=at(20).date())
    assert stalled(old, NOW, TH) is not None
    assert stalled(replace(old, enrolment_status="paused"), NOW, TH) is None
    assert stalled(replace(old, case_status="paused"), NOW, TH) is None
    assert stalled(replace(old, enrolment_status=None), NOW, TH) is None


def test_stalled_never_active_counts_from_the_start() -> None:
    s = replace(BASE, last_checkin_at=None, last_checkin_day=None,
                enrolment_start=TODAY - timedelta(days=7))
    r = stalled(s, NOW, TH)
    assert r is not None and r.reasons[0]["start"] == (TODAY - timedelta(days=7)).isoformat()


@pytest.mark.parametrize("open_days,completed,flags", [
    (9, False, False), (10, False, True), (14, True, False)])
def test_stalled_on_a_waiting_lesson(open_days: int, completed: bool, flags: bool) -> None:
    s = replace(BASE, current_week=2, current_title="Thoughts", current_unlocked_at=at(open_days, 0),
                current_completed_at=at(1) if completed else None)
    r = stalled(s, NOW, TH)
    assert (r is not None) == flags
    if flags:
        assert r.reasons[0]["code"] == "lesson_waiting" and r.reasons[0]["days"] == open_days


def _hw(due: datetime | None, done: int = 0, times: int = 2, enrolment_id: int = 1) -> HomeworkItem:
    return HomeworkItem(7, "thought_record", "Thought record", 1, times, done, due, enrolment_id)


@pytest.mark.parametrize("late,done,flags", [
    (timedelta(days=2, hours=23), 0, False), (timedelta(days=3), 0, True),
    (timedelta(days=5), 1, True), (timedelta(days=5), 2, False),
    (timedelta(days=40), 0, False)])  # very old homework no longer flags
def test_homework_overdue(late: timedelta, done: int, flags: bool) -> None:
    s = replace(BASE, homework=(_hw(NOW - late, done),))
    r = homework_overdue(s, NOW, TH)
    assert (r is not None) == flags
    if flags:
        assert r.severity == 1
        words = evidence_words("homework", "rule", r.evidence)[0]
        assert words.startswith("Week 1: Thought record, due ") and words.endswith(
            f" late ({done} of 2 done)"), words


def test_homework_flag_lists_every_overdue_item_once_one_is_past_its_grace() -> None:
    """The flag names the same items as the overview's table: a 1-day miss joins a 5-day one."""
    old = HomeworkItem(7, "journal", "Journal", 2, 1, 0, NOW - timedelta(days=5), 1)
    new = HomeworkItem(8, "activity_schedule", "Activity plan", 3, 5, 1, NOW - timedelta(days=1), 1)
    r = homework_overdue(replace(BASE, homework=(new, old)), NOW, TH)
    assert r is not None
    assert [x["homework_id"] for x in r.reasons] == [7, 8]  # the oldest deadline first
    assert [x["week"] for x in r.reasons] == [2, 3]
    assert r.since == (NOW - timedelta(days=5) + timedelta(days=3)).date()
    # Only a 1-day miss: still within its grace days, no flag yet.
    assert homework_overdue(replace(BASE, homework=(new,)), NOW, TH) is None


def test_homework_of_an_earlier_program_is_ignored() -> None:
    s = replace(BASE, homework=(_hw(NOW - timedelta(days=5), enrolment_id=99),))
    assert homework_overdue(s, NOW, TH) is None


@pytest.mark.parametrize("days,flags", [(4, False), (5, True), (8, True)])
def test_quiet(days: int, flags: bool) -> None:
    s = replace(BASE, last_checkin_day=TODAY - timedelta(days=days), last_checkin_at=NOW)
    r = quiet(s, NOW, TH)
    assert (r is not None) == flags
    if flags:
        assert r.reasons[0]["days"] == days and r.severity == 1


def test_quiet_uses_the_clients_local_day() -> None:
    # 23:30 UTC on 20 March is already 21 March in Auckland.
    late = datetime(2026, 3, 20, 23, 30)
    s = replace(BASE, timezone="Pacific/Auckland", last_checkin_day=date(2026, 3, 16))
    assert quiet(s, late, TH) is not None
    assert quiet(replace(s, timezone="Europe/London"), late, TH) is None


def test_invited_and_discharged_raise_nothing() -> None:
    s = replace(BASE, last_checkin_day=TODAY - timedelta(days=30), last_checkin_at=at(30),
                baseline={"phq9": Score(5, at(30))}, latest={"phq9": Score(20, at(1))})
    assert {r.kind for r in evaluate(s, NOW, TH)} == {"deteriorating", "stalled", "quiet"}
    assert evaluate(replace(s, case_status="discharged"), NOW, TH) == []
    assert evaluate(replace(s, case_status="invited"), NOW, TH) == []
    assert {r.kind for r in evaluate(replace(s, case_status="paused"), NOW, TH)} == {
        "deteriorating"}


# --- lifecycle ------------------------------------------------------------------------

QUIET = quiet(replace(BASE, last_checkin_day=TODAY - timedelta(days=6)), NOW, TH)


def test_plan_opens_updates_and_closes() -> None:
    assert QUIET is not None
    plan = plan_flags([QUIET], [], TODAY)
    assert [r.kind for r in plan.to_open] == ["quiet"]
    same = StoredFlag(5, "quiet", True, False, evidence=QUIET.evidence)
    plan = plan_flags([QUIET], [same], TODAY)
    assert not plan.to_open and not plan.to_update
    stale = StoredFlag(5, "quiet", True, False, evidence={"reasons": []})
    assert plan_flags([QUIET], [stale], TODAY).to_update == [(5, QUIET.evidence)]
    assert plan_flags([], [same], TODAY).to_close == [5]


def test_plan_never_touches_risk() -> None:
    risk = StoredFlag(9, "risk", True, False)
    plan = plan_flags([], [risk], TODAY)
    assert not plan.to_close and not plan.to_clear and not plan.to_open


@pytest.mark.parametrize("snooze,today,reopens", [
    (None, TODAY + timedelta(days=60), False),
    (TODAY + timedelta(days=3), TODAY + timedelta(days=3), False),
    (TODAY + timedelta(days=3), TODAY + timedelta(days=4), True)])
def test_acknowledged_stays_closed_until_snooze_ends(snooze: date | None, today: date,
                                                     reopens: bool) -> None:
    acked = StoredFlag(5, "quiet", False, True, snoozed_until=snooze)
    plan = plan_flags([QUIET], [acked], today)
    assert bool(plan.to_open) == reopens
    assert plan.to_clear == ([5] if reopens else [])
    if reopens:
        assert plan.reopened_after == {"quiet": snooze}


def test_acknowledgement_ends_when_the_rule_clears() -> None:
    acked = StoredFlag(5, "quiet", False, True)
    plan = plan_flags([], [acked], TODAY)
    assert plan.to_clear == [5] and not plan.to_open


def test_risk_evidence_in_words() -> None:
    assert evidence_words("risk", "phq9_item9", {"answer": 2, "times": 1}) == [
        "PHQ-9 question 9 (thoughts of being better off dead or of self-harm): "
        "“More than half the days”"]
    assert evidence_words("risk", "help_now", {"times": 3}) == [
        "Pressed “Need help now?” (3 times that day)"]


def test_stored_evidence_as_json_text_is_compared_exactly() -> None:
    from icbt.review.lifecycle import same_evidence

    ev = QUIET.evidence
    assert same_evidence(json.dumps(ev), ev)
    assert same_evidence(json.dumps(ev, indent=2), ev)  # other spacing: decoded, still equal
    assert not same_evidence(json.dumps({"reasons": []}), ev)
    assert not same_evidence("not json", ev)
    stale = StoredFlag(5, "quiet", True, False, evidence=json.dumps({"reasons": []}))
    assert plan_flags([QUIET], [stale], date(2026, 3, 2)).to_update == [(5, QUIET.evidence)]
    same = StoredFlag(5, "quiet", True, False, evidence=json.dumps(QUIET.evidence))
    assert plan_flags([QUIET], [same], date(2026, 3, 2)).to_update == []
