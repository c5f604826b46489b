"""People: accounts, sign-in tokens and attempts, forms kept across a sign-in, consents.

Every timestamp is naive UTC; every date a client sees is local."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icbt.db import db
from icbt.timeutil import utcnow

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
    # The language pages and emails use (a code such as "de"); None: the clinic's default.
    language: Mapped[str | None] = mapped_column(String(16))
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
        # Translators: the greeting's name for someone whose name we do not know ("Hello there").
        return (self.name or "").split(" ")[0] or gettext("there")

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


class Consent(db.Model):  # type: ignore[name-defined,misc]
    """A client agreed to a version of the privacy notice, at this time (one row each time)."""

    __tablename__ = "consent"
    __table_args__ = (Index("ix_consent_client_agreed", "client_id", "agreed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(40))
    # sha256 of the notice's text as shown, so the exact wording agreed to can be proved.
    notice_sha256: Mapped[str] = mapped_column(String(64), default="")
    agreed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
