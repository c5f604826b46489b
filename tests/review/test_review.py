"""Flags in the database: open, close by themselves, acknowledge, snooze, as-of, the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from conftest import Clock
from flask import Flask
from review_helpers import checkin, enrolment, flags, measure, open_kinds

from icbt.db import db
from icbt.models.flags import Flag
from icbt.models.people import User
from icbt.review import flags as review
from icbt.review import queue


@pytest.fixture
def pair(app: Flask, make_user):  # type: ignore[no-untyped-def]
    """A therapist and one enrolled client (started 20 February, clock on 2 March)."""
    t = make_user("therapist", name="Tess Therapist")
    c = make_user("client", therapist=t, name="Cara Client", created_at=datetime(2026, 2, 1))
    with app.app_context():
        enrolment(c.id, date(2026, 2, 20))
    return t, c


def test_quiet_opens_at_five_days_and_closes_by_itself(app: Flask, pair, clock: Clock) -> None:
    t, c = pair
    with app.app_context():
        checkin(c.id, date(2026, 2, 26))  # 4 days before 2 March
        review.recompute_client(c.id)
        assert "quiet" not in open_kinds(c.id)
        clock.advance(days=1)  # 3 March: 5 days
        review.recompute_client(c.id)
        [flag] = flags(c.id, "quiet")
        assert flag.closed_at is None and flag.severity == 1
        assert flag.evidence["reasons"][0]["days"] == 5
        clock.advance(hours=2)
        checkin(c.id, date(2026, 3, 3))
        review.recompute_client(c.id)
        [flag] = flags(c.id, "quiet")
        assert flag.closed_at == clock.now and flag.acknowledged_at is None


def _open_quiet(app: Flask, c: User) -> Flag:
    checkin(c.id, date(2026, 2, 24))
    review.recompute_client(c.id)
    [flag] = flags(c.id, "quiet")
    assert flag.closed_at is None
    return flag


def test_acknowledged_flag_stays_closed_while_the_rule_holds(app: Flask, pair,
                                                             clock: Clock) -> None:
    t, c = pair
    with app.app_context():
        flag = _open_quiet(app, c)
        review.acknowledge(flag, db.session.get(User, t.id), "Phoned: she is away this week.")
        for _ in range(3):
            clock.advance(days=4)
            review.recompute_client(c.id)
            assert "quiet" not in open_kinds(c.id)
        assert len(flags(c.id, "quiet")) == 1
        checkin(c.id, clock.now.date())  # the rule stops holding: the acknowledgement is spent
        review.recompute_client(c.id)
        assert flags(c.id, "quiet")[0].cleared_at == clock.now
        clock.advance(days=5)
        review.recompute_client(c.id)
        assert "quiet" in open_kinds(c.id) and len(flags(c.id, "quiet")) == 2


def test_snoozed_flag_reopens_the_day_after_the_date(app: Flask, pair, clock: Clock) -> None:
    t, c = pair
    with app.app_context():
        flag = _open_quiet(app, c)
        review.acknowledge(flag, db.session.get(User, t.id), "Will check on Thursday.",
                           snooze_until=date(2026, 3, 5))
        clock.set(datetime(2026, 3, 5, 20, 0))
        review.recompute_client(c.id)
        assert "quiet" not in open_kinds(c.id)
        clock.set(datetime(2026, 3, 6, 8, 0))
        review.recompute_client(c.id)
        old, new = flags(c.id, "quiet")
        assert new.closed_at is None and new.source == "reopened"
        assert old.ack_note == "Will check on Thursday." and old.cleared_at is not None


def test_acknowledging_needs_a_note_and_a_future_snooze(app: Flask, pair) -> None:
    t, c = pair
    with app.app_context():
        flag = _open_quiet(app, c)
        therapist = db.session.get(User, t.id)
        with pytest.raises(review.ReviewError):
            review.acknowledge(flag, therapist, "   ")
        with pytest.raises(review.ReviewError):
            review.acknowledge(flag, therapist, "ok", snooze_until=date(2026, 3, 2))
        assert db.session.get(Flag, flag.id).closed_at is None


def test_recompute_never_closes_a_risk_flag(app: Flask, pair) -> None:
    from icbt.measures import safety

    t, c = pair
    with app.app_context():
        client = db.session.get(User, c.id)
        risk = safety.raise_risk(client, "help_now", {})
        db.session.commit()
        review.recompute_client(c.id)
        review.recompute_all()
        assert db.session.get(Flag, risk.id).closed_at is None
        with pytest.raises(review.ReviewError):
            review.acknowledge(risk, db.session.get(User, t.id), "Called.",
                               snooze_until=date(2026, 3, 9))
        review.acknowledge(risk, db.session.get(User, t.id), "Called; safe, plan agreed.")
        assert db.session.get(Flag, risk.id).closed_at is not None


def test_deterioration_and_mood_drop_flags(app: Flask, pair) -> None:
    t, c = pair
    with app.app_context():
        measure(c.id, "phq9", 8, datetime(2026, 2, 20, 10))
        measure(c.id, "phq9", 14, datetime(2026, 3, 1, 10))
        for i in range(7):
            checkin(c.id, date(2026, 2, 17) + timedelta(days=i), mood=7)  # 17-23 Feb
        checkin(c.id, date(2026, 3, 1), mood=5)
        checkin(c.id, date(2026, 3, 2), mood=5)
        review.recompute_client(c.id)
        [flag] = flags(c.id, "deteriorating")
        codes = {r["code"] for r in flag.evidence["reasons"]}
        assert codes == {"measure_up"}  # 24 Feb - 2 Mar: two check-ins are too few to compare
        checkin(c.id, date(2026, 2, 28), mood=5)
        review.recompute_client(c.id)
        [flag] = flags(c.id, "deteriorating")
        assert {r["code"] for r in flag.evidence["reasons"]} == {"measure_up", "mood_drop"}


def test_as_of_uses_only_rows_created_before(app: Flask, pair) -> None:
    t, c = pair
    with app.app_context():
        for i in range(5):
            checkin(c.id, date(2026, 2, 20) + timedelta(days=i))  # 20-24 Feb
        # Filled in later for 26 Feb: must not count for a date before it was written.
        checkin(c.id, date(2026, 2, 26), at=datetime(2026, 3, 1, 9))
        measure(c.id, "gad7", 6, datetime(2026, 2, 20, 9))
        measure(c.id, "gad7", 11, datetime(2026, 2, 27, 9))
        early = queue.queue_as_of(t.id, datetime(2026, 2, 26))
        late = queue.queue_as_of(t.id, datetime(2026, 3, 1))
        now = queue.queue_as_of(t.id, datetime(2026, 3, 2))
        assert [f.kind for f in early.rows[0].flags] == []
        assert {f.kind for f in late.rows[0].flags} == {"deteriorating", "quiet"}
        # By 2 March the late check-in counts: 26 Feb is 4 days back, so quiet is gone.
        assert {f.kind for f in now.rows[0].flags} == {"deteriorating"}
        assert not flags(c.id)  # computing as of a date writes nothing


def test_cli_prints_the_queue_as_json(app: Flask, pair, runner) -> None:  # type: ignore[no-untyped-def]
    t, c = pair
    with app.app_context():
        checkin(c.id, date(2026, 2, 24))
        measure(c.id, "phq9", 8, datetime(2026, 2, 20, 9))
        measure(c.id, "phq9", 15, datetime(2026, 3, 1, 9))
    result = runner.invoke(args=["review", "--therapist", t.email, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["client_id"] for d in data] == [c.id]
    kinds = [f["kind"] for f in data[0]["flags"]]
    assert kinds == ["deteriorating", "quiet"]  # most severe first
    det = data[0]["flags"][0]
    assert det["severity"] == 3 and det["since"] == "2026-03-02"
    assert det["evidence"]["words"] == ["PHQ-9 up 7 points since 20 February (8 → 15)"]
    assert det["evidence"]["numbers"][0]["points"] == 7
    past = runner.invoke(args=["review", "--json", "--as-of", "2026-02-25"])
    assert past.exit_code == 0, past.output
    [row] = [d for d in json.loads(past.output) if d["client_id"] == c.id]
    assert row["flags"] == []
    text = runner.invoke(args=["review", "--therapist", t.email])
    assert "Cara Client" in text.output and "PHQ-9 up 7 points" in text.output
    bad = runner.invoke(args=["review", "--as-of", "yesterday"])
    assert bad.exit_code != 0


def test_demo_clinic_raises_every_kind_of_flag(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        therapist = db.session.scalar(db.select(User).where(User.email == "therapist@demo.icbt"))
        q = queue.queue(therapist.id)
        assert all(q.counts[k] for k in ("risk", "deteriorating", "stalled", "homework", "quiet"))
        assert q.rows[0].flags[0].kind == "risk"
        assert q.total > q.flagged  # some clients are doing fine
