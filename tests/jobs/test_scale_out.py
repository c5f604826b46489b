"""Scale-out: two app processes and one scheduler on the same PostgreSQL.

A check-in written through one app is seen through the other, on the client's page and in
the therapist's queue (sessions live in signed cookies, data and review state in the
database: nothing a second worker needs is kept per process), and
each reminder is sent exactly once, also while a second scheduler tries to run the jobs.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from conftest import PASSWORD, PG_URL, csrf_from
from sqlalchemy import select

from icbt.db import db
from icbt.models.people import User
from icbt.models.records import OutboxMessage
from icbt.programs import enrolment

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL: set ICBT_TEST_DATABASE_URL")
HOST = "127.0.0.1"
SECRET = "scale-out-test-secret-key-0123456789abcdef"


def _port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Browser:
    """A tiny cookie-keeping HTTP client for one loopback server."""

    def __init__(self, port: int, cookie: str = "") -> None:
        self.port, self.cookie = port, cookie

    def call(self, path: str, form: dict[str, Any] | None = None) -> tuple[int, str]:
        """GET (or POST a form); keep the session cookie; return (status, text)."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request("POST" if form is not None else "GET", path, body=body, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode()
        for key, value in resp.getheaders():
            if key.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        conn.close()
        return resp.status, text

    def login(self, email: str) -> None:
        """Sign in through the form."""
        token = csrf_from(self.call("/login")[1])
        status, _t = self.call("/login", {"email": email, "password": PASSWORD,
                                          "csrf_token": token})
        assert status == 302, status


def _wait(port: int, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.time() < deadline:
        assert proc.poll() is None, "an app process died at start"
        try:
            if Browser(port).call("/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("an app process did not start in time")


def _start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()


def _reminders(app: Any, user_id: int) -> list[tuple[int, str]]:
    """(id, status) of a client's check-in reminders, fresh from the database."""
    with app.app_context():
        rows = db.session.execute(select(OutboxMessage.id, OutboxMessage.status).where(
            OutboxMessage.user_id == user_id, OutboxMessage.kind == "remind_checkin")).all()
        db.session.rollback()
        return [(int(i), str(s)) for i, s in rows]


def test_two_apps_and_a_scheduler_share_one_database(app, make_user, clock, tmp_path) -> None:
    clock.set(datetime.now(UTC))  # the other processes use the real clock
    therapist = make_user("therapist")
    writer = make_user("client", therapist=therapist, timezone="UTC")
    quiet = make_user("client", therapist=therapist, timezone="UTC")
    with app.app_context():
        t = db.session.get(User, therapist.id)
        for c in (writer, quiet):
            enrolment.enrol(db.session.get(User, c.id), "cbt-low-mood", actor=t,
                            notify_client=False,
                            start_date=datetime.now(UTC).date() - timedelta(days=3))
    outbox = tmp_path / "outbox"
    env = {**os.environ, "ICBT_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "ICBT_SECRET_KEY": SECRET, "ICBT_INSTANCE_PATH": str(tmp_path / "instance"),
           "ICBT_OUTBOX_DIR": str(outbox), "ICBT_REQUIRE_2FA_ROLES": "[]",
           "ICBT_REMINDER_HOUR": "0", "ICBT_QUIET_HOURS": "[]",  # a reminder is due now
           "MPLCONFIGDIR": str(tmp_path / "mpl")}
    env.pop("ICBT_TEST_DATABASE_URL", None)
    icbt = str(Path(sys.executable).parent / "icbt")
    # The scheduler first: its catch-up run queues today's reminders for both clients, while a
    # second scheduler started alongside tries to run the same jobs (only one may act).
    procs = [_start([icbt, "scheduler"], env, tmp_path / "scheduler.log"),
             _start([icbt, "scheduler", "--once"], env, tmp_path / "once.log")]
    ports = [_port(), _port()]
    procs += [_start([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"{HOST}:{port}",
                      "icbt:create_app()"], env, tmp_path / f"app{i}.log")
              for i, port in enumerate(ports)]
    try:
        deadline = time.time() + 30
        for port, proc in zip(ports, procs[2:], strict=True):
            _wait(port, proc, deadline)
        # Written through app A...
        a = Browser(ports[0])
        a.login(writer.email)
        token = csrf_from(a.call("/mood/")[1])
        status, _t = a.call("/mood/", {"mood": "7", "note": "written through app A",
                                       "csrf_token": token})
        assert status == 302, status
        # ...seen through app B, with the same session cookie (no per-process session state).
        b = Browser(ports[1], a.cookie)
        status, page = b.call("/mood/")
        assert status == 200 and "written through app A" in page
        # The therapist's queue, served by app B, already knows (the review state is kept
        # in the database by the process that took the check-in, not in app B's memory).
        staff = Browser(ports[1])
        staff.login(therapist.email)
        status, page = staff.call("/staff/queue")
        assert status == 200
        assert page.count("last active") == 1 and page.count("no activity yet") == 1, page
        # The outbox job runs every minute: it sends the reminder once, and cancels the one of
        # the client who has checked in since it was queued.
        deadline = time.time() + 80
        while time.time() < deadline:
            if any(st == "sent" for _i, st in _reminders(app, quiet.id)):
                break
            assert procs[0].poll() is None, (tmp_path / "scheduler.log").read_text()[-2000:]
            time.sleep(0.5)
        time.sleep(2)  # give a duplicate every chance to appear
        assert procs[1].wait(timeout=30) == 0, (tmp_path / "once.log").read_text()[-2000:]
    finally:
        _stop(procs)
    mine = _reminders(app, quiet.id)
    assert [status for _id, status in mine] == ["sent"], mine
    assert all(st != "sent" for _i, st in _reminders(app, writer.id))  # checked in: not sent
    files = list(outbox.glob(f"*-{mine[0][0]:06d}-remind_checkin.eml"))
    assert len(files) == 1
