"""Taking PHQ-9 and GAD-7: drafts are kept and never scored; schedules; results; includes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from conftest import csrf_from, login_as
from flask import render_template_string

from icbt.db import db
from icbt.measures import assessments
from icbt.measures import mood as mood_svc
from icbt.models.care import Enrolment, MeasureResponse
from icbt.models.people import User

S = date(2026, 3, 2)  # a Monday


@pytest.fixture
def person(make_user):  # type: ignore[no-untyped-def]
    return make_user("client", therapist=make_user("therapist"))


def _post(c, key: str, answers: dict[int, int]):  # type: ignore[no-untyped-def]
    token = csrf_from(c.get(f"/measures/{key}").get_data(as_text=True))
    return c.post(f"/measures/{key}", data={"csrf_token": token,
                                            **{f"q{i}": str(v) for i, v in answers.items()}})


def _responses(app, client_id: int) -> list[MeasureResponse]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(db.session.scalars(db.select(MeasureResponse).where(
            MeasureResponse.client_id == client_id).order_by(MeasureResponse.id)))


def test_partial_answers_are_a_draft_then_completed_and_scored(app, person) -> None:  # type: ignore[no-untyped-def]
    c = login_as(app, person)
    resp = _post(c, "gad7", {1: 2, 2: 1, 3: 3})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "4 questions still need an answer" in html
    [draft] = _responses(app, person.id)
    assert draft.total is None and draft.completed_at is None
    assert draft.answers == [2, 1, 3, None, None, None, None]
    page = c.get("/measures/gad7").get_data(as_text=True)  # the draft comes back
    assert 'checked id="q1-2"' in page and 'checked id="q3-3"' in page and "checked id=\"q4" not in page
    resp = _post(c, "gad7", {1: 2, 2: 1, 3: 3, 4: 0, 5: 1, 6: 0, 7: 2})
    assert resp.status_code == 302
    [done] = _responses(app, person.id)  # the same row, now complete
    assert done.id == draft.id and done.total == 9 and done.completed_at is not None
    result = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "9 out of 21" in result and "some worry" in result


def test_nothing_answered_saves_nothing(app, person) -> None:  # type: ignore[no-untyped-def]
    resp = _post(login_as(app, person), "phq9", {})
    assert resp.status_code == 200 and "error-summary" in resp.get_data(as_text=True)
    assert _responses(app, person.id) == []


def test_unknown_measure_and_tampered_answers(app, person) -> None:  # type: ignore[no-untyped-def]
    c = login_as(app, person)
    assert c.get("/measures/bdi").status_code == 404
    resp = _post(c, "gad7", {1: 7})
    assert resp.status_code == 200 and "Not a valid choice" in resp.get_data(as_text=True)
    assert _responses(app, person.id) == []


def test_result_compares_with_last_time_in_calm_words(app, person, clock) -> None:  # type: ignore[no-untyped-def]
    c = login_as(app, person)
    _post(c, "phq9", dict.fromkeys(range(1, 10), 2) | {9: 0})  # 16
    clock.advance(days=7)
    c = login_as(app, person)
    resp = _post(c, "phq9", dict.fromkeys(range(1, 10), 1) | {9: 0})  # 8
    html = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "8 out of 27" in html and "8 points lower than last time" in html
    index = c.get("/measures/").get_data(as_text=True)
    assert "Latest: 8 out of 27" in index and "mild" in index


DUE = [
    # start, every, last answers, today, due
    (S, {"phq9": 1, "gad7": 1}, {}, S, ["phq9", "gad7"]),
    (S, {"phq9": 1, "gad7": 1}, {"phq9": S, "gad7": S}, S + timedelta(days=6), []),
    (S, {"phq9": 1, "gad7": 1}, {"phq9": S, "gad7": S}, S + timedelta(days=7), ["phq9", "gad7"]),
    (S, {"phq9": 1, "gad7": 1}, {"phq9": S + timedelta(days=5), "gad7": S},
     S + timedelta(days=7), ["gad7"]),  # answered late: not asked again the next day
    (S, {"phq9": 2, "gad7": 2}, {"phq9": S, "gad7": S}, S + timedelta(days=13), []),
    (S, {"phq9": 2, "gad7": 2}, {"phq9": S, "gad7": S}, S + timedelta(days=14), ["phq9", "gad7"]),
    (S, {"phq9": 1}, {"phq9": S}, S + timedelta(days=3), []),  # GAD-7 not in this program
    (S, {"phq9": 1, "gad7": 1}, {}, S - timedelta(days=1), []),  # before the start
    (S, {"phq9": 1, "gad7": 1}, {"phq9": S - timedelta(days=2), "gad7": S - timedelta(days=9)},
     S, ["gad7"]),  # a baseline taken just before the start counts
]


@pytest.mark.parametrize(("start", "every", "last", "today", "due"), DUE)
def test_due_for_table(start, every, last, today, due) -> None:  # type: ignore[no-untyped-def]
    assert assessments.due_for(start, every, last, today) == due


def test_due_measures_follow_the_programs_schedule(app, person, clock) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        client = db.session.get(User, person.id)
        db.session.add(Enrolment(client_id=client.id, program_slug="dbt-emotion-regulation",
                                 content_version="1", start_date=S))
        db.session.commit()
        assert assessments.due_measures(client) == ["phq9", "gad7"]  # baseline
        assessments.save_answers(client, "phq9", [0] * 9)
        assessments.save_answers(client, "gad7", [0] * 7)
        clock.advance(days=7)
        assert assessments.due_measures(client) == []  # every 2 weeks in this program
        clock.advance(days=7)
        assert assessments.due_measures(client) == ["phq9", "gad7"]
        enrolment = db.session.scalar(db.select(Enrolment))
        enrolment.status = "paused"
        db.session.commit()
        assert assessments.due_measures(client) == []


def test_without_enrolment_weekly_from_the_first_checkin(app, person, clock) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        client = db.session.get(User, person.id)
        mood_svc.save_checkin(client, S - timedelta(days=3), mood_svc.CheckinInput(mood=5))
        assessments.save_answers(client, "phq9", [1] * 9)
        assessments.save_answers(client, "gad7", [1] * 7)
        assert assessments.due_measures(client) == []
        clock.advance(days=4)  # S+4 = first check-in + 7
        assert assessments.due_measures(client) == ["phq9", "gad7"]


def test_responses_are_linked_to_the_enrolment_and_give_an_outcome(app, person, clock) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        client = db.session.get(User, person.id)
        e = Enrolment(client_id=client.id, program_slug="cbt-low-mood", content_version="1",
                      start_date=S)
        db.session.add(e)
        db.session.commit()
        assessments.save_answers(client, "phq9", [2, 2, 2, 2, 2, 2, 2, 2, 0])
        assessments.save_answers(client, "gad7", [2] * 7)
        assert assessments.client_outcome(client) is None  # one occasion only
        clock.set(datetime(2026, 4, 27, 9, 0))
        assessments.save_answers(client, "phq9", [1, 1, 1, 0, 0, 0, 0, 0, 0])
        assessments.save_answers(client, "gad7", [1, 1, 0, 0, 0, 0, 0])
        assert set(db.session.scalars(db.select(MeasureResponse.enrolment_id))) == {e.id}
        outcome = assessments.client_outcome(client)
        assert outcome is not None and outcome.status == "reliable_recovery"
        assert (outcome.baseline.phq9, outcome.latest.phq9) == (16, 3)


def test_home_card_and_staff_panel_includes(app, person, clock) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        client = db.session.get(User, person.id)
        mood_svc.save_checkin(client, S, mood_svc.CheckinInput(mood=4))
        html = render_template_string('{% include "measures/_home_card.html" %}', client=client)
        assert "/measures/phq9" in html and "/measures/gad7" in html
        assessments.save_answers(client, "phq9", [2] * 8 + [1])
        assessments.save_answers(client, "gad7", [3] * 7)
        html = render_template_string('{% include "measures/_home_card.html" %}', client=client)
        assert "/measures/phq9" not in html
        panel = render_template_string('{% include "mood/_staff_panel.html" %}', client=client)
        assert "Urgent:" in panel and "PHQ-9 item 9" in panel
        assert "Moderately severe" in panel and "Severe" in panel
        assert "Not enough paired" in panel
        assert f"/charts/{client.id}/mood.png" in panel and "Show the numbers" in panel
