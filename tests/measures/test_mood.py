"""Daily mood check-ins: one per local day, editable that day, missed days back-filled."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from conftest import csrf_from, login_as
from flask import Flask, render_template_string

from icbt.db import db
from icbt.measures import mood as mood_svc
from icbt.models.care import MoodCheckin
from icbt.models.people import User


def _rows(app: Flask, client_id: int) -> list[MoodCheckin]:
    with app.app_context():
        return list(db.session.scalars(
            db.select(MoodCheckin).where(MoodCheckin.client_id == client_id)
            .order_by(MoodCheckin.day)))


def _post(c, url: str, **data):  # type: ignore[no-untyped-def]
    token = csrf_from(c.get(url).get_data(as_text=True))
    return c.post(url, data={"csrf_token": token, **data})


@pytest.fixture
def person(make_user):  # type: ignore[no-untyped-def]
    therapist = make_user("therapist")
    return make_user("client", therapist=therapist)


def test_checkin_today_then_change_it_keeps_one_row(app, person, clock) -> None:  # type: ignore[no-untyped-def]
    c = login_as(app, person)
    resp = _post(c, "/mood/", mood="4", anxiety="6", sleep_hours="6.5", tags=["tired", "worried"],
                 note="Long day")
    assert resp.status_code == 302
    resp = _post(c, "/mood/", mood="7", tags=["calm"])
    assert resp.status_code == 302
    rows = _rows(app, person.id)
    assert len(rows) == 1
    assert (rows[0].day, rows[0].mood, rows[0].anxiety, rows[0].tags) == (
        date(2026, 3, 2), 7, None, ["calm"])
    page = c.get("/mood/").get_data(as_text=True)
    assert "already checked in" in page and "mood 7" in page


@pytest.mark.parametrize(("zone", "utc_now", "local_day"), [
    ("Pacific/Auckland", datetime(2026, 3, 2, 23, 30), date(2026, 3, 3)),  # UTC+13: tomorrow
    ("America/Los_Angeles", datetime(2026, 3, 3, 5, 30), date(2026, 3, 2)),  # UTC-8: yesterday
    ("Europe/London", datetime(2026, 3, 2, 23, 59), date(2026, 3, 2)),
    ("Europe/London", datetime(2026, 3, 29, 23, 30), date(2026, 3, 30)),  # after BST starts
])
def test_today_is_the_clients_own_date(app, make_user, clock, zone, utc_now, local_day) -> None:  # type: ignore[no-untyped-def]
    person = make_user("client", therapist=make_user("therapist"), timezone=zone)
    clock.set(utc_now)
    c = login_as(app, person)
    assert _post(c, "/mood/", mood="5").status_code == 302
    assert [r.day for r in _rows(app, person.id)] == [local_day]


def test_a_past_day_cannot_be_changed_after_it_ends(app, person, clock) -> None:  # type: ignore[no-untyped-def]
    c = login_as(app, person)
    _post(c, "/mood/", mood="3")
    clock.advance(days=1)
    c = login_as(app, person)
    page = c.get("/mood/day/2026-03-02")
    assert page.status_code == 200 and "stay as they were" in page.get_data(as_text=True)
    resp = c.post("/mood/day/2026-03-02", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                "mood": "9"})
    assert resp.status_code == 200
    assert [r.mood for r in _rows(app, person.id)] == [3]
    with app.app_context():
        client = db.session.get(User, person.id)
        with pytest.raises(mood_svc.CheckinError):
            mood_svc.save_checkin(client, date(2026, 3, 2), mood_svc.CheckinInput(mood=9))


def test_missed_days_fillable_up_to_seven_days_back(app, person, clock) -> None:  # type: ignore[no-untyped-def]
    c = login_as(app, person)
    page = c.get("/mood/").get_data(as_text=True)
    assert "/mood/day/2026-02-23" in page and "/mood/day/2026-02-22" not in page
    assert _post(c, "/mood/day/2026-02-23", mood="2").status_code == 302
    assert c.get("/mood/day/2026-02-22").status_code == 404  # 8 days back
    assert c.get("/mood/day/2026-03-03").status_code == 404  # the future
    assert c.get("/mood/day/not-a-date").status_code == 404
    assert c.get("/mood/day/2026-03-02").status_code == 302  # today lives at /mood/
    assert [(r.day, r.mood) for r in _rows(app, person.id)] == [(date(2026, 2, 23), 2)]
    page = c.get("/mood/").get_data(as_text=True)
    assert "/mood/day/2026-02-23" not in page.split("Recent days")[0]


def test_a_back_filled_day_stays_editable_until_local_midnight(app, person, clock) -> None:  # type: ignore[no-untyped-def]
    c = login_as(app, person)
    _post(c, "/mood/day/2026-02-28", mood="2")
    assert _post(c, "/mood/day/2026-02-28", mood="4").status_code == 302
    assert [r.mood for r in _rows(app, person.id)] == [4]
    clock.advance(days=1)
    with app.app_context():
        client = db.session.get(User, person.id)
        row = mood_svc.get_checkin(person.id, date(2026, 2, 28))
        assert mood_svc.can_edit(client, date(2026, 2, 28), row) is False


@pytest.mark.parametrize(("data", "message"), [
    ({"note": "kept text"}, "Please choose a number from 0 to 10."),
    ({"mood": "11", "note": "kept text"}, "Not a valid choice"),
    ({"mood": "5", "sleep_hours": "lots", "note": "kept text"}, "number of hours"),
    ({"mood": "5", "sleep_hours": "30", "note": "kept text"}, "number of hours"),
    ({"mood": "5", "tags": ["joyful-ish"], "note": "kept text"}, "not a valid choice"),
    ({"mood": "5", "note": "x" * 281}, "281"),
])
def test_bad_input_is_explained_and_typed_text_kept(app, person, data, message) -> None:  # type: ignore[no-untyped-def]
    c = login_as(app, person)
    resp = _post(c, "/mood/", **data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'class="error-summary"' in html
    if message != "281":
        assert message.lower() in html.lower()
        assert "kept text" in html
    assert _rows(app, person.id) == []


def test_service_rejects_out_of_range_values(app, person) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        client = db.session.get(User, person.id)
        for bad in (mood_svc.CheckinInput(mood=-1), mood_svc.CheckinInput(mood=5, anxiety=11),
                    mood_svc.CheckinInput(mood=5, sleep_hours=25.0),
                    mood_svc.CheckinInput(mood=5, tags=["nope"]),
                    mood_svc.CheckinInput(mood=5, note="x" * 281)):
            with pytest.raises(mood_svc.CheckinError):
                mood_svc.save_checkin(client, date(2026, 3, 2), bad)
        row = mood_svc.save_checkin(client, date(2026, 3, 2), mood_svc.CheckinInput(
            mood=5, sleep_hours=7.3, tags=["worried", "calm", "calm"]))
        assert row.sleep_hours == 7.5 and row.tags == ["calm", "worried"]


def test_saving_recomputes_flags_and_a_recompute_failure_keeps_the_data(app, person, monkeypatch,
                                                                        caplog) -> None:  # type: ignore[no-untyped-def]
    from icbt.review import flags

    calls: list[int] = []
    monkeypatch.setattr(flags, "recompute_client", lambda cid: calls.append(cid))
    c = login_as(app, person)
    _post(c, "/mood/", mood="5")
    assert calls == [person.id]

    def boom(cid: int) -> None:
        raise RuntimeError("review is down")

    monkeypatch.setattr(flags, "recompute_client", boom)
    assert _post(c, "/mood/", mood="6").status_code == 302
    assert [r.mood for r in _rows(app, person.id)] == [6]
    assert "recompute_client failed" in caplog.text


def test_home_card_include(app, person, clock) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        client = db.session.get(User, person.id)
        html = render_template_string('{% include "mood/_home_card.html" %}', client=client)
        assert "Check in now" in html
        mood_svc.save_checkin(client, date(2026, 3, 2), mood_svc.CheckinInput(mood=8))
        html = render_template_string('{% include "mood/_home_card.html" %}', client=client)
        assert "mood 8 out of 10" in html


def test_missed_days_and_recent(app, person, clock) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        client = db.session.get(User, person.id)
        for back in (1, 3):
            mood_svc.save_checkin(client, date(2026, 3, 2) - timedelta(days=back),
                                  mood_svc.CheckinInput(mood=back))
        missed = mood_svc.missed_days(client)
        assert date(2026, 3, 1) not in missed and date(2026, 2, 27) not in missed
        assert len(missed) == 5 and missed[0] == date(2026, 2, 28)
        assert [r.mood for r in mood_svc.recent(client)] == [1, 3]


def test_a_checkin_posted_after_the_session_expired_is_kept(app, person) -> None:  # type: ignore[no-untyped-def]
    from conftest import PASSWORD, AuthActions

    c = app.test_client()
    resp = c.post("/mood/day/2026-02-27", data={"mood": "3", "note": "kept"},
                  headers={"Origin": "http://localhost"})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    AuthActions(c).login(person.email, PASSWORD)
    assert [(r.day, r.mood, r.note) for r in _rows(app, person.id)] == [
        (date(2026, 2, 27), 3, "kept")]
