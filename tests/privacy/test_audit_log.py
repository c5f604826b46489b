"""The audit log: append-only in the database, searchable by admins, visible to each client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
import sqlalchemy as sa
from conftest import login_as
from flask import Flask

from icbt import audit
from icbt.db import db
from icbt.models.records import AuditEvent


def _add(app: Flask, n: int = 1, **kw) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        for _ in range(n):
            audit.record(kw.get("action", "view"), actor_id=kw.get("actor_id"),
                         client_id=kw.get("client_id"), target=kw.get("target", "overview"))
        db.session.commit()


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Collect every SQL statement the app runs inside the block."""
    seen: list[str] = []

    def listener(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


@pytest.mark.parametrize("sql", ["UPDATE audit_event SET detail = 'rewritten'",
                                 "DELETE FROM audit_event"])
def test_raw_sql_cannot_change_or_remove_audit_rows(app: Flask, sql: str) -> None:
    _add(app, action="login", actor_id=1)
    with app.app_context():
        with pytest.raises(sa.exc.DBAPIError) as info:
            db.session.execute(sa.text(sql))
        db.session.rollback()
        assert "append-only" in str(info.value)
        assert db.session.scalar(sa.select(AuditEvent.detail)) == ""
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 1


def test_orm_cannot_change_audit_rows(app: Flask) -> None:
    _add(app, action="login", actor_id=1)
    with app.app_context():
        ev = db.session.scalar(sa.select(AuditEvent))
        ev.detail = "changed"
        with pytest.raises(RuntimeError):
            db.session.commit()
        db.session.rollback()


def test_admin_searches_by_actor_client_action_and_dates(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("admin")
    t1 = make_user("therapist", name="Tara One")
    t2 = make_user("therapist", name="Theo Two")
    c1 = make_user("client", therapist=t1, name="Cleo First")
    c2 = make_user("client", therapist=t2, name="Cyril Second")
    clock.set(datetime(2026, 1, 10, 12, 0))
    _add(app, actor_id=t1.id, client_id=c1.id, target="jan-t1-c1")
    clock.set(datetime(2026, 2, 10, 12, 0))
    _add(app, actor_id=t2.id, client_id=c2.id, target="feb-t2-c2")
    _add(app, actor_id=t1.id, client_id=c1.id, action="change", target="feb-t1-c1-change")
    clock.set(datetime(2026, 3, 2, 9, 0))
    c = login_as(app, admin)

    def targets(query: str) -> set[str]:
        html = c.get("/admin/audit?" + query, follow_redirects=True).get_data(as_text=True)
        return {t for t in ("jan-t1-c1", "feb-t2-c2", "feb-t1-c1-change") if t in html}

    assert targets("") == {"jan-t1-c1", "feb-t2-c2", "feb-t1-c1-change"}
    assert targets(f"actor={t1.email}") == {"jan-t1-c1", "feb-t1-c1-change"}
    assert targets(f"actor={t2.id}") == {"feb-t2-c2"}
    assert targets(f"client={c1.id}") == {"jan-t1-c1", "feb-t1-c1-change"}
    assert targets("action=change") == {"feb-t1-c1-change"}
    assert targets("since=2026-02-01") == {"feb-t2-c2", "feb-t1-c1-change"}
    assert targets("until=2026-01-10") == {"jan-t1-c1"}  # the end day is included
    assert targets(f"since=2026-02-01&actor={t1.id}&client={c1.email}") == {"feb-t1-c1-change"}
    page = c.get("/admin/audit?actor=nobody@example.org").get_data(as_text=True)
    assert "No account has that email address." in page
    # The form is posted, and answered with a URL holding account numbers, not emails.
    from conftest import csrf_from

    resp = c.post("/admin/audit", data={"csrf_token": csrf_from(page), "actor": t1.email,
                                        "client": c1.email, "since": "2026-02-01"})
    assert resp.status_code == 302 and "@" not in resp.headers["Location"]
    assert f"actor={t1.id}" in resp.headers["Location"]
    assert targets(resp.headers["Location"].split("?", 1)[1]) == {"feb-t1-c1-change"}
    assert "Tara One" in c.get("/admin/audit").get_data(as_text=True)
    # Searching the log is recorded too.
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.target == "audit_log")) >= 9


