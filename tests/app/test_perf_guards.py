"""Performance guards (structure, not time): list pages run a fixed number of SQL statements,
however many rows are behind them, and the queue's and charts' statements use indexes."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD, login_as
from flask import Flask
from perf_helpers import count_get, grow
from sqlalchemy import delete

from benchmarks.common import statements
from icbt import create_app
from icbt.db import db
from icbt.models.flags import ReviewState
from icbt.models.people import User
from icbt.programs import enrolment
from icbt.timeutil import local_today


def _needs(app: Flask, endpoint: str) -> None:
    """Skip with one line when a page is not built yet."""
    if endpoint not in app.view_functions:
        pytest.skip(f"{endpoint} does not exist yet")


def _enrol(app: Flask, client: User, therapist: User, days_ago: int,
           slug: str = "cbt-low-mood") -> None:
    """Enrol a client as if it had started `days_ago` days ago (lessons due so far open)."""
    with app.app_context():
        c, t = db.session.get(User, client.id), db.session.get(User, therapist.id)
        enrolment.enrol(c, slug, actor=t, notify_client=False,
                        start_date=local_today(c.timezone) - timedelta(days=days_ago))


def _assert_flat(small: tuple[int, str], big: tuple[int, str], what: str,
                 longer: bool = True) -> None:
    """Same number of statements with many more rows behind (and, for lists, on) the page."""
    if longer:
        assert len(big[1]) > len(small[1]), f"{what}: the larger data did not reach the page"
    assert big[0] == small[0], f"{what}: {small[0]} statements, then {big[0]} with more rows"


def test_queue_statements_do_not_grow_with_the_caseload(app, make_user, clock) -> None:
    _needs(app, "staff.queue")
    therapist = make_user("therapist")
    for i in range(2):
        c = make_user("client", therapist=therapist)
        _enrol(app, c, therapist, 3 + i)
        grow(app, c.id, therapist.id, 3, clock.now)
    web = login_as(app, therapist)
    small = count_get(app, web, "/staff/queue")
    for i in range(12):
        c = make_user("client", therapist=therapist)
        _enrol(app, c, therapist, 10 + 4 * i, slug=("cbt-low-mood", "ipt-relationships")[i % 2])
        grow(app, c.id, therapist.id, 25, clock.now)
    _assert_flat(small, count_get(app, web, "/staff/queue"), "staff.queue")


PAGES: list[tuple[str, str, str, bool]] = [
    # (endpoint, who looks, url template, whether the page lists every row so gets longer)
    ("client.home", "client", "/home", False),  # this week only, from all the history
    ("client.lessons", "client", "/lessons", False),  # every lesson, open or not
    ("worksheets.entries", "client", "/worksheets/", True),
    ("messages.client_thread", "client", "/messages", True),
    ("messages.staff_thread", "therapist", "/staff/clients/{cid}/messages", True),
    ("staff.clients", "therapist", "/staff/clients", True),
]


@pytest.mark.parametrize(("endpoint", "who", "url", "longer"), PAGES, ids=[p[0] for p in PAGES])
def test_list_page_statements_do_not_grow_with_rows(app, make_user, clock, endpoint, who,
                                                    url, longer) -> None:
    _needs(app, endpoint)
    therapist = make_user("therapist")
    client = make_user("client", therapist=therapist)
    _enrol(app, client, therapist, 2)
    grow(app, client.id, therapist.id, 3, clock.now)
    web = login_as(app, client if who == "client" else therapist)
    url = url.format(cid=client.id)
    small = count_get(app, web, url)
    # Seven weeks on: every lesson open with its homework, and many more rows of everything.
    clock.advance(days=55)
    grow(app, client.id, therapist.id, 50, clock.now)
    for _i in range(5):
        other = make_user("client", therapist=therapist)
        grow(app, other.id, therapist.id, 5, clock.now)
    web = login_as(app, client if who == "client" else therapist)
    _assert_flat(small, count_get(app, web, url), endpoint, longer)


def test_audit_log_statements_do_not_grow_with_events(app, make_user, clock) -> None:
    _needs(app, "admin.audit")
    admin = make_user("admin")
    therapist = make_user("therapist")
    first = make_user("client", therapist=therapist)
    grow(app, first.id, therapist.id, 3, clock.now)
    web = login_as(app, admin)
    small = count_get(app, web, "/admin/audit")
    for _i in range(6):  # many people, so a lookup per row would show
        c = make_user("client", therapist=therapist)
        t = make_user("therapist")
        grow(app, c.id, t.id, 12, clock.now)
    _assert_flat(small, count_get(app, web, "/admin/audit"), "admin.audit")


# --- Indexes: the queue's and the charts' statements never scan the big tables ------------

BIG_TABLES = ("mood_checkin", "entry", "measure_response")
SCAN = re.compile(r"^SCAN ({})\b".format("|".join(BIG_TABLES)))


@pytest.fixture
def plan_app(app_config: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
    """The app on SQLite (its query plans are read), whatever database the other tests use."""
    from icbt.extensions import upgrade_db

    plan = create_app({**app_config, "SQLALCHEMY_DATABASE_URI":
                       "sqlite:///" + str(tmp_path / "plan.sqlite")})
    with plan.app_context():
        upgrade_db()
    yield plan
    with plan.app_context():
        db.session.remove()
        db.engine.dispose()


def _maker(app: Flask) -> Callable[..., User]:
    """make_user for another app: make(role, therapist=None) -> User (detached)."""
    from icbt.accounts import users

    numbers = itertools.count(1)

    def make(role: str, therapist: User | None = None) -> User:
        n = next(numbers)
        with app.app_context():
            t = db.session.get(User, therapist.id) if therapist else None
            user = users.create_user(f"{role}{n}@plan.example", role, name=f"{role} {n}",
                                     password=PASSWORD, therapist=t, check_password=False)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


def _plans(app: Flask, captured: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """(statement, plan line) for every SELECT captured, by EXPLAIN QUERY PLAN."""
    out = []
    with app.app_context():
        conn = db.session.connection()
        for sql, params in captured:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")) or params is None:
                continue
            for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params):
                out.append((sql, str(row[-1])))
        db.session.rollback()
    return out


def _full_scans(plans: list[tuple[str, str]]) -> list[str]:
    return [f"{detail}\n    in: {' '.join(sql.split())[:300]}" for sql, detail in plans
            if SCAN.search(detail)]


def _seed(app: Flask, make_user: Callable[..., User], clock: Any) -> tuple[User, User]:
    therapist = make_user("therapist")
    clients = []
    for i in range(4):
        c = make_user("client", therapist=therapist)
        _enrol(app, c, therapist, 5 + 9 * i, slug=("cbt-low-mood", "dbt-emotion-regulation")[i % 2])
        grow(app, c.id, therapist.id, 20, clock.now)
        clients.append(c)
    # No ANALYZE: on tiny tables its statistics make a full scan the cheap plan; without it
    # SQLite plans by the indexes alone, which is what this test is about.
    return therapist, clients[0]


def test_queue_statements_use_indexes(plan_app, clock) -> None:
    app = plan_app
    _needs(app, "staff.queue")
    therapist, _client = _seed(app, _maker(app), clock)
    web = login_as(app, therapist)
    # With nothing stored (a new deployment, or all data changed), this load recomputes.
    with app.app_context():
        db.session.execute(delete(ReviewState))
        db.session.commit()
    with statements(app) as seen:
        assert web.get("/staff/queue").status_code == 200
    plans = _plans(app, seen)
    assert any("mood_checkin" in sql for sql, _d in plans), "the queue read no check-ins?"
    assert _full_scans(plans) == []
    # Later loads read the stored flags and review state only.
    with statements(app) as seen:
        assert web.get("/staff/queue").status_code == 200
    plans = _plans(app, seen)
    assert any("review_state" in sql for sql, _d in plans), "the queue read no review state?"
    assert not any("mood_checkin" in sql for sql, _d in plans), "the queue recomputed again"
    assert _full_scans(plans) == []


def test_chart_statements_use_indexes(plan_app, clock) -> None:
    app = plan_app
    _needs(app, "charts.chart")
    from icbt.measures import chartdata

    therapist, client = _seed(app, _maker(app), clock)
    web = login_as(app, therapist)
    with statements(app) as seen:
        for kind in chartdata.KINDS:
            resp = web.get(f"/charts/{client.id}/{kind}.svg")
            assert resp.status_code == 200, kind
    plans = _plans(app, seen)
    assert any("measure_response" in sql for sql, _d in plans)
    assert _full_scans(plans) == []
