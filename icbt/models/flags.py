"""Review flags and each client's ReviewState (what the queue shows).

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
)
from sqlalchemy.orm import Mapped, mapped_column

from icbt.db import db
from icbt.timeutil import utcnow


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
