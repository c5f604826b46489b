"""`icbt demo`: a fictional clinic contact, and email links to the host and port it serves on."""

from __future__ import annotations

import email
import re
from typing import Any

import pytest
import smtp_helpers
from flask import Flask

from icbt.db import db
from icbt.demo import settings
from icbt.demo.people import STAFF
from icbt.models.people import User

smtp = smtp_helpers.smtp  # the loopback SMTP server fixture


def _staff(email_addr: str) -> User:
    user = db.session.scalar(db.select(User).where(User.email == email_addr))
    assert user is not None
    return user


def _link(message: email.message.EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    match = re.search(r"https?://\S+", body.get_content())
    assert match, body.get_content()
    return match.group(0)


@pytest.mark.parametrize("host, port, url", [
    ("127.0.0.1", 5611, "http://127.0.0.1:5611"),
    ("localhost", 8080, "http://localhost:8080"),
    ("0.0.0.0", 5611, "http://127.0.0.1:5611"),
    ("::", 5611, "http://127.0.0.1:5611"),
    ("::1", 5611, "http://[::1]:5611"),
    ("demo.example.org", 80, "http://demo.example.org:80"),
])
def test_the_serving_address(host: str, port: int, url: str) -> None:
    assert settings.serving_base_url(host, port) == url


def test_demo_emails_link_to_the_port_it_serves_on(app: Flask, runner, smtp) -> None:  # type: ignore[no-untyped-def]
    from icbt.accounts import users
    from icbt.messaging import mail, messages

    result = runner.invoke(args=["demo", "--no-serve", "--port", "5611"])
    assert result.exit_code == 0, result.output
    assert app.config["BASE_URL"] == "http://127.0.0.1:5611"
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    therapist_email = next(e for e, role, _name in STAFF if role == "therapist")
    with app.app_context():
        therapist = _staff(therapist_email)
        newcomer = users.invite_client("newcomer@example.org", name="Nell Newcomer",
                                       therapist=therapist, invited_by=therapist)
        messages.send(newcomer, therapist, "Welcome! Your first lesson is ready.")
        sent, failed = mail.deliver_pending()
        assert sent >= 2 and failed == 0
    mine = {m["Subject"]: m for m in smtp.messages if m["To"] == "newcomer@example.org"}
    invite = next(m for s, m in mine.items() if s.startswith("Your invitation"))
    note = next(m for s, m in mine.items() if s.startswith("You have a new message"))
    link = _link(invite)
    assert link.startswith("http://127.0.0.1:5611/invite/"), link
    assert _link(note) == "http://127.0.0.1:5611/messages"
    assert all("127.0.0.1:5000" not in m.as_string() for m in smtp.messages)
    page = app.test_client().get(link.removeprefix("http://127.0.0.1:5611"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'type="password"' in html and 'name="password"' in html
    assert "expired" not in html


def test_an_explicit_base_url_still_wins(app_config, runner_for) -> None:  # type: ignore[no-untyped-def]
    app, runner = runner_for({**app_config, "BASE_URL": "https://demo.example.org"})
    result = runner.invoke(args=["demo", "--no-serve", "--port", "5611"])
    assert result.exit_code == 0, result.output
    assert app.config["BASE_URL"] == "https://demo.example.org"


def test_an_explicit_base_url_from_the_environment_wins(app_config, runner_for,  # type: ignore[no-untyped-def]
                                                        monkeypatch) -> None:
    monkeypatch.setenv("ICBT_BASE_URL", "https://env.example.org")
    app, runner = runner_for(app_config)
    result = runner.invoke(args=["demo", "--no-serve", "--port", "5611"])
    assert result.exit_code == 0, result.output
    assert app.config["BASE_URL"] == "https://env.example.org"


def test_the_demo_carries_a_fictional_clinic_contact(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    for key, value in settings.DEMO_CLINIC.items():
        assert app.config[key] == value
    assert settings.DEMO_CLINIC["CLINIC_PHONE"].startswith("01632 960")  # Ofcom's drama range
    assert settings.DEMO_CLINIC["CLINIC_HOURS"] == "Mon–Fri 9:00–17:00"
    page = app.test_client().get("/help").get_data(as_text=True)
    assert "Riverside Talking Therapies (demo)" in page
    assert 'href="tel:01632 960 123"' in page and 'href="tel:01632 960 999"' in page
    assert "Mon–Fri 9:00–17:00" in page


def test_a_configured_clinic_keeps_the_demo_numbers_out() -> None:
    config: dict[str, Any] = {"CLINIC_NAME": "icbt", "CLINIC_PHONE": "020 7946 0123",
                              "CLINIC_HOURS": None, "CLINIC_OUT_OF_HOURS_NAME": None,
                              "CLINIC_OUT_OF_HOURS_PHONE": None, "BASE_URL": None}
    changed = settings.apply(config, "127.0.0.1", 5000)
    assert set(changed) == {"CLINIC_NAME", "BASE_URL"}
    assert config["CLINIC_PHONE"] == "020 7946 0123" and config["CLINIC_HOURS"] is None


@pytest.fixture
def runner_for():  # type: ignore[no-untyped-def]
    """Build an app from a config (after the test set the environment) and its CLI runner."""
    from icbt import create_app
    from icbt.extensions import upgrade_db

    made: list[Flask] = []

    def make(config: dict[str, Any]):  # type: ignore[no-untyped-def]
        app = create_app(config)
        with app.app_context():
            upgrade_db()
        made.append(app)
        return app, app.test_cli_runner()

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
