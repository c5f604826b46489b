"""A client with a row in every exported table, with awkward values (for export/import tests)."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from icbt.db import db
from icbt.models.care import (
    Contact,
    Draft,
    Enrolment,
    Entry,
    Homework,
    LessonProgress,
    LiveSession,
    MeasureResponse,
    Message,
    MoodCheckin,
)
from icbt.models.flags import Flag

NOTE = "Felt low after the call; walked by the river \u2014 caf\u00e9 later.\nSecond line"
FORMULA = "=HYPERLINK(\"http://evil\")"


def add_history(app: Flask, client_id: int, therapist_id: int) -> None:
    """Give the client enrolments, progress, homework, entries, check-ins, measures and more."""
    with app.app_context():
        enr = Enrolment(client_id=client_id, program_slug="cbt-low-mood", content_version="v1",
                        start_date=date(2026, 1, 5), pace_days=7)
        db.session.add(enr)
        db.session.flush()
        db.session.add_all([
            LessonProgress(enrolment_id=enr.id, client_id=client_id, week=1, lesson_slug="w1",
                           lesson_title="Getting started", content_version="v1",
                           unlocked_at=datetime(2026, 1, 5, 8), opened_at=datetime(2026, 1, 5, 9),
                           completed_at=datetime(2026, 1, 6, 20, 15, 30)),
            LessonProgress(enrolment_id=enr.id, client_id=client_id, week=2, lesson_slug="w2",
                           lesson_title="Thoughts", content_version="v1",
                           unlocked_at=datetime(2026, 1, 12, 8)),
        ])
        hw = Homework(client_id=client_id, enrolment_id=enr.id, week=1, worksheet="thought_record",
                      times=2, instruction="Two records this week", created_by=therapist_id)
        db.session.add(hw)
        db.session.flush()
        e1 = Entry(client_id=client_id, kind="thought_record", homework_id=hw.id,
                   data={"situation": NOTE, "belief": 80, "tags": ["work", "sleep"]},
                   submission_key=f"k-{client_id}", created_at=datetime(2026, 1, 7, 19))
        e2 = Entry(client_id=client_id, kind="journal", data={"text": FORMULA},
                   created_at=datetime(2026, 1, 8, 7))
        db.session.add_all([e1, e2])
        db.session.flush()
        db.session.add_all([
            Draft(client_id=client_id, slot="new:journal", kind="journal", data={"text": "half"}),
            MoodCheckin(client_id=client_id, day=date(2026, 1, 7), mood=3, anxiety=6,
                        sleep_hours=6.5, tags=["tired"], note=NOTE),
            MoodCheckin(client_id=client_id, day=date(2026, 1, 8), mood=5, note="-ok"),
            MeasureResponse(client_id=client_id, enrolment_id=enr.id, measure="phq9",
                            answers=[1, 2, 1, 0, 3, 1, 2, 0, 1], total=11,
                            completed_at=datetime(2026, 1, 5, 10)),
            MeasureResponse(client_id=client_id, enrolment_id=enr.id, measure="gad7",
                            answers=[2, 2, 1, 1, 0, 1, 2], total=9,
                            completed_at=datetime(2026, 1, 5, 10, 5)),
            MeasureResponse(client_id=client_id, measure="phq9", answers=[1, None, 2]),
            Message(client_id=client_id, sender_id=client_id, entry_id=e1.id, body="Is this right?"),
            Message(client_id=client_id, sender_id=therapist_id, body="Yes, well done.",
                    read_at=datetime(2026, 1, 9, 8)),
            Flag(client_id=client_id, kind="risk", severity=4, source="phq9-item9",
                 evidence={"item9": 1}, acknowledged_by=therapist_id,
                 acknowledged_at=datetime(2026, 1, 5, 12), ack_note="Called, safety plan ok"),
            LiveSession(client_id=client_id, therapist_id=therapist_id,
                        starts_at=datetime(2026, 1, 14, 15), notes="Session notes by therapist"),
            Contact(client_id=client_id, therapist_id=therapist_id, kind="call", minutes=15,
                    note="Checked in by phone"),
        ])
        db.session.commit()
