"""A client's care: enrolment, lessons, homework, entries, drafts, check-ins,
questionnaires, messages, live sessions and therapist contact time.

Every timestamp is naive UTC; every date a client sees is local."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from icbt.db import db
from icbt.timeutil import utcnow


class Enrolment(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    program_slug: Mapped[str] = mapped_column(String(80))
    content_version: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    pace_days: Mapped[int] = mapped_column(Integer, default=7)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active/paused/ended
    paused_at: Mapped[datetime | None] = mapped_column(DateTime)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    extra_unlocked: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)


class LessonProgress(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    week: Mapped[int] = mapped_column(Integer)
    lesson_slug: Mapped[str] = mapped_column(String(120))
    lesson_title: Mapped[str] = mapped_column(String(200))
    content_version: Mapped[str] = mapped_column(String(64), default="")
    unlocked_at: Mapped[datetime | None] = mapped_column(DateTime)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime)


class LessonSnapshot(db.Model):  # type: ignore[name-defined,misc]
    """The rendered lesson a client saw, kept so that later content edits cannot break history."""

    __tablename__ = "lesson_snapshot"
    __table_args__ = (UniqueConstraint("program_slug", "content_version", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_slug: Mapped[str] = mapped_column(String(80))
    content_version: Mapped[str] = mapped_column(String(64))
    week: Mapped[int] = mapped_column(Integer)
    lesson_slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Homework(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "homework"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    week: Mapped[int | None] = mapped_column(Integer)
    worksheet: Mapped[str] = mapped_column(String(80))
    times: Mapped[int] = mapped_column(Integer, default=1)
    instruction: Mapped[str] = mapped_column(String(500), default="")
    assigned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class Entry(db.Model):  # type: ignore[name-defined,misc]
    """One worksheet entry of any type: the type's module owns the shape of `data`."""

    __tablename__ = "entry"
    __table_args__ = (Index("ix_entry_client_created", "client_id", "created_at"),
                      # When each client last changed an entry, by index (REVIEW's snapshots).
                      Index("ix_entry_client_updated", "client_id", "updated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(80))
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    homework_id: Mapped[int | None] = mapped_column(
        ForeignKey("homework.id", ondelete="SET NULL"), index=True
    )
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)


class Draft(db.Model):  # type: ignore[name-defined,misc]
    """A worksheet in progress; one per client and slot (a new entry of a kind, or an edit)."""

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("client_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    slot: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MoodCheckin(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "mood_checkin"
    # (client_id, created_at): when a client last checked in, by index (REVIEW's snapshots).
    __table_args__ = (UniqueConstraint("client_id", "day"),
                      Index("ix_mood_checkin_client_created", "client_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    mood: Mapped[int] = mapped_column(Integer)
    anxiety: Mapped[int | None] = mapped_column(Integer)
    sleep_hours: Mapped[float | None]
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MeasureResponse(db.Model):  # type: ignore[name-defined,misc]
    """A PHQ-9 or GAD-7; `total` is set only when every item is answered."""

    __tablename__ = "measure_response"
    __table_args__ = (Index("ix_measure_client_measure_at", "client_id", "measure", "completed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolment.id", ondelete="SET NULL"))
    measure: Mapped[str] = mapped_column(String(16))
    answers: Mapped[list[int | None]] = mapped_column(JSON, default=list)
    total: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Message(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "message"
    __table_args__ = (Index("ix_message_client_created", "client_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)


class LiveSession(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "live_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    therapist_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Contact(db.Model):  # type: ignore[name-defined,misc]
    """Therapist time spent on a client (call, message, session)."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    therapist_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")
