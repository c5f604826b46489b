"""Overdue homework is one answer: the queue flag, the overview's table, the session brief
and the client's home name the same items, each with its week and due date (issue #20)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from conftest import Clock, login_as
from flask import Flask
from review_helpers import checkin, enrolment, flags

from icbt.db import db
from icbt.models.care import Homework
from icbt.review import flags as review

NOW = datetime(2026, 3, 20, 9, 0)  # a Friday; London is on UTC in March until the 29th


def _homework(client_id: int, enrolment_id: int, week: int, worksheet: str, times: int,
              due: datetime) -> int:
    hw = Homework(client_id=client_id, enrolment_id=enrolment_id, week=week,
                  worksheet=worksheet, times=times, assigned_at=due - timedelta(days=7),
                  due_at=due)
    db.session.add(hw)
    db.session.flush()
    return hw.id


def _text(html: str) -> str:
    """The page as a reader sees it: tags gone, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def test_four_places_name_the_same_overdue_items(app: Flask, make_user, clock: Clock) -> None:
    clock.set(NOW)
    t = make_user("therapist", name="Tess Therapist", timezone="Europe/London")
    c = make_user("client", therapist=t, name="Cara Client", created_at=datetime(2026, 2, 1),
                  timezone="Europe/London")
    with app.app_context():
        # A program no longer in the content store: no lessons open, so the homework is
        # exactly what this test writes.
        e = enrolment(c.id, date(2026, 2, 1), slug="retired-program")
        # Week 2's journal is 16 days past due, week 3's activity plan 9 days; week 4's
        # thought record was done; a journal of an ended, earlier program is not counted.
        _homework(c.id, e.id, 2, "journal", 2, datetime(2026, 3, 4))
        _homework(c.id, e.id, 3, "activity_schedule", 5, datetime(2026, 3, 11))
        _homework(c.id, e.id, 5, "thought_record", 1, datetime(2026, 3, 25))  # not due yet
        # 40 days past due: older than the 28-day window, so off every page at once.
        _homework(c.id, e.id, 1, "journal", 1, datetime(2026, 2, 8))
        # Two weeks of daily check-ins, both done: the brief must tell the two lines apart.
        _homework(c.id, e.id, 4, "mood_checkin", 5, datetime(2026, 3, 18))
        _homework(c.id, e.id, 5, "mood_checkin", 5, datetime(2026, 3, 20))
        db.session.commit()
        for day in range(7):
            checkin(c.id, date(2026, 3, 13) + timedelta(days=day))
        review.recompute_client(c.id)
        [flag] = flags(c.id, "homework")
        reasons = flag.evidence["reasons"]
    assert [(r["week"], r["worksheet"], r["due"]) for r in reasons] == [
        (2, "journal", "2026-03-03"), (3, "activity_schedule", "2026-03-10")]

    staff = login_as(app, t)
    overview = _text(staff.get(f"/staff/clients/{c.id}").get_data(as_text=True))
    queue = _text(staff.get("/staff/queue").get_data(as_text=True))
    brief = _text(staff.get(f"/staff/clients/{c.id}/brief").get_data(as_text=True))
    home = _text(login_as(app, c).get("/home").get_data(as_text=True))

    # The flag, on the queue and on the overview, in words: week, what, due day, days late.
    journal = "Week 2: Journal, due 3 March, 16 days late (0 of 2 done)"
    plan = "Week 3: Activity plan, due 10 March, 9 days late (0 of 5 done)"
    for page in (queue, overview):
        assert journal in page and plan in page, page
    assert "Week 1:" not in queue

    # The overview's homework table lists both, with the week and the due day.
    table = overview[overview.index("Homework"):]
    assert "Week 2: 0 of 2 journal entries overdue (due by Tue 3 Mar)" in table
    assert "Week 3: 0 of 5 activity plans overdue (due by Tue 10 Mar)" in table
    assert "Week 1: 0 of 1 journal entry" not in table

    # The brief: overdue first, each with its week and due date; nothing older.
    assert "Overdue: Week 2: 0 of 2 journal entries (due 3 March)" in brief
    assert "Overdue: Week 3: 0 of 5 activity plans (due 10 March)" in brief
    assert brief.count("Overdue:") == 2
    assert "Done: Week 4: 5 of 5 mood check-ins (due 17 March)" in brief
    assert "Done: Week 5: 5 of 5 mood check-ins (due 19 March)" in brief

    # The client's home, under "From before": the same two, with week and due day.
    earlier = home[home.index("From before"):]
    assert "From week 2, due by the end of Tuesday 3 March." in earlier
    assert "From week 3, due by the end of Tuesday 10 March." in earlier
    assert "From week 1" not in earlier
