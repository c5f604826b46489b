"""The outbox: with SMTP down emails wait and are retried with backoff; stuck sends come back."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from icbt.db import db
from icbt.messaging import mail
from icbt.models.records import OutboxMessage


def _free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Collect:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[Any] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Collect]]:
    """A real SMTP server on loopback."""
    from aiosmtpd.controller import Controller

    handler = Collect()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def _queue(app: Flask, n: int = 1) -> list[int]:
    with app.app_context():
        ids = [mail.queue(f"person{i}@example.org", "Your next lesson is ready",
                          "Hello Sam,\n\nA new lesson is waiting.", kind="lesson").id
               for i in range(n)]
        db.session.commit()
        return ids


def _msg(app: Flask, msg_id: int) -> OutboxMessage:
    with app.app_context():
        msg = db.session.get(OutboxMessage, msg_id)
        db.session.expunge(msg)
        return msg


def test_smtp_down_keeps_emails_and_retries_with_backoff_until_it_is_back(  # type: ignore[no-untyped-def]
        app: Flask, clock, smtp_server) -> None:
    port, handler = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port())  # nothing listens there
    (msg_id,) = _queue(app)
    start = clock.now
    waits = []
    with app.app_context():
        for attempt in range(1, 5):
            assert mail.deliver_pending(clock.now) == (0, 1)
            msg = db.session.get(OutboxMessage, msg_id)
            assert msg.status == "queued" and msg.attempts == attempt
            assert msg.last_error in ("ConnectionRefusedError", "OSError")
            waits.append(msg.next_attempt_at - clock.now)
            assert mail.deliver_pending(clock.now) == (0, 0)  # not before its time
            clock.set(msg.next_attempt_at)
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    app.config["SMTP_PORT"] = port  # the server is back
    with app.app_context():
        assert mail.deliver_pending(clock.now) == (1, 0)
    msg = _msg(app, msg_id)
    assert msg.status == "sent" and msg.attempts == 5 and msg.sent_at > start
    assert len(handler.received) == 1
    envelope = handler.received[0]
    assert envelope.rcpt_tos == ["person0@example.org"]
    assert b"A new lesson is waiting." in envelope.content


def test_an_email_is_given_up_only_after_the_configured_attempts(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port(), MAIL_MAX_ATTEMPTS=3)
    (msg_id,) = _queue(app)
    with app.app_context():
        for _ in range(3):
            mail.deliver_pending(clock.now)
            clock.advance(hours=7)
    msg = _msg(app, msg_id)
    assert msg.status == "failed" and msg.attempts == 3


def test_a_message_stuck_in_sending_returns_to_the_queue(app: Flask, clock, smtp_server) -> None:  # type: ignore[no-untyped-def]
    port, handler = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    stuck, waiting = _queue(app, 2)
    with app.app_context():
        # A sender claims the first message the way deliver_pending does, then dies.
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == stuck)
                           .values(status="sending",
                                   next_attempt_at=clock.now + mail.sending_lease()))
        db.session.commit()
        assert mail.deliver_pending(clock.now) == (1, 0)  # only the other one
        clock.advance(minutes=14)
        assert mail.requeue_stuck(clock.now) == 0  # might still be on its way
        clock.advance(minutes=2)
        assert mail.deliver_pending(clock.now) == (1, 0)
    assert _msg(app, stuck).status == "sent" and _msg(app, waiting).status == "sent"
    assert sorted(e.rcpt_tos[0] for e in handler.received) == ["person0@example.org",
                                                               "person1@example.org"]


def test_the_lease_is_configurable(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    app.config["MAIL_SENDING_TIMEOUT_MINUTES"] = 60
    (msg_id,) = _queue(app)
    with app.app_context():
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == msg_id)
                           .values(status="sending",
                                   next_attempt_at=clock.now + mail.sending_lease()))
        db.session.commit()
        clock.advance(minutes=59)
        assert mail.requeue_stuck(clock.now) == 0
        clock.advance(minutes=2)
        assert mail.requeue_stuck(clock.now) == 1
    assert _msg(app, msg_id).status == "queued"
