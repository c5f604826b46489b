"""Deleting an account: asked for with the password, a cancellable grace period, then a purge."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from conftest import csrf_from, login_as
from data_history import NOTE, add_history
from flask import Flask
from world import build_world

from icbt.db import db
from icbt.messaging import mail
from icbt.models.people import PendingSubmission, Token, User
from icbt.models.records import AuditEvent, OutboxMessage
from icbt.privacy.deletion import purge_due_deletions


def _ask(app: Flask, user: User):  # type: ignore[no-untyped-def]
    c = login_as(app, user)
    page = c.get("/my-data/delete").get_data(as_text=True)
    resp = c.post("/my-data/delete", data={"csrf_token": csrf_from(page), "confirm": "y"})
    return c, resp


def _rows_naming(app: Flask, user_id: int) -> dict[str, int]:
    """How many rows in each table name this user through a foreign key."""
    out: dict[str, int] = {}
    with app.app_context():
        for t in db.metadata.sorted_tables:
            cols = [fk.parent for fk in t.foreign_keys if fk.column.table.name == "user"]
            if t.name == "user":
                cols.append(t.c.id)
            if cols:
                n = db.session.scalar(sa.select(sa.func.count()).select_from(t)
                                      .where(sa.or_(*[c == user_id for c in cols])))
                if n:
                    out[t.name] = n
    return out


def test_deletion_waits_for_the_grace_period_then_leaves_a_tombstone(app: Flask, make_user,  # type: ignore[no-untyped-def]
                                                                     clock) -> None:
    therapist = make_user("therapist", name="Tess Helper")
    client = make_user("client", therapist=therapist, name="Cara Client")
    other = make_user("client", therapist=therapist, name="Omar Other")
    add_history(app, client.id, therapist.id)
    add_history(app, other.id, therapist.id)
    login_as(app, therapist).get(f"/staff/clients/{client.id}")  # an audited view
    with app.app_context():
        db.session.add(PendingSubmission(token="t1", user_id=client.id, endpoint="x", form={}))
        db.session.add(Token(purpose="reset", token_hash="h" * 64, user_id=client.id,
                             expires_at=datetime(2026, 4, 1)))
        mail.queue(client.email, "Old note", "Hello", kind="notice")  # no user_id on it
        db.session.commit()
    others_before = _rows_naming(app, other.id)

    _c, resp = _ask(app, client)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/my-data/deletion")
    with app.app_context():
        due = db.session.get(User, client.id).deletion_due_at
        assert due == clock.now + timedelta(days=14)
        staff_mail = db.session.scalar(sa.select(OutboxMessage)
                                       .where(OutboxMessage.to_addr == therapist.email))
        assert "Cara" not in staff_mail.body and "Cara" not in staff_mail.subject
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.to_addr == client.email,
                                        OutboxMessage.kind == "deletion")) == 1

    clock.advance(days=13, hours=23)
    with app.app_context():
        assert purge_due_deletions(clock.now) == 0
    clock.advance(hours=1)
    with app.app_context():
        assert purge_due_deletions(clock.now) == 1
        assert purge_due_deletions(clock.now) == 0  # safe to run twice

    assert _rows_naming(app, client.id) == {}
    assert _rows_naming(app, other.id) == others_before
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.to_addr == client.email)) == 0
        events = db.session.scalars(sa.select(AuditEvent)
                                    .where(AuditEvent.client_id == client.id)).all()
        assert {e.action for e in events} >= {"view", "delete"}
        tomb = [e for e in events if e.detail == "purged"]
        assert len(tomb) == 1 and tomb[0].action == "delete" and tomb[0].actor_id is None
        for e in db.session.scalars(sa.select(AuditEvent)):
            text = " ".join([e.target, e.detail, e.ip])
            assert client.email not in text and "Cara" not in text and NOTE[:10] not in text
    assert login_as(app, client).get("/my-data/").status_code == 302  # cannot sign in


def test_signing_in_during_the_grace_shows_a_notice_and_cancel_keeps_everything(  # type: ignore[no-untyped-def]
        app: Flask, make_user, clock) -> None:
    therapist = make_user("therapist")
    client = make_user("client", therapist=therapist)
    add_history(app, client.id, therapist.id)
    _ask(app, client)
    clock.advance(days=3)
    c = login_as(app, client)
    resp = c.get("/", follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "Your account is due to be deleted" in page and "Keep my account" in page
    assert "16 March 2026" in page
    assert c.get("/", follow_redirects=False).headers.get("Location", "") != "/my-data/deletion"
    resp = c.post("/my-data/deletion/cancel", data={"csrf_token": csrf_from(page)},
                  follow_redirects=True)
    assert "Your account will stay" in resp.get_data(as_text=True)
    clock.advance(days=30)
    with app.app_context():
        assert purge_due_deletions(clock.now) == 0
        assert db.session.get(User, client.id).deletion_due_at is None
    assert _rows_naming(app, client.id)["mood_checkin"] == 2


def test_grace_period_is_configurable(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    app.config["DELETION_GRACE_DAYS"] = 3
    client = make_user("client", therapist=make_user("therapist"))
    _c, _resp = _ask(app, client)
    clock.advance(days=3)
    with app.app_context():
        assert purge_due_deletions(clock.now) == 1


def test_delete_needs_the_box_ticked_and_a_fresh_password(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    client = make_user("client", therapist=make_user("therapist"))
    c = login_as(app, client)
    page = c.get("/my-data/delete").get_data(as_text=True)
    resp = c.post("/my-data/delete", data={"csrf_token": csrf_from(page)})
    assert "Please tick the box" in resp.get_data(as_text=True)
    clock.advance(minutes=12)
    c.get("/my-data/")
    clock.advance(minutes=12)
    assert c.get("/my-data/delete").status_code == 302
    with app.app_context():
        assert db.session.get(User, client.id).deletion_due_at is None


def test_purging_the_world_removes_every_feature_s_rows(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    people, _values = build_world(app, make_user)
    client, other = people["client"], people["other_client"]
    assert _rows_naming(app, client.id)
    others_before = _rows_naming(app, other.id)
    therapist_before = _rows_naming(app, people["therapist"].id)
    _ask(app, client)
    clock.advance(days=15)
    with app.app_context():
        assert purge_due_deletions(clock.now) == 1
    assert _rows_naming(app, client.id) == {}
    assert _rows_naming(app, other.id) == others_before
    # The therapist keeps their account (and gets a notice of the request by email).
    after = _rows_naming(app, people["therapist"].id)
    assert after.get("user") == 1 and set(after) - {"outbox_message"} <= set(therapist_before)
