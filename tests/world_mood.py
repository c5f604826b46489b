"""MOOD objects for the access world: a check-in and a completed PHQ-9 of people["client"]."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import world
from flask import Flask

from icbt.models.people import User


@world.builder
def mood_world(app: Flask, people: dict[str, User]) -> dict[str, Any]:
    """Yesterday's check-in and a completed PHQ-9 (no risk answer) for the client."""
    from icbt.db import db
    from icbt.measures import assessments
    from icbt.measures import mood as mood_svc

    with app.app_context():
        client = db.session.get(User, people["client"].id)
        assert client is not None
        day = mood_svc.client_today(client) - timedelta(days=1)
        mood_svc.save_checkin(client, day, mood_svc.CheckinInput(mood=6, anxiety=3))
        result = assessments.save_answers(client, "phq9", [1, 1, 0, 2, 1, 0, 1, 0, 0])
        assert result.complete and result.risk_flag is None
        return {"mood_day": day.isoformat(), "measure_response_id": result.response.id}
