"""Helpers for the performance guards: count a page's SQL statements, add rows in bulk."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from benchmarks.common import statements
from icbt.db import db
from icbt.models.care import Entry, MeasureResponse, Message, MoodCheckin
from icbt.models.records import AuditEvent


def count_get(app: Flask, client: FlaskClient, url: str) -> tuple[int, str]:
    """GET a page twice (the first may write: unlocks, flags, read marks); count the second."""
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code)
    with statements(app) as seen:
        resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return len(seen), resp.get_data(as_text=True)


def grow(app: Flask, client_id: int, therapist_id: int, n: int, now: datetime,
         actor_id: int | None = None) -> None:
    """Give a client n rows of history of every kind (check-ins, entries, measures, messages,
    audit events), with Core bulk inserts."""
    from icbt.demo.synthetic_data import worksheet_samples

    rng = random.Random(n)
    with app.app_context():
        samples = worksheet_samples(["journal", "thought_record", "activity_schedule",
                                     "diary_card"], rng, now.date(), per_kind=2)
        kinds = sorted(samples)
        days = [now - timedelta(days=i + 1) for i in range(n)]
        db.session.execute(insert(MoodCheckin), [
            {"client_id": client_id, "day": d.date(), "mood": rng.randint(2, 8), "tags": [],
             "note": "", "created_at": d, "updated_at": d} for d in days])
        db.session.execute(insert(Entry), [
            {"client_id": client_id, "kind": kinds[i % len(kinds)], "schema_version": 1,
             "data": samples[kinds[i % len(kinds)]][i % 2], "created_at": d, "updated_at": d}
            for i, d in enumerate(days)])
        db.session.execute(insert(MeasureResponse), [
            {"client_id": client_id, "measure": key, "answers": [1] * items, "total": items,
             "created_at": d, "completed_at": d}
            for d in days for key, items in (("phq9", 9), ("gad7", 7))])
        db.session.execute(insert(Message), [
            {"client_id": client_id, "sender_id": client_id if i % 2 else therapist_id,
             "body": f"Message {i}", "created_at": d, "read_at": d} for i, d in enumerate(days)])
        db.session.execute(insert(AuditEvent), [
            {"at": d, "actor_id": actor_id or therapist_id, "client_id": client_id,
             "action": "view", "target": "overview", "ip": "", "detail": ""} for d in days])
        db.session.commit()
