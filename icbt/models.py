"""Typed SQLAlchemy models. Every timestamp is naive UTC; every date a client sees is local."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import db, utcnow

ROLES = ("client", "therapist", "designer", "admin")
CLIENT_STATUSES = ("invited", "active", "paused", "discharged")


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(16), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    therapist_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="active")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    recovery_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The last TOTP time step accepted, so a code cannot be used twice (replay).
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # A new sign-in address waiting for its confirmation link to be opened.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    prefs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    talk_note: Mapped[str] = mapped_column(Text, default="")
    deletion_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    unsubscribe_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    therapist: Mapped[User | None] = relationship(remote_side=[id], foreign_keys=[therapist_id])

    @property
    def is_active(self) -> bool:  # flask-login: disabled accounts cannot log in
        return not self.disabled

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def first_name(self) -> str:
        return (self.name or "").split(" ")[0] or "there"

    @property
    def display_name(self) -> str:
        return self.name or self.email


class Token(db.Model):  # type: ignore[name-defined,misc]
    """A one-time link: invitation or password reset. Only the hash is stored."""

    __tablename__ = "token"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class OutboxMessage(db.Model):  # type: ignore[name-defined,misc]
    """An email stored before delivery; dedupe_key makes each notification unique."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32), default="notice")
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(String(300), default="")


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """Append-only: who did what to whose record, when, from where. Never health content."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    client_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(80), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(String(200), default="")


class LoginAttempt(db.Model):  # type: ignore[name-defined,misc]
    """Login throttling counters, shared by every worker through the database."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_account_at", "account_key", "at"),
                      Index("ix_login_attempt_ip_at", "ip", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    account_key: Mapped[str] = mapped_column(String(64))  # a hash, not the email
    ip: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class PendingSubmission(db.Model):  # type: ignore[name-defined,misc]
    """A form posted after the session or CSRF token expired, completed after login."""

    __tablename__ = "pending_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(String(120))
    view_args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    form: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)


class SchedulerLock(db.Model):  # type: ignore[name-defined,misc]
    """A lease that lets only one scheduler act (SQLite stand-in for an advisory lock)."""

    __tablename__ = "scheduler_lock"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class JobRun(db.Model):  # type: ignore[name-defined,misc]
    """When each scheduled job last ran, so a restarted scheduler catches up once."""

    __tablename__ = "job_run"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(DateTime)
    runs: Mapped[int] = mapped_column(Integer, default=0)


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


class Flag(db.Model):  # type: ignore[name-defined,misc]
    """A review flag; kind 'risk' is also the urgent safety signal."""

    __tablename__ = "flag"
    __table_args__ = (Index("ix_flag_client_open", "client_id", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[int] = mapped_column(Integer)  # 4 urgent, 3 high, 2 medium, 1 low
    source: Mapped[str] = mapped_column(String(40), default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    ack_note: Mapped[str] = mapped_column(Text, default="")
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    # When the rule behind an acknowledged flag stopped holding (or its snooze ended): until
    # then the acknowledgement keeps the rule from opening a new flag (REVIEW).
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime)


# At most one open flag per client and rule kind (risk flags may be several: one per source).
Index("uq_flag_open_rule", Flag.client_id, Flag.kind, unique=True,
      sqlite_where=Flag.closed_at.is_(None) & (Flag.kind != "risk"),
      postgresql_where=Flag.closed_at.is_(None) & (Flag.kind != "risk"))


class ReviewState(db.Model):  # type: ignore[name-defined,misc]
    """What the queue shows of a client, kept with their flags by every recompute (REVIEW).

    `due_at` is the first moment a time-based rule could change its answer (the client's
    next local midnight, or a homework deadline passing a day mark); any write to the
    data the rules read deletes the row. The queue recomputes only clients with no row or
    a `due_at` in the past, so opening it costs a few reads, however large the caseload.
    """

    __tablename__ = "review_state"

    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                           primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    program_slug: Mapped[str | None] = mapped_column(String(80))
    week: Mapped[int | None] = mapped_column(Integer)
    homework_done: Mapped[int] = mapped_column(Integer, default=0)
    homework_total: Mapped[int] = mapped_column(Integer, default=0)
    last_activity: Mapped[datetime | None] = mapped_column(DateTime)


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
