"""Risk first, with its time: the queue, the overview and the session brief list the risk
flag before every other flag, and show when the client answered, in the viewer's time zone."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from conftest import Clock, login_as
from flask import Flask
from review_helpers import enrolment, flags

from icbt.db import db
from icbt.measures import safety
from icbt.models.care import Homework
from icbt.models.people import User
from icbt.review import flags as review

# Monday 7 December 2026, 13:32 UTC: 14:32 in Berlin, where the therapist works.
ANSWERED = datetime(2026, 12, 7, 13, 32)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_risk_sorts_first_and_shows_its_time(app: Flask, make_user, clock: Clock) -> None:
    clock.set(ANSWERED - timedelta(days=20))
    t = make_user("therapist", name="Tess Therapist", timezone="Europe/Berlin")
    c = make_user("client", therapist=t, name="Cara Client", timezone="Europe/London",
                  created_at=ANSWERED - timedelta(days=30))
    with app.app_context():
        e = enrolment(c.id, (ANSWERED - timedelta(days=30)).date(), slug="retired-program")
        db.session.add(Homework(client_id=c.id, enrolment_id=e.id, week=1, worksheet="journal",
                                times=1, assigned_at=ANSWERED - timedelta(days=20),
                                due_at=ANSWERED - timedelta(days=10)))
        db.session.commit()
        review.recompute_client(c.id)  # homework overdue (and stalled) open long before
        clock.set(ANSWERED)
        safety.raise_risk(db.session.get(User, c.id), "phq9_item9", {"answer": 2})
        db.session.commit()
        review.recompute_client(c.id)
        kinds = {f.kind for f in flags(c.id) if f.closed_at is None}
    assert {"risk", "homework"} <= kinds

    staff = login_as(app, t)
    since = "since Mon 7 Dec, 14:32"  # Berlin time, the viewer's zone, not the client's
    for url in ("/staff/queue", f"/staff/clients/{c.id}", f"/staff/clients/{c.id}/brief"):
        page = _text(staff.get(url).get_data(as_text=True))
        risk = page.index("Needs attention now " + since)
        assert "Homework overdue since" in page, (url, page)
        for label in ("Homework overdue since", "Stalled since", "Quiet since"):
            if label in page:
                assert page.index(label) > risk, (url, label, page)

    # Rule flags keep their day: they open on a day, not at an answer's minute.
    overview = _text(staff.get(f"/staff/clients/{c.id}").get_data(as_text=True))
    assert "Homework overdue since 7 December Week 1" in overview, overview
    assert date(2026, 12, 7).weekday() == 0  # the example really is a Monday
    # The overview's mood panel says when, too, not an ISO date.
    assert "answered 2 on Mon 7 Dec, 14:32." in overview, overview
