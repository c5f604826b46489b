"""The stored review state: the queue reads it, and it is recomputed exactly when needed.

The queue no longer recomputes a whole caseload on every load (icbt.review.refresh): it
recomputes the clients whose rule inputs changed (their ReviewState row is gone) or whose
`due_at` has passed (their local day moved on, or a homework deadline passed a day mark).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from conftest import Clock
from flask import Flask
from review_helpers import checkin, enrolment, measure, open_kinds
from sqlalchemy import insert, select

from benchmarks.common import statements
from icbt.db import db
from icbt.jobs import scheduler
from icbt.models.care import Homework, MoodCheckin
from icbt.models.flags import ReviewState
from icbt.models.people import User
from icbt.review import flags, queue
from icbt.review.rules import ClientSnapshot, HomeworkItem, next_change


def _state(client_id: int) -> ReviewState | None:
    db.session.expire_all()
    return db.session.get(ReviewState, client_id)


# --- next_change: when the rules could next answer differently (pure) -----------------------

def test_next_change_is_the_clients_next_local_midnight() -> None:
    now = datetime(2026, 3, 2, 9, 0)  # UTC
    assert next_change(ClientSnapshot(1, timezone="UTC"), now) == datetime(2026, 3, 3, 0, 0)
    # 09:00 UTC is 20:00 in Sydney (UTC+11 in March): its midnight is 13:00 UTC.
    assert next_change(ClientSnapshot(1, timezone="Australia/Sydney"), now) == \
        datetime(2026, 3, 2, 13, 0)
    # 09:00 UTC is 04:00 in New York (UTC-5): its midnight is 05:00 UTC the next day.
    assert next_change(ClientSnapshot(1, timezone="America/New_York"), now) == \
        datetime(2026, 3, 3, 5, 0)


def test_next_change_is_a_whole_day_after_a_homework_deadline_when_sooner() -> None:
    now = datetime(2026, 3, 2, 9, 0)

    def hw(due: datetime | None) -> HomeworkItem:
        return HomeworkItem(1, "thought_record", "Thought record", 1, 1, 0, due)

    # Due 2 days and 3 hours ago: the next whole day after the deadline is in 21 hours,
    # but midnight (15 hours) comes first.
    s = ClientSnapshot(1, homework=(hw(now - timedelta(days=2, hours=3)),))
    assert next_change(s, now) == datetime(2026, 3, 3, 0, 0)
    # Due 2 days and 20 hours ago: a whole third day late in 4 hours (the "3 days late" mark).
    s = ClientSnapshot(1, homework=(hw(now - timedelta(days=2, hours=20)),))
    assert next_change(s, now) == now + timedelta(hours=4)
    # Due in 2 hours: the deadline itself, and no deadline at all changes nothing.
    s = ClientSnapshot(1, homework=(hw(now + timedelta(hours=2)), hw(None)))
    assert next_change(s, now) == now + timedelta(hours=2)


# --- The stored state and its freshness -----------------------------------------------------

def test_recompute_stores_what_the_queue_shows(app: Flask, make_user, clock: Clock) -> None:
    t = make_user("therapist")
    c = make_user("client", therapist=t, timezone="Europe/London")
    with app.app_context():
        enrolment(c.id, clock.now.date() - timedelta(days=3))
        checkin(c.id, clock.now.date(), at=clock.now - timedelta(hours=1))
        flags.recompute_client(c.id)
        st = _state(c.id)
        assert st is not None
        assert st.program_slug == "cbt-low-mood"
        assert st.last_activity == clock.now - timedelta(hours=1)
        assert st.checked_at == clock.now
        assert st.due_at == datetime(2026, 3, 3, 0, 0)  # London is on UTC in early March
        row = queue.queue(t.id).rows[0]
        assert (row.last_activity, row.week) == (st.last_activity, st.week)
        assert row.program and row.program != "cbt-low-mood"  # the program's title


def test_any_write_to_what_the_rules_read_forgets_the_state(app: Flask, make_user,
                                                             clock: Clock) -> None:
    t = make_user("therapist")
    c = make_user("client", therapist=t)
    with app.app_context():
        enrolment(c.id, clock.now.date() - timedelta(days=3))
        flags.recompute_client(c.id)
        assert _state(c.id) is not None
        # A check-in written without telling the review service (no recompute_client).
        checkin(c.id, clock.now.date())
        assert _state(c.id) is None
        flags.recompute_client(c.id)
        # A change of case status also counts; a change of name does not.
        user = db.session.get(User, c.id)
        user.name = "A new name"
        db.session.commit()
        assert _state(c.id) is not None
        user.status = "paused"
        db.session.commit()
        assert _state(c.id) is None


def test_the_queue_recomputes_only_changed_or_due_clients(app: Flask, make_user,
                                                          clock: Clock) -> None:
    t = make_user("therapist")
    a = make_user("client", therapist=t, name="Alex")
    b = make_user("client", therapist=t, name="Bo")
    with app.app_context():
        for c in (a, b):
            enrolment(c.id, clock.now.date() - timedelta(days=20))
            checkin(c.id, clock.now.date() - timedelta(days=1))
        queue.queue(t.id)
        engine = db.engine
        # Nothing changed: the queue reads, it writes nothing and reads no history.
        with statements(engine) as seen:
            queue.queue(t.id)
        assert not [s for s, _p in seen if s.lstrip().upper().startswith(("INSERT", "UPDATE",
                                                                          "DELETE"))], seen
        assert not [s for s, _p in seen if "mood_checkin" in s], seen
        # Bo's data changed behind the service's back: only Bo is recomputed.
        db.session.execute(insert(MoodCheckin).values(
            client_id=b.id, day=clock.now.date(), mood=3, created_at=clock.now,
            updated_at=clock.now))
        db.session.execute(ReviewState.__table__.delete().where(ReviewState.client_id == b.id))
        db.session.commit()
        before = _state(a.id).checked_at
        clock.advance(minutes=5)
        row = {r.client.id: r for r in queue.queue(t.id).rows}[b.id]
        assert row.last_activity == clock.now - timedelta(minutes=5)
        assert _state(a.id).checked_at == before
        assert _state(b.id).checked_at == clock.now


def test_a_new_day_raises_time_based_flags_without_any_write(app: Flask, make_user,
                                                             clock: Clock) -> None:
    t = make_user("therapist")
    c = make_user("client", therapist=t)
    with app.app_context():
        enrolment(c.id, clock.now.date() - timedelta(days=20))
        checkin(c.id, clock.now.date() - timedelta(days=4))
        queue.queue(t.id)
        assert "quiet" not in open_kinds(c.id)  # 4 days without a check-in: not yet
        clock.advance(hours=10)  # still the same day in UTC
        assert "quiet" not in open_kinds(c.id)
        clock.set(datetime(2026, 3, 3, 0, 1))  # just after midnight: 5 days
        q = queue.queue(t.id)
        assert q.counts["quiet"] == 1
        assert "quiet" in open_kinds(c.id)


def test_the_frequent_job_recomputes_only_who_needs_it(app: Flask, make_user,
                                                       clock: Clock) -> None:
    t = make_user("therapist")
    people = [make_user("client", therapist=t) for _i in range(3)]
    with app.app_context():
        for c in people:
            enrolment(c.id, clock.now.date() - timedelta(days=20))
        db.session.execute(ReviewState.__table__.delete())
        db.session.commit()
        assert scheduler.run_job("flags", clock.now) == 3
        assert scheduler.run_job("flags", clock.now) == 0
        measure(people[0].id, "phq9", 9, clock.now)  # forgets that client's state
        assert scheduler.run_job("flags", clock.now) == 1
        clock.advance(days=1)
        assert scheduler.run_job("flags", clock.now) == 3
        assert db.session.scalar(select(db.func.count()).select_from(ReviewState)) == 3


def test_homework_turning_overdue_reaches_the_queue_at_the_deadline_mark(
        app: Flask, make_user, clock: Clock) -> None:
    t = make_user("therapist")
    c = make_user("client", therapist=t)
    with app.app_context():
        e = enrolment(c.id, clock.now.date() - timedelta(days=10))
        checkin(c.id, clock.now.date())
        # Due 2 days 22 hours ago: overdue (3 days) in 2 hours, before midnight.
        db.session.add(Homework(client_id=c.id, enrolment_id=e.id, week=1,
                                worksheet="thought_record", times=1,
                                assigned_at=clock.now - timedelta(days=9),
                                due_at=clock.now - timedelta(days=2, hours=22)))
        db.session.commit()
        queue.queue(t.id)
        assert "homework" not in open_kinds(c.id)
        assert _state(c.id).due_at == clock.now + timedelta(hours=2)
        clock.advance(hours=2, minutes=1)
        assert queue.queue(t.id).counts["homework"] == 1


def test_deleting_a_client_deletes_their_state(app: Flask, make_user, clock: Clock) -> None:
    t = make_user("therapist")
    c = make_user("client", therapist=t)
    with app.app_context():
        enrolment(c.id, date(2026, 2, 1))
        flags.recompute_client(c.id)
        assert _state(c.id) is not None
        db.session.delete(db.session.get(User, c.id))
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(ReviewState)
                                 .where(ReviewState.client_id == c.id)) == 0


def test_an_older_recompute_never_overwrites_a_newer_state(app: Flask, make_user,
                                                           clock: Clock) -> None:
    t = make_user("therapist")
    c = make_user("client", therapist=t)
    with app.app_context():
        enrolment(c.id, clock.now.date() - timedelta(days=3))
        checkin(c.id, clock.now.date(), at=clock.now - timedelta(minutes=1))
        flags.recompute_client(c.id)  # the writer's recompute, after its commit
        newer = _state(c.id).checked_at
        # A batch that started a moment earlier (it read before the check-in) writes last.
        flags.recompute(queue.snapshots.caseload(client_ids=[c.id]),
                        clock.now - timedelta(seconds=30))
        st = _state(c.id)
        assert st.checked_at == newer
        assert st.last_activity == clock.now - timedelta(minutes=1)
