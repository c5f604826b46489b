"""The icbt command: bad input is one clear line and exit status 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from icbt.db import db
from icbt.models.people import User

GOOD = "a-long-enough-passphrase-7\n"


def _run(runner, *args: str, stdin: str = GOOD):  # type: ignore[no-untyped-def]
    return runner.invoke(args=list(args), input=stdin)


def test_users_create_and_assign(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    r = _run(runner, "users", "create", "t@example.org", "--role", "therapist", "--name", "Tia",
             "--password-stdin")
    assert r.exit_code == 0, r.output
    r = _run(runner, "users", "create", "t2@example.org", "--role", "therapist",
             "--password-stdin")
    assert r.exit_code == 0, r.output
    r = _run(runner, "users", "create", "c@example.org", "--role", "client", "--therapist",
             "t@example.org", "--password-stdin")
    assert r.exit_code == 0, r.output
    r = _run(runner, "users", "assign", "c@example.org", "t2@example.org")
    assert r.exit_code == 0, r.output
    with app.app_context():
        c = db.session.scalar(db.select(User).where(User.email == "c@example.org"))
        assert c is not None and c.therapist is not None and c.therapist.email == "t2@example.org"


@pytest.mark.parametrize(
    "args, message",
    [
        (["users", "create", "x@example.org", "--role", "wizard", "--password-stdin"],
         "unknown role"),
        (["users", "create", "c@example.org", "--role", "client", "--therapist",
          "nobody@example.org", "--password-stdin"], "no therapist"),
        (["users", "create", "not-an-email", "--role", "admin", "--password-stdin"],
         "email address"),
        (["users", "create", "weak@example.org", "--role", "admin", "--password-stdin"],
         "12 characters"),
        (["users", "assign", "nobody@example.org", "t@example.org"], "no account"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(app: Flask, runner, args, message) -> None:  # type: ignore[no-untyped-def]
    _run(runner, "users", "create", "t@example.org", "--role", "therapist", "--password-stdin")
    stdin = "short\n" if "weak@example.org" in args else GOOD
    r = _run(runner, *args, stdin=stdin)
    assert r.exit_code == 1
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], r.output
    assert "Traceback" not in r.output


def test_duplicate_email_is_one_line(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    assert _run(runner, "users", "create", "a@example.org", "--role", "admin",
                "--password-stdin").exit_code == 0
    r = _run(runner, "users", "create", "A@example.org", "--role", "admin", "--password-stdin")
    assert r.exit_code == 1 and "already exists" in r.output


def test_demo_builds_once_and_its_logins_work(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    from conftest import login_as, login_with_totp

    from icbt.demo import people

    r = runner.invoke(args=["demo", "--no-serve"])
    assert r.exit_code == 0, r.output
    assert "admin@demo.icbt" in r.output
    with app.app_context():
        count = db.session.scalar(db.select(db.func.count(User.id)))
    r2 = runner.invoke(args=["demo", "--no-serve"])
    assert r2.exit_code == 0 and "nothing added" in r2.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == count
        therapist = db.session.scalar(db.select(User).where(User.email == "therapist@demo.icbt"))
        db.session.expunge(therapist)
    assert therapist.totp_secret == people.DEMO_TOTP_SECRET
    c = login_with_totp(app, therapist, people.DEMO_PASSWORD)
    assert c.get("/").status_code == 302
    assert c.get("/staff/clients").status_code == 200
    code = runner.invoke(args=["demo", "--code"])
    assert code.exit_code == 0 and code.output.strip().isdigit()
    client = login_as(app, _user(app, people.client_email(0)), people.DEMO_PASSWORD)
    assert client.get("/home").status_code == 200


def test_console_script_reports_errors_without_traceback(tmp_path: Path) -> None:
    """The installed `icbt` entry point, as a user runs it, on a fresh instance folder."""
    env = dict(os.environ, ICBT_INSTANCE_PATH=str(tmp_path / "inst"))
    env.pop("ICBT_TEST_DATABASE_URL", None)
    exe = Path(sys.executable).parent / "icbt"
    up = subprocess.run([str(exe), "db", "upgrade"], env=env, capture_output=True, text=True,
                        timeout=120)
    assert up.returncode == 0, up.stderr
    r = subprocess.run([str(exe), "users", "assign", "a@example.org", "b@example.org"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr + r.stdout
    assert (tmp_path / "inst" / "secret_key").exists()


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        assert user is not None
        db.session.expunge(user)
        return user


def test_enrol_from_the_command_line(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    from icbt.models.care import Enrolment

    for args in (["t@example.org", "--role", "therapist"], ["a@example.org", "--role", "admin"],
                 ["c@example.org", "--role", "client", "--therapist", "t@example.org"]):
        assert _run(runner, "users", "create", *args, "--password-stdin").exit_code == 0
    bad = runner.invoke(args=["enrol", "c@example.org", "no-such-program", "--by", "a@example.org"])
    assert bad.exit_code == 1 and len(bad.output.strip().splitlines()) == 1
    bad_date = runner.invoke(args=["enrol", "c@example.org", "cbt-low-mood", "--by",
                                   "a@example.org", "--start", "soon"])
    assert bad_date.exit_code == 1 and "--start" in bad_date.output
    ok = runner.invoke(args=["enrol", "c@example.org", "cbt-low-mood", "--by", "a@example.org",
                             "--start", "2026-03-02"])
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        enrolment = db.session.scalar(db.select(Enrolment))
        assert enrolment is not None and enrolment.program_slug == "cbt-low-mood"
    again = runner.invoke(args=["enrol", "c@example.org", "cbt-low-mood", "--by", "t@example.org"])
    assert again.exit_code == 1 and "already" in again.output
