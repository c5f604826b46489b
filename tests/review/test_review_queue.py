"""The review queue: order, filters, counts, isolation, and a fixed number of SQL queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from conftest import Clock, login_as
from flask import Flask
from review_helpers import checkin, enrolment, measure
from sqlalchemy import insert

from benchmarks.common import statements
from icbt.db import db
from icbt.models.care import (
    Enrolment,
    Entry,
    Homework,
    LessonProgress,
    MeasureResponse,
    Message,
    MoodCheckin,
)
from icbt.models.people import User
from icbt.review import flags, queue


def test_urgent_first_then_severity_then_longest_open(app: Flask, make_user,
                                                      clock: Clock) -> None:
    from icbt.measures import safety

    t = make_user("therapist")
    names = ["Stalled Early", "Stalled Late", "Worse Person", "Risk Person", "Calm Person"]
    people = {n: make_user("client", therapist=t, name=n) for n in names}
    with app.app_context():
        for n in ("Stalled Early", "Stalled Late", "Worse Person", "Risk Person"):
            enrolment(people[n].id, date(2026, 2, 1))
        flags.recompute_client(people["Stalled Early"].id)
        clock.advance(days=1)
        flags.recompute_client(people["Stalled Late"].id)
        w = people["Worse Person"].id
        checkin(w, clock.now.date())
        measure(w, "phq9", 5, datetime(2026, 2, 2))
        measure(w, "phq9", 12, datetime(2026, 3, 2))
        checkin(people["Risk Person"].id, clock.now.date())
        clock.advance(days=1)
        safety.raise_risk(db.session.get(User, people["Risk Person"].id), "phq9_item9",
                          {"answer": 2})
        db.session.commit()
        q = queue.queue(t.id)
        order = [r.client.display_name for r in q.rows]
        assert order == ["Risk Person", "Worse Person", "Stalled Early", "Stalled Late",
                         "Calm Person"]
        assert q.counts["risk"] == 1 and q.counts["stalled"] == 2 and q.flagged == 4
        only = queue.queue(t.id, kind="deteriorating")
        assert [r.client.display_name for r in only.rows] == ["Worse Person"]
        assert only.total == 5  # counts are over the whole caseload
    page = login_as(app, t).get("/staff/queue").get_data(as_text=True)
    assert page.index("Risk Person") < page.index("Worse Person") < page.index("Calm Person")
    assert "PHQ-9 up 7 points since 2 February" in page
    assert "No activity" in page
    filtered = login_as(app, t).get("/staff/queue?kind=risk").get_data(as_text=True)
    assert "Risk Person" in filtered and "Worse Person" not in filtered


def test_discharged_clients_leave_the_queue(app: Flask, make_user) -> None:
    t = make_user("therapist")
    stay = make_user("client", therapist=t, name="Staying Person")
    gone = make_user("client", therapist=t, name="Leaving Person", status="discharged")
    with app.app_context():
        q = queue.queue(t.id)
        assert [r.client.id for r in q.rows] == [stay.id]
    page = login_as(app, t).get("/staff/queue").get_data(as_text=True)
    assert "Staying Person" in page and "Leaving Person" not in page
    assert gone.id


def test_a_therapist_never_sees_another_therapists_clients(app: Flask, make_user) -> None:
    mine_t, other_t = make_user("therapist"), make_user("therapist")
    mine = make_user("client", therapist=mine_t, name="Mine Person")
    theirs = make_user("client", therapist=other_t, name="Theirs Person")
    with app.app_context():
        enrolment(theirs.id, date(2026, 2, 1))
        enrolment(mine.id, date(2026, 2, 1))
    c = login_as(app, mine_t)
    page = c.get("/staff/queue").get_data(as_text=True)
    assert "Mine Person" in page and "Theirs Person" not in page
    for url in (f"/staff/clients/{theirs.id}", f"/staff/clients/{theirs.id}/brief",
                f"/staff/clients/{theirs.id}/messages"):
        assert c.get(url).status_code == 404
    with app.app_context():
        assert [r.client.id for r in queue.queue(mine_t.id).rows] == [mine.id]


def _caseload(therapist_id: int, n: int, tag: str, now: datetime) -> None:
    """n clients with every kind of history, inserted in bulk (no password hashing)."""
    day = now.date()
    users = [{"email": f"{tag}{i}@example.org", "name": f"{tag} {i}", "role": "client",
              "therapist_id": therapist_id, "status": "active", "timezone": "Europe/London",
              "created_at": now - timedelta(days=60)} for i in range(n)]
    db.session.execute(insert(User), users)
    ids = db.session.scalars(db.select(User.id).where(User.email.like(f"{tag}%"))
                             .order_by(User.id)).all()
    db.session.execute(insert(Enrolment), [
        {"client_id": cid, "program_slug": "cbt-low-mood", "content_version": "t",
         "start_date": day - timedelta(days=30), "created_at": now - timedelta(days=30)}
        for cid in ids])
    enrol = dict(db.session.execute(db.select(Enrolment.client_id, Enrolment.id)
                                    .where(Enrolment.client_id.in_(ids))).all())
    db.session.execute(insert(LessonProgress), [
        {"enrolment_id": enrol[cid], "client_id": cid, "week": 2, "lesson_slug": "w2",
         "lesson_title": "Week 2", "unlocked_at": now - timedelta(days=12),
         "opened_at": now - timedelta(days=11 - i % 9)} for i, cid in enumerate(ids)])
    db.session.execute(insert(MoodCheckin), [
        {"client_id": cid, "day": day - timedelta(days=d), "mood": 7 if d > 6 else 4,
         "created_at": now - timedelta(days=d), "updated_at": now - timedelta(days=d)}
        for i, cid in enumerate(ids) for d in range(i % 7, 14, 2)])
    db.session.execute(insert(MeasureResponse), [
        {"client_id": cid, "measure": "phq9", "answers": [], "total": total,
         "created_at": at, "completed_at": at}
        for i, cid in enumerate(ids)
        for total, at in ((6, now - timedelta(days=28)), (6 + i % 9, now - timedelta(days=1)))])
    db.session.execute(insert(Homework), [
        {"client_id": cid, "enrolment_id": enrol[cid], "week": 2, "worksheet": "thought_record",
         "times": 2, "assigned_at": now - timedelta(days=12), "due_at": now - timedelta(days=4)}
        for cid in ids])
    hw = db.session.execute(db.select(Homework.client_id, Homework.id)
                            .where(Homework.client_id.in_(ids))).all()
    db.session.execute(insert(Entry), [
        {"client_id": cid, "kind": "thought_record", "data": {}, "homework_id": hid,
         "created_at": now - timedelta(days=5), "updated_at": now - timedelta(days=5)}
        for cid, hid in hw if cid % 2])
    db.session.execute(insert(Message), [
        {"client_id": cid, "sender_id": cid, "body": "hi", "created_at": now}
        for cid in ids[::3]])
    db.session.commit()


def test_queue_costs_the_same_number_of_queries_for_10_and_200_clients(
        app: Flask, make_user, clock: Clock) -> None:
    small_t, big_t = make_user("therapist"), make_user("therapist")
    with app.app_context():
        _caseload(small_t.id, 10, "small", clock.now)
        _caseload(big_t.id, 200, "big", clock.now)
        engine = db.engine
    small, big = login_as(app, small_t), login_as(app, big_t)
    small.get("/staff/clients")
    big.get("/staff/clients")
    counts = {}
    for name, c in (("small", small), ("big", big)):
        for visit in (1, 2):
            with statements(engine) as seen:
                resp = c.get("/staff/queue")
            assert resp.status_code == 200
            counts[(name, visit)] = len(seen)
    assert counts[("small", 1)] == counts[("big", 1)], counts
    assert counts[("small", 2)] == counts[("big", 2)], counts
    assert counts[("big", 1)] < 40, counts
    html = big.get("/staff/queue").get_data(as_text=True)
    assert html.count('class="card queue-row') == 200
    with app.app_context():
        q = queue.queue(big_t.id)
        assert {"deteriorating", "stalled", "homework"} <= {k for k, v in q.counts.items() if v}
