"""REVIEW objects for the access world: a flag, a message, a live session and a contact."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import world
from flask import Flask

from icbt.models.people import User


@world.builder
def review_world(app: Flask, people: dict[str, User]) -> dict[str, Any]:
    """An open quiet flag, a message from the therapist, tomorrow's session and a contact."""
    from icbt.db import db
    from icbt.models.care import Contact, LiveSession, Message
    from icbt.models.flags import Flag
    from icbt.timeutil import utcnow

    with app.app_context():
        client_id, therapist_id = people["client"].id, people["therapist"].id
        now = utcnow()
        flag = Flag(client_id=client_id, kind="deteriorating", severity=3, source="rule",
                    evidence={"reasons": [{"code": "measure_up", "measure": "phq9", "points": 7,
                                           "from": 8, "to": 15, "baseline": "2026-02-01",
                                           "latest": "2026-03-01"}]}, opened_at=now)
        message = Message(client_id=client_id, sender_id=therapist_id, body="Hello", created_at=now)
        session = LiveSession(client_id=client_id, therapist_id=therapist_id,
                              starts_at=now + timedelta(days=1), notes="")
        contact = Contact(client_id=client_id, therapist_id=therapist_id, kind="call", minutes=10,
                          at=now)
        db.session.add_all([flag, message, session, contact])
        db.session.commit()
        return {"flag_id": flag.id, "message_id": message.id, "session_id": session.id,
                "contact_id": contact.id}
