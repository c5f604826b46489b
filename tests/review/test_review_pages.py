"""The therapist's pages about one client: overview, flags, case, messages, sessions, brief."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from conftest import Clock, csrf_from, login_as
from flask import Flask
from review_helpers import checkin, enrolment, flags, measure
from sqlalchemy import select

from icbt.db import db
from icbt.models.care import Contact, Entry, LiveSession, Message
from icbt.models.flags import Flag
from icbt.models.people import User
from icbt.models.records import AuditEvent, OutboxMessage
from icbt.review import flags as review
from icbt.review import queue


@pytest.fixture
def pair(app: Flask, make_user):  # type: ignore[no-untyped-def]
    t = make_user("therapist", name="Tess Therapist")
    c = make_user("client", therapist=t, name="Cara Client", created_at=datetime(2026, 2, 1))
    with app.app_context():
        enrolment(c.id, date(2026, 2, 1))
    return t, c


def _post(c, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_from(c.get(url).get_data(as_text=True))
    return c.post(url, data={**data, "csrf_token": token})


def test_overview_shows_flags_and_acknowledging_needs_a_note(app: Flask, pair) -> None:
    from icbt.measures import safety

    t, c = pair
    with app.app_context():
        safety.raise_risk(db.session.get(User, c.id), "help_now", {})
        db.session.commit()
    web = login_as(app, t)
    page = web.get(f"/staff/clients/{c.id}").get_data(as_text=True)
    assert "Needs attention now" in page and "No activity since starting on 1 February" in page
    with app.app_context():
        risk = flags(c.id, "risk")[0]
    url = f"/staff/flags/{risk.id}/acknowledge"
    form = web.get(url).get_data(as_text=True)
    assert 'name="snooze_until"' not in form  # an urgent flag cannot be snoozed
    resp = _post(web, url, {"note": "  "})
    assert resp.status_code == 200 and "Please write a short note." in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Flag, risk.id).closed_at is None
    resp = _post(web, url, {"note": "Called her; safe, plan agreed."})
    assert resp.status_code == 302
    with app.app_context():
        flag = db.session.get(Flag, risk.id)
        assert flag.closed_at is not None and flag.ack_note == "Called her; safe, plan agreed."
        stalled = flags(c.id, "stalled")[0]
    resp = _post(web, f"/staff/flags/{stalled.id}/acknowledge",
                 {"note": "Away on holiday", "snooze_until": "2026-03-09"})
    assert resp.status_code == 302
    history = web.get(f"/staff/clients/{c.id}").get_data(as_text=True)
    assert "Called her; safe, plan agreed." in history and "look again after 9 March" in history


def test_every_client_page_is_audited(app: Flask, pair) -> None:
    t, c = pair
    web = login_as(app, t)
    for url in (f"/staff/clients/{c.id}", f"/staff/clients/{c.id}/brief",
                f"/staff/clients/{c.id}/messages", f"/staff/clients/{c.id}/sessions/new",
                f"/staff/clients/{c.id}/contacts/new"):
        assert web.get(url).status_code == 200
    with app.app_context():
        targets = set(db.session.scalars(select(AuditEvent.target).where(
            AuditEvent.action == "view", AuditEvent.client_id == c.id,
            AuditEvent.actor_id == t.id)))
    assert {"overview", "brief", "messages", "sessions", "contacts"} <= targets


def test_status_contacts_minutes_and_discharge(app: Flask, pair, clock: Clock) -> None:
    from icbt.measures import safety

    t, c = pair
    web = login_as(app, t)
    overview = f"/staff/clients/{c.id}"
    _post(web, f"/staff/clients/{c.id}/contacts/new", {"kind": "call", "minutes": "12"})
    _post(web, f"/staff/clients/{c.id}/contacts/new", {"kind": "message", "minutes": "5",
                                                        "day": "2026-03-01"})
    bad = _post(web, f"/staff/clients/{c.id}/contacts/new", {"kind": "call", "minutes": "0"})
    assert bad.status_code == 200 and "Between 1 and 600 minutes." in bad.get_data(as_text=True)
    with app.app_context():
        assert sorted(x.minutes for x in db.session.scalars(select(Contact))) == [5, 12]
    page = web.get(overview).get_data(as_text=True)
    assert "<td>2 March</td><td>12</td>" in page and "<td>23 February</td><td>5</td>" in page
    with app.app_context():
        safety.raise_risk(db.session.get(User, c.id), "help_now", {})
        db.session.commit()
    token = csrf_from(web.get(overview).get_data(as_text=True))
    web.post(f"/staff/clients/{c.id}/status", data={"status": "discharged", "csrf_token": token})
    with app.app_context():
        assert db.session.get(User, c.id).status == "active"  # urgent flag still open
        for f in flags(c.id):
            if f.closed_at is None and f.kind == "risk":
                review.acknowledge(f, db.session.get(User, t.id), "Spoke; safe.")
    web.post(f"/staff/clients/{c.id}/status", data={"status": "discharged", "csrf_token": token})
    with app.app_context():
        assert db.session.get(User, c.id).status == "discharged"
        assert not [f for f in flags(c.id) if f.closed_at is None]
    page = web.get(overview).get_data(as_text=True)
    assert "Their record is kept and can be read, but not changed." in page
    web.post(f"/staff/clients/{c.id}/contacts/new",
             data={"kind": "call", "minutes": "5", "csrf_token": token})
    resp = web.post(f"/staff/clients/{c.id}/messages", data={"body": "hi", "csrf_token": token})
    assert "the conversation is read-only" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Contact.id))) == 2
        assert db.session.scalar(select(db.func.count(Message.id))) == 0
    assert "Cara Client" not in web.get("/staff/queue").get_data(as_text=True)


def test_messages_both_ways_with_unread_counts_and_a_bare_email(app: Flask, pair) -> None:
    t, c = pair
    me, them = login_as(app, c), login_as(app, t)
    page = me.get("/messages").get_data(as_text=True)
    assert "Messages are not read around the clock" in page and 'href="/help"' in page
    _post(me, "/messages", {"body": "I found week 2 hard, especially the evenings."})
    _post(me, "/messages", {"body": "Also the sleep diary."})
    with app.app_context():
        mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "message")).all()
        assert [m.to_addr for m in mails] == [t.email]  # one email while unread, not two
        assert "new message" in mails[0].body and "evenings" not in mails[0].body
        assert f"/staff/clients/{c.id}/messages" in mails[0].body
        assert queue.queue(t.id).rows[0].unread == 2
    assert "2 unread messages" in them.get("/staff/queue").get_data(as_text=True)
    thread = them.get(f"/staff/clients/{c.id}/messages").get_data(as_text=True)
    assert "especially the evenings" in thread
    with app.app_context():
        assert queue.queue(t.id).rows[0].unread == 0
    _post(them, f"/staff/clients/{c.id}/messages", {"body": "Thanks, let us talk on Monday."})
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.to_addr == c.email, OutboxMessage.kind == "message")).one()
        assert "Monday" not in mail.body and "/messages" in mail.body
    from icbt.messaging import messages

    with app.app_context():
        assert messages.unread_count(c.id, db.session.get(User, c.id)) == 1
    home = login_as(app, c).get("/", follow_redirects=True).get_data(as_text=True)
    assert "You have 1 new message." in home
    me.get("/messages")
    with app.app_context():
        assert messages.unread_count(c.id, db.session.get(User, c.id)) == 0


def test_reply_to_a_worksheet_entry(app: Flask, pair, make_user) -> None:
    t, c = pair
    other = make_user("client", therapist=t)
    with app.app_context():
        entry = Entry(client_id=c.id, kind="journal", data={"text": "x"})
        foreign = Entry(client_id=other.id, kind="journal", data={"text": "y"})
        db.session.add_all([entry, foreign])
        db.session.commit()
        entry_id, foreign_id = entry.id, foreign.id
    web = login_as(app, t)
    url = f"/staff/clients/{c.id}/messages?entry={entry_id}"
    page = web.get(url).get_data(as_text=True)
    assert "Your reply will appear on their entry" in page
    token = csrf_from(page)
    web.post(url, data={"body": "Nice noticing.", "entry_id": str(entry_id), "csrf_token": token})
    bad = web.post(f"/staff/clients/{c.id}/messages",
                   data={"body": "Wrong one", "entry_id": str(foreign_id), "csrf_token": token})
    assert "That worksheet entry is not available." in bad.get_data(as_text=True)
    from icbt.worksheets import entries

    with app.app_context():
        [reply] = entries.replies(db.session.get(Entry, entry_id))
        assert reply.body == "Nice noticing." and reply.sender_id == t.id
        assert db.session.scalar(select(db.func.count(Message.id))) == 1


def _thought_record(client_id: int, before: int, after: int, at: datetime) -> None:
    db.session.add(Entry(client_id=client_id, kind="thought_record", created_at=at, updated_at=at,
                         data={"what": f"Moment {before}->{after}",
                               "emotions": [{"name": "sad", "intensity": before}],
                               "rerate": [{"name": "sad", "intensity": after}]}))
    db.session.commit()


def test_session_and_brief(app: Flask, pair, clock: Clock) -> None:
    t, c = pair
    web = login_as(app, t)
    resp = _post(web, f"/staff/clients/{c.id}/sessions/new",
                 {"day": "2026-02-23", "at": "10:00", "notes": "Agreed on thought records."})
    assert resp.status_code == 302
    _post(web, f"/staff/clients/{c.id}/sessions/new", {"day": "2026-03-09", "at": "10:00"})
    with app.app_context():
        client = db.session.get(User, c.id)
        client.talk_note = "Sleep, and my sister's visit."
        db.session.commit()
        _thought_record(c.id, 80, 30, datetime(2026, 2, 25, 18))
        _thought_record(c.id, 70, 65, datetime(2026, 2, 27, 18))
        _thought_record(c.id, 90, 10, datetime(2026, 2, 20, 18))  # before the last session
        checkin(c.id, date(2026, 2, 24), mood=4)
        review.recompute_client(c.id)  # six quiet days: a quiet flag opens
        assert "quiet" in {f.kind for f in flags(c.id)}
        checkin(c.id, date(2026, 3, 1), mood=6)  # the brief recomputes: it closes by itself
        measure(c.id, "phq9", 15, datetime(2026, 2, 10, 9))
        measure(c.id, "phq9", 11, datetime(2026, 2, 28, 9))
        [s1, s2] = db.session.scalars(select(LiveSession).order_by(LiveSession.starts_at)).all()
        assert s1.starts_at == datetime(2026, 2, 23, 10)  # London is on UTC in February
    brief = web.get(f"/staff/clients/{c.id}/brief").get_data(as_text=True)
    assert "Since the last session on Mon 23 February, 10:00" in brief
    assert "Next session: Mon 9 March, 10:00" in brief
    assert "Sleep, and my sister&#39;s visit." in brief
    # Two re-rated records in the period: "the larger of the two", not "the smallest".
    assert "Smallest shift" not in brief and "Largest shift" not in brief
    largest = brief.index("The larger shift of the two re-rated records:")
    smallest = brief.index("The smaller shift of the two:")
    assert "down 50.0 points" in brief[largest:smallest] and "Moment 80" in brief[largest:smallest]
    assert "down 5.0 points" in brief[smallest:]
    assert "Moment 90" not in brief
    assert "11 (28 February)" in brief and "change -4 since the last one before" in brief
    assert "Resolved since then" in brief and "Quiet (2 March): closed by itself" in brief
    assert "Mood (0–10) averaged 5.0 over 2 check-ins" in brief
    home = login_as(app, c).get("/", follow_redirects=True).get_data(as_text=True)
    assert "Next session with your therapist" in home and "Monday 9 March, 10:00" in home
