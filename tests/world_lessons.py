"""LESSONS objects for the access world: an enrolment with an open lesson and its homework."""

from __future__ import annotations

from typing import Any

import world
from flask import Flask

from icbt.models.people import User


@world.builder
def lessons_world(app: Flask, people: dict[str, User]) -> dict[str, Any]:
    """Enrol people["client"] in the CBT program starting today, so lesson 1 and its homework exist."""
    from icbt.db import db
    from icbt.models.care import Homework
    from icbt.programs import enrolment as program
    from icbt.timeutil import local_today, utcnow

    with app.app_context():
        client = db.session.get(User, people["client"].id)
        therapist = db.session.get(User, people["therapist"].id)
        assert client is not None and therapist is not None
        enrolment = program.enrol(client, "cbt-low-mood", actor=therapist,
                                  start_date=local_today(client.timezone, utcnow()))
        homework = db.session.scalars(
            db.select(Homework).where(Homework.enrolment_id == enrolment.id)).first()
        assert homework is not None
        return {"program_slug": "cbt-low-mood", "enrolment_id": enrolment.id,
                "homework_id": homework.id, "unsubscribe_token": client.unsubscribe_token}
