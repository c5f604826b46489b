"""The safety path: PHQ-9 item 9 and "Need help now?" raise the urgent signal, atomically."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from conftest import csrf_from, login_as
from flask import Flask

from icbt.db import db
from icbt.measures import assessments, safety
from icbt.messaging import mail
from icbt.models.care import MeasureResponse
from icbt.models.flags import Flag
from icbt.models.people import User
from icbt.models.records import OutboxMessage
from icbt.timeutil import utcnow

RESOURCES = [{"name": "Calm Line", "detail": "Free, day and night.", "phone": "0800 111 222"}]
ITEM9 = [0, 1, 1, 0, 0, 1, 0, 0, 2]  # item 9 answered "More than half the days"


@pytest.fixture
def app_config(app_config):  # type: ignore[no-untyped-def]
    app_config["CRISIS_RESOURCES"] = RESOURCES
    return app_config


@pytest.fixture
def people(make_user):  # type: ignore[no-untyped-def]
    therapist = make_user("therapist", name="Tess Therapist")
    client = make_user("client", therapist=therapist, name="Cara Privateperson")
    return therapist, client


def _flags(app: Flask, client_id: int) -> list[Flag]:
    with app.app_context():
        return list(db.session.scalars(db.select(Flag).where(Flag.client_id == client_id)))


def _outbox(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "risk")))


def _responses(app: Flask, client_id: int) -> list[MeasureResponse]:
    with app.app_context():
        return list(db.session.scalars(
            db.select(MeasureResponse).where(MeasureResponse.client_id == client_id)))


def _submit_phq9(c, answers):  # type: ignore[no-untyped-def]
    token = csrf_from(c.get("/measures/phq9").get_data(as_text=True))
    data = {"csrf_token": token}
    data.update({f"q{i + 1}": str(a) for i, a in enumerate(answers) if a is not None})
    return c.post("/measures/phq9", data=data)


def test_item9_shows_the_crisis_page_and_raises_the_urgent_flag(app, people) -> None:  # type: ignore[no-untyped-def]
    therapist, person = people
    c = login_as(app, person)
    resp = _submit_phq9(c, ITEM9)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Calm Line" in html and "tel:0800 111 222" in html
    assert "What happens next" in html and "let your therapist know" in html
    [flag] = _flags(app, person.id)
    assert (flag.kind, flag.severity, flag.source, flag.closed_at) == ("risk", 4, "phq9_item9", None)
    assert flag.evidence["answer"] == 2 and flag.evidence["item"] == 9
    [response] = _responses(app, person.id)
    assert response.total == 5 and flag.evidence["response_id"] == response.id
    [email] = _outbox(app)
    assert email.to_addr == therapist.email and email.subject == "A client needs your attention"
    assert email.dedupe_key and "risk-flag" in email.dedupe_key
    for private in ("Cara", "Privateperson", person.email, "PHQ", "dead"):
        assert private not in email.body and private not in email.subject
    assert "/staff/" in email.body


def test_no_flag_when_item9_is_zero(app, people) -> None:  # type: ignore[no-untyped-def]
    _therapist, person = people
    resp = _submit_phq9(login_as(app, person), [2] * 8 + [0])
    assert resp.status_code == 302 and "/measures/result/" in resp.headers["Location"]
    assert _flags(app, person.id) == [] and _outbox(app) == []


def test_flag_survives_when_the_code_after_the_commit_raises(app, people, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _therapist, person = people

    def after_commit(client_id: int) -> None:
        raise RuntimeError("something after the commit failed")

    monkeypatch.setattr(assessments, "after_commit", after_commit)
    resp = _submit_phq9(login_as(app, person), ITEM9)
    assert resp.status_code == 500  # the request failed after the commit...
    [flag] = _flags(app, person.id)  # ...and the signal and the answer are stored all the same
    assert flag.kind == "risk" and flag.closed_at is None
    assert [r.total for r in _responses(app, person.id)] == [5]
    assert len(_outbox(app)) == 1


def test_a_failing_flag_recompute_still_shows_the_crisis_page(app, people, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from icbt.review import flags

    _therapist, person = people
    monkeypatch.setattr(flags, "recompute_client",
                        lambda cid: (_ for _ in ()).throw(RuntimeError("down")))
    resp = _submit_phq9(login_as(app, person), ITEM9)
    assert resp.status_code == 200 and "Calm Line" in resp.get_data(as_text=True)
    assert len(_flags(app, person.id)) == 1


def test_answer_and_signal_are_one_transaction(app, people, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _therapist, person = people

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("cannot store the signal")

    monkeypatch.setattr(safety, "raise_risk", broken)
    with app.app_context():
        client = db.session.get(User, person.id)
        with pytest.raises(RuntimeError):
            assessments.save_answers(client, "phq9", ITEM9)
        db.session.rollback()
    assert _responses(app, person.id) == []  # no answer without its signal


def test_flag_does_not_depend_on_email_delivery(app, people) -> None:  # type: ignore[no-untyped-def]
    _therapist, person = people
    with socket.socket() as s:  # a loopback port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    assert _submit_phq9(login_as(app, person), ITEM9).status_code == 200
    with app.app_context():
        assert mail.deliver_pending() == (0, 1)
        [msg] = db.session.scalars(db.select(OutboxMessage)).all()
        assert msg.status == "queued" and msg.attempts == 1 and msg.last_error
    [flag] = _flags(app, person.id)
    assert flag.closed_at is None


def test_a_draft_with_item9_raises_the_signal_but_is_not_scored(app, people) -> None:  # type: ignore[no-untyped-def]
    _therapist, person = people
    resp = _submit_phq9(login_as(app, person), [None] * 8 + [1])
    assert resp.status_code == 200 and "Calm Line" in resp.get_data(as_text=True)
    [response] = _responses(app, person.id)
    assert response.total is None and response.completed_at is None
    assert [f.source for f in _flags(app, person.id)] == ["phq9_item9"]


def test_help_now_button_raises_one_signal_per_day(app, people, clock) -> None:  # type: ignore[no-untyped-def]
    _therapist, person = people
    c = login_as(app, person)
    for _ in range(2):
        token = csrf_from(c.get("/mood/").get_data(as_text=True))
        resp = c.post("/help-now", data={"csrf_token": token})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and "Calm Line" in html and "let your therapist know" in html
    [flag] = _flags(app, person.id)
    assert flag.source == "help_now" and flag.evidence["times"] == 2
    assert len(_outbox(app)) == 1
    clock.advance(days=1)
    c = login_as(app, person)
    c.post("/help-now", data={"csrf_token": csrf_from(c.get("/mood/").get_data(as_text=True))})
    assert len(_flags(app, person.id)) == 2 and len(_outbox(app)) == 2


def test_after_acknowledgement_a_new_press_opens_a_new_flag(app, people) -> None:  # type: ignore[no-untyped-def]
    _therapist, person = people
    with app.app_context():
        client = db.session.get(User, person.id)
        first = safety.raise_risk(client, "help_now", {})
        db.session.commit()
        first.closed_at = first.acknowledged_at = utcnow()
        db.session.commit()
        second = safety.raise_risk(client, "help_now", {})
        db.session.commit()
        assert second.id != first.id and second.closed_at is None


def test_help_now_always_shows_the_crisis_page(app, people, make_user) -> None:  # type: ignore[no-untyped-def]
    _therapist, person = people
    anon = app.test_client().post("/help-now", data={})
    assert anon.status_code == 200 and "Calm Line" in anon.get_data(as_text=True)
    assert "signed out" in anon.get_data(as_text=True)
    staff = login_as(app, make_user("therapist")).post("/help-now", data={})
    assert staff.status_code == 200 and "Calm Line" in staff.get_data(as_text=True)
    # A client whose page token expired: the numbers still show; a cross-site post raises nothing.
    c = login_as(app, person)
    resp = c.post("/help-now", data={"csrf_token": "stale"},
                  headers={"Origin": "https://evil.example"})
    assert resp.status_code == 200 and "Calm Line" in resp.get_data(as_text=True)
    assert _flags(app, person.id) == []
    resp = c.post("/help-now", data={"csrf_token": "stale"}, headers={"Origin": "http://localhost"})
    assert "let your therapist know" in resp.get_data(as_text=True)
    assert len(_flags(app, person.id)) == 1


def test_email_goes_to_admins_when_the_therapist_is_disabled(app, people, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist, person = people
    admin = make_user("admin")
    with app.app_context():
        db.session.get(User, therapist.id).disabled = True
        db.session.commit()
        safety.raise_risk(db.session.get(User, person.id), "help_now", {})
        db.session.commit()
    assert [m.to_addr for m in _outbox(app)] == [admin.email]


def test_unknown_source_is_refused(app, people) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        with pytest.raises(ValueError):
            safety.raise_risk(db.session.get(User, people[1].id), "guess", {})


def test_signal_is_idempotent_per_client_local_day(app, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    person = make_user("client", therapist=make_user("therapist"), timezone="Pacific/Auckland")
    with app.app_context():
        client = db.session.get(User, person.id)
        clock.now = clock.now.replace(hour=10)  # 23:00 in Auckland
        safety.raise_risk(client, "help_now", {})
        clock.now += timedelta(hours=2)  # 01:00 the next local day
        safety.raise_risk(client, "help_now", {})
        db.session.commit()
    assert len(_flags(app, person.id)) == 2


def test_item9_posted_after_the_session_expired_still_raises_the_signal(app, people) -> None:  # type: ignore[no-untyped-def]
    from conftest import PASSWORD, AuthActions

    _therapist, person = people
    c = app.test_client()  # signed out: the session expired while the form was open
    data = {f"q{i + 1}": str(a) for i, a in enumerate(ITEM9)}
    resp = c.post("/measures/phq9", data=data, headers={"Origin": "http://localhost"})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert _flags(app, person.id) == []
    resp = AuthActions(c).login(person.email, PASSWORD)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/help")
    assert [f.source for f in _flags(app, person.id)] == ["phq9_item9"]
    page = c.get("/help").get_data(as_text=True)
    assert "let your therapist know" in page and "Calm Line" in page