def test_audit_search_pages_and_query_count_does_not_grow(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("admin")
    staff = [make_user("therapist") for _ in range(3)]
    clients = [make_user("client", therapist=staff[0]) for _ in range(3)]
    _add(app, 3, actor_id=staff[0].id, client_id=clients[0].id)
    c = login_as(app, admin)
    c.get("/admin/audit")
    with count_queries(app) as few:
        assert c.get("/admin/audit").status_code == 200
    with app.app_context():
        for i in range(120):
            audit.record("view", actor_id=staff[i % 3].id, client_id=clients[i % 3].id,
                         target=f"row-{i:03d}")
        db.session.commit()
    with count_queries(app) as many:
        first = c.get("/admin/audit").get_data(as_text=True)
    assert len(many) == len(few), (few, many)
    assert "row-119" in first and "row-069" not in first  # 50 a page, newest first
    assert "page=2" in first
    second = c.get("/admin/audit?page=2").get_data(as_text=True)
    assert "row-069" in second and "row-119" not in second


def test_client_sees_who_opened_their_record(app: Flask, make_user, clock) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist", name="Tess Helper", timezone="UTC")
    client = make_user("client", therapist=therapist, name="Cara Client",
                       timezone="America/New_York")
    other = make_user("client", therapist=therapist, name="Olga Other")
    clock.set(datetime(2026, 3, 2, 15, 30))
    t = login_as(app, therapist)
    assert t.get(f"/staff/clients/{client.id}").status_code == 200
    me = login_as(app, client)
    page = me.get("/my-data/access-log").get_data(as_text=True)
    assert "Tess Helper" in page and "Therapist" in page
    assert "Opened your record" in page
    assert "02 March 2026, 10:30" in page  # shown in the client's own time zone
    theirs = login_as(app, other).get("/my-data/access-log").get_data(as_text=True)
    assert "Tess Helper" not in theirs
    assert "Nobody from the clinic has opened your record yet." in theirs


def test_client_access_log_pages_with_constant_queries(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist", name="Tess Helper")
    client = make_user("client", therapist=therapist)
    _add(app, 2, actor_id=therapist.id, client_id=client.id)
    me = login_as(app, client)
    me.get("/my-data/access-log")
    with count_queries(app) as few:
        me.get("/my-data/access-log")
    _add(app, 80, actor_id=therapist.id, client_id=client.id)
    with count_queries(app) as many:
        page = me.get("/my-data/access-log").get_data(as_text=True)
    assert len(many) == len(few)
    assert page.count("Opened your record") == 50
    assert "Older" in page
    assert me.get("/my-data/access-log?page=2").get_data(as_text=True) \
        .count("Opened your record") == 32


def test_access_log_leaves_out_the_clients_own_actions(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    therapist = make_user("therapist", name="Tess Helper")
    client = make_user("client", therapist=therapist)
    _add(app, action="export", actor_id=client.id, client_id=client.id)
    _add(app, action="login", actor_id=client.id)
    page = login_as(app, client).get("/my-data/access-log").get_data(as_text=True)
    assert "Nobody from the clinic has opened your record yet." in page


def _hidden(page: str, name: str) -> str:
    import re

    m = re.search(r'name="' + name + r'"[^>]*value="([^"]*)"', page)
    assert m, name
    return m.group(1)


def test_no_health_content_in_audit_rows_or_logs_after_a_journey(app: Flask, make_user,  # type: ignore[no-untyped-def]
                                                                 caplog) -> None:
    import logging

    from conftest import csrf_from

    from icbt.models.care import Entry, Message, MoodCheckin

    caplog.set_level(logging.DEBUG)
    marks = {"checkin": "Marker-checkin: slept badly, argued with Sam",
             "journal": "Marker-journal: thoughts about the funeral",
             "message": "Marker-message: can we talk about the panic attacks",
             "reply": "Marker-reply: yes, let us plan for Thursday"}
    admin = make_user("admin")
    therapist = make_user("therapist", name="Tess Helper")
    client = make_user("client", therapist=therapist, name="Cara Confidential")
    me = login_as(app, client)
    page = me.get("/mood/").get_data(as_text=True)
    me.post("/mood/", data={"csrf_token": csrf_from(page), "mood": "3", "note": marks["checkin"]})
    page = me.get("/worksheets/new/journal").get_data(as_text=True)
    me.post("/worksheets/new/journal", data={
        "csrf_token": csrf_from(page), "submission_key": _hidden(page, "submission_key"),
        "text": marks["journal"], "action": "submit"})
    page = me.get("/messages").get_data(as_text=True)
    me.post("/messages", data={"csrf_token": csrf_from(page), "body": marks["message"]})
    t = login_as(app, therapist)
    t.get(f"/staff/clients/{client.id}")
    page = t.get(f"/staff/clients/{client.id}/messages").get_data(as_text=True)
    t.post(f"/staff/clients/{client.id}/messages",
           data={"csrf_token": csrf_from(page), "body": marks["reply"]})
    login_as(app, admin).get(f"/admin/audit?client={client.email}")
    page = me.get("/my-data/download").get_data(as_text=True)
    me.post("/my-data/download", data={"csrf_token": csrf_from(page)})

    with app.app_context():
        # The journey really wrote the health content ...
        assert db.session.scalar(sa.select(MoodCheckin.note)) == marks["checkin"]
        assert db.session.scalar(sa.select(Entry.data))["text"] == marks["journal"]
        assert set(db.session.scalars(sa.select(Message.body))) == {marks["message"],
                                                                    marks["reply"]}
        events = db.session.scalars(sa.select(AuditEvent)).all()
    # ... and the audit log recorded the staff's reading and writing, with none of it.
    mine = [e for e in events if e.client_id == client.id]
    assert {"view", "create", "export"} <= {e.action for e in mine}
    forbidden = [*(m.split(":")[0] for m in marks.values()), "Cara", client.email]
    for e in events:
        row = " ".join(str(getattr(e, c.name)) for c in AuditEvent.__table__.columns)
        for text in forbidden:
            assert text not in row, (text, row)
    for text in marks.values():
        assert text not in caplog.text


def test_demo_history_gives_each_client_an_access_log(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    from icbt.demo import clinic
    from icbt.models.people import User

    therapist = make_user("therapist", name="Taylor Morgan")
    clients = [make_user("client", therapist=therapist) for _ in range(2)]
    with app.app_context():
        people = [db.session.get(User, c.id) for c in clients]
        clinic.audit_history({}, people)
        db.session.commit()
    page = login_as(app, clients[1]).get("/my-data/access-log").get_data(as_text=True)
    assert page.count("Taylor Morgan") == 3
