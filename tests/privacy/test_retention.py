"""The retention job removes what the configured rules say, and nothing else."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from icbt.db import db
from icbt.models.people import LoginAttempt, PendingSubmission, Token, User
from icbt.models.records import AuditEvent, OutboxMessage
from icbt.privacy import retention

NOW = datetime(2026, 6, 1, 3, 0)


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _seed(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("client", therapist=make_user("therapist"))
    days = lambda n: NOW - timedelta(days=n)  # noqa: E731
    with app.app_context():
        db.session.add_all([
            OutboxMessage(to_addr="a@example.org", subject="s", body="b", status="sent",
                          created_at=days(91)),
            OutboxMessage(to_addr="a@example.org", subject="s", body="b", status="failed",
                          created_at=days(120)),
            OutboxMessage(to_addr="a@example.org", subject="s", body="b", status="sent",
                          created_at=days(89)),
            OutboxMessage(to_addr="a@example.org", subject="s", body="b", status="queued",
                          created_at=days(200)),  # never thrown away unsent
            LoginAttempt(account_key="k", ip="127.0.0.1", at=days(31)),
            LoginAttempt(account_key="k", ip="127.0.0.1", at=days(29)),
            PendingSubmission(token="old", endpoint="e", created_at=days(3)),
            PendingSubmission(token="new", endpoint="e", created_at=NOW - timedelta(hours=5)),
            Token(purpose="reset", token_hash="a" * 64, user_id=user.id, expires_at=days(31)),
            Token(purpose="reset", token_hash="b" * 64, user_id=user.id, expires_at=days(2)),
            AuditEvent(action="login", actor_id=user.id, at=days(4000)),
        ])
        db.session.commit()


def test_default_rules_remove_old_operational_rows(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    _seed(app, make_user)
    with app.app_context():
        removed = retention.apply_retention(NOW)
        assert removed == {"login_attempt": 1, "outbox_message": 2, "pending_submission": 1,
                           "token": 1}
        assert sorted(db.session.scalars(sa.select(OutboxMessage.status))) == ["queued", "sent"]
        assert db.session.scalars(sa.select(PendingSubmission.token)).all() == ["new"]
        assert _count(LoginAttempt) == 1 and _count(Token) == 1
        assert _count(AuditEvent) == 1 and _count(User) == 2  # never touched
        assert retention.apply_retention(NOW) == {k: 0 for k in removed}  # safe to run twice


def test_rules_come_from_configuration(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    _seed(app, make_user)
    app.config["RETENTION"] = {"login_attempt": 7}
    with app.app_context():
        assert retention.apply_retention(NOW) == {"login_attempt": 2}
        assert _count(OutboxMessage) == 4 and _count(PendingSubmission) == 2


@pytest.mark.parametrize("config, message", [
    ({"audit_event": 365}, "append-only"),
    ({"mood_checkin": 30}, "no retention rule"),
    ({"login_attempt": 0}, "at least 1"),
])
def test_a_wrong_rule_is_refused_before_anything_is_removed(app: Flask, make_user, config,  # type: ignore[no-untyped-def]
                                                            message) -> None:
    _seed(app, make_user)
    app.config["RETENTION"] = {"pending_submission": 1, **config}
    with app.app_context():
        with pytest.raises(ValueError, match=message):
            retention.apply_retention(NOW)
        assert _count(PendingSubmission) == 2
