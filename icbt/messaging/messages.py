"""Secure messages between a client and their therapist; the email says only "a new message"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update

from icbt import i18n
from icbt.db import db
from icbt.messaging import mail
from icbt.messaging.mail import external_url
from icbt.models.care import Entry, Message
from icbt.models.people import User
from icbt.timeutil import utcnow

MAX_LENGTH = 5000


class MessageError(ValueError):
    """A message that cannot be sent, with a reason for the person."""


def thread(client_id: int, limit: int = 200) -> list[Message]:
    """The conversation with one client, oldest first (the latest `limit` messages)."""
    rows = db.session.scalars(select(Message).where(Message.client_id == client_id)
                              .order_by(Message.created_at.desc(), Message.id.desc())
                              .limit(limit)).all()
    return list(reversed(rows))


def _unread_q(client_id: int, reader: User) -> Any:
    """Messages in this thread that `reader` has not read (sent by the other side)."""
    q = select(Message.id).where(Message.client_id == client_id, Message.read_at.is_(None))
    if reader.id == client_id:
        return q.where((Message.sender_id != client_id) | Message.sender_id.is_(None))
    return q.where(Message.sender_id == client_id)


def unread_count(client_id: int, reader: User) -> int:
    """How many messages in this thread `reader` has not read yet."""
    sub = _unread_q(client_id, reader).subquery()
    return int(db.session.scalar(select(func.count()).select_from(sub)) or 0)


def unread_by_client(ids: Select[Any]) -> dict[int, int]:
    """Unread messages from each client of a caseload, for their therapist (one query)."""
    rows = db.session.execute(
        select(Message.client_id, func.count(Message.id))
        .where(Message.client_id.in_(ids), Message.sender_id == Message.client_id,
               Message.read_at.is_(None))
        .group_by(Message.client_id)).all()
    return {cid: int(n) for cid, n in rows}


def mark_read(client_id: int, reader: User, now: datetime | None = None) -> int:
    """Mark the other side's messages as read by `reader`; commit; return how many."""
    ids = _unread_q(client_id, reader)
    result: Any = db.session.execute(update(Message).where(Message.id.in_(ids))
                                     .values(read_at=now or utcnow()))
    count = result.rowcount
    db.session.commit()
    return int(count or 0)


def _notify(recipient: User, client: User, msg: Message) -> None:
    """Queue "you have a new message" (no content) unless one is already waiting unread."""
    if recipient.disabled or not recipient.email:
        return
    earlier = _unread_q(client.id, recipient).where(Message.id != msg.id).limit(1)
    if db.session.scalar(earlier) is not None:
        return  # they already have an email about an unread message in this thread
    if recipient.id == client.id:
        link = external_url("messages.client_thread")
    else:
        link = external_url("messages.staff_thread", client_id=client.id)
    clinic = current_app.config.get("CLINIC_NAME", "icbt")
    with i18n.speaking(recipient.language):
        body = _("Hello %(first)s,\n\nYou have a new message in %(clinic)s.\n"
                 "Sign in to read it:\n%(link)s\n", first=recipient.first_name, clinic=clinic,
                 link=link)
        subject = _("You have a new message (%(clinic)s)", clinic=clinic)
    mail.queue(recipient.email, subject, body,
               kind="message",
               dedupe_key=f"message:{msg.id}:{recipient.id}", user_id=recipient.id)


def send(client: User, sender: User, body: str, entry_id: int | None = None,
         now: datetime | None = None) -> Message:
    """Add a message to a client's thread, notify the other side by email; commit."""
    body = (body or "").strip()
    if not body:
        raise MessageError(_("Please write a message."))
    if len(body) > MAX_LENGTH:
        raise MessageError(_("Please keep a message under %(n)d characters.", n=MAX_LENGTH))
    if client.status == "discharged":
        raise MessageError(_("This conversation is closed."))
    if entry_id is not None:
        entry = db.session.get(Entry, entry_id)
        if entry is None or entry.client_id != client.id or entry.deleted_at is not None:
            raise MessageError(_("That worksheet entry is not available."))
    msg = Message(client_id=client.id, sender_id=sender.id, entry_id=entry_id, body=body,
                  created_at=now or utcnow())
    db.session.add(msg)
    db.session.flush()
    recipient = client if sender.id != client.id else client.therapist
    if recipient is not None:
        _notify(recipient, client, msg)
    db.session.commit()
    return msg


def entry_replies(entry_id: int) -> list[Message]:
    """The therapist's replies about one worksheet entry, oldest first (WORKSHEETS shows them)."""
    return list(db.session.scalars(select(Message).where(Message.entry_id == entry_id)
                                   .order_by(Message.created_at, Message.id)))
