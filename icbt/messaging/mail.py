"""The email outbox: store first, then deliver by SMTP or as .eml files."""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from icbt.config import base_url
from icbt.db import db
from icbt.models.records import OutboxMessage
from icbt.timeutil import utcnow

log = logging.getLogger("icbt.mail")


def queue(
    to_addr: str,
    subject: str,
    body: str,
    *,
    kind: str = "notice",
    dedupe_key: str | None = None,
    user_id: int | None = None,
) -> OutboxMessage | None:
    """Store an email in the outbox; with a dedupe key, a second call adds nothing.

    Flushes but does not commit: the caller's transaction owns the email.
    Returns None when the dedupe key was already used.
    """
    if dedupe_key is not None:
        existing = db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return None
    msg = OutboxMessage(
        to_addr=to_addr, subject=subject, body=body, kind=kind,
        dedupe_key=dedupe_key, user_id=user_id, next_attempt_at=utcnow(),
    )
    if dedupe_key is None:
        db.session.add(msg)
        db.session.flush()
        return msg
    try:
        with db.session.begin_nested():
            db.session.add(msg)
    except IntegrityError:
        return None  # another process queued it first
    return msg


def _build(msg: OutboxMessage) -> EmailMessage:
    em = EmailMessage()
    em["From"] = current_app.config["MAIL_FROM"]
    em["To"] = msg.to_addr
    em["Subject"] = msg.subject
    em["Message-ID"] = make_msgid(domain="icbt.local")
    em.set_content(msg.body)
    return em


def _send_smtp(em: EmailMessage) -> None:
    cfg = current_app.config
    host, port = cfg["SMTP_HOST"], int(cfg["SMTP_PORT"])
    smtp: smtplib.SMTP
    if cfg.get("SMTP_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=20, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=20)
    with smtp:
        if cfg.get("SMTP_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
        if cfg.get("SMTP_USER"):
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"] or "")
        smtp.send_message(em)


def _write_eml(msg: OutboxMessage, em: EmailMessage) -> Path:
    folder = Path(current_app.config["OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{msg.created_at:%Y%m%d-%H%M%S}-{msg.id:06d}-{msg.kind}.eml"
    path.write_bytes(bytes(em))
    return path


def backoff(attempts: int) -> timedelta:
    """Wait 1, 2, 4, ... minutes between tries, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def sending_lease() -> timedelta:
    """How long a message may stay "sending" before it counts as stuck (the sender crashed)."""
    return timedelta(minutes=int(current_app.config.get("MAIL_SENDING_TIMEOUT_MINUTES", 15)))


def requeue_stuck(now: datetime | None = None) -> int:
    """Put messages whose sender died mid-send back in the queue; return how many.

    A claim sets next_attempt_at to the end of its lease, so a "sending" row whose
    lease has passed was left behind by a crashed process. Delivery is therefore
    at least once: a crash after the SMTP server accepted a message can send it twice.
    """
    now = now or utcnow()
    count = db.session.execute(
        OutboxMessage.__table__.update()
        .where(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at <= now)
        .values(status="queued", last_error="stuck in sending")
    ).rowcount
    db.session.commit()
    if count:
        log.warning("returned %d stuck outbox %s to the queue", count,
                    "message" if count == 1 else "messages")
    return int(count or 0)


def deliver_pending(now: datetime | None = None, limit: int = 100) -> tuple[int, int]:
    """Deliver due outbox messages; return (sent, failed). Safe to run from two processes."""
    now = now or utcnow()
    requeue_stuck(now)
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = failed = 0
    for msg_id in ids:
        # Claim the message with a conditional update so a second sender skips it.
        claimed = db.session.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.id == msg_id, OutboxMessage.status == "queued")
            .values(status="sending", next_attempt_at=now + sending_lease())
        ).rowcount
        db.session.commit()
        if not claimed:
            continue
        msg = db.session.get(OutboxMessage, msg_id)
        assert msg is not None
        try:
            em = _build(msg)
            if current_app.config.get("SMTP_HOST"):
                _send_smtp(em)
            else:
                _write_eml(msg, em)
        except (OSError, smtplib.SMTPException) as exc:
            msg.attempts += 1
            msg.last_error = type(exc).__name__
            if msg.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
                msg.status = "failed"
            else:
                msg.status = "queued"
                msg.next_attempt_at = now + backoff(msg.attempts)
            failed += 1
            log.warning("outbox message %s not delivered (%s)", msg.id, msg.last_error)
        else:
            msg.attempts += 1
            msg.status = "sent"
            msg.sent_at = utcnow()
            sent += 1
        db.session.commit()
    return sent, failed


def external_url(endpoint: str, **values: Any) -> str:
    """Build an absolute link for an email from BASE_URL (no request needed)."""
    base = base_url(current_app.config)
    with current_app.test_request_context(base_url=base + "/"):
        return url_for(endpoint, _external=True, **values)
