"""The retention job: remove operational rows older than the configured number of days.

RETENTION (config) maps a table to days, e.g. {"outbox_message": 90,
"login_attempt": 30, "pending_submission": 2, "token": 30}. RULES says, for each
table that may be named there, which time column counts and which rows are never
removed (an email still waiting to be sent). The audit log is not in RULES: it is
append-only (the database refuses deletes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from icbt.db import db
from icbt.timeutil import utcnow

log = logging.getLogger("icbt.retention")


@dataclass(frozen=True)
class Rule:
    """Rows of `table` whose `column` is older than the limit go, unless `keep` says not."""

    table: str
    column: str
    keep: Callable[[sa.Table], Any] | None = None  # a SQL condition for rows to keep


RULES: dict[str, Rule] = {
    "outbox_message": Rule("outbox_message", "created_at",
                           keep=lambda t: t.c.status.in_(("queued", "sending"))),
    "login_attempt": Rule("login_attempt", "at"),
    "pending_submission": Rule("pending_submission", "created_at"),
    "token": Rule("token", "expires_at"),  # counted from when the link stopped working
    "draft": Rule("draft", "updated_at"),  # not on by default: unfinished work is kept
}


def check(config: dict[str, int]) -> list[str]:
    """List what is wrong with a RETENTION setting (empty when fine)."""
    problems = []
    for name, days in config.items():
        if name == "audit_event":
            problems.append("audit_event is append-only and cannot have a retention rule")
        elif name not in RULES:
            problems.append(f"no retention rule for table {name!r} (known: {', '.join(RULES)})")
        elif not isinstance(days, int) or isinstance(days, bool) or days < 1:
            problems.append(f"retention for {name} must be a whole number of days, at least 1")
    return problems


def apply_retention(now: datetime | None = None) -> dict[str, int]:
    """Delete rows past their retention period; return how many per table. Safe to run twice."""
    now = now or utcnow()
    config: dict[str, int] = dict(current_app.config.get("RETENTION") or {})
    problems = check(config)
    if problems:
        raise ValueError("RETENTION: " + "; ".join(problems))
    removed: dict[str, int] = {}
    for name, days in sorted(config.items()):
        rule = RULES[name]
        t = db.metadata.tables[rule.table]
        stmt = sa.delete(t).where(t.c[rule.column] < now - timedelta(days=days))
        if rule.keep is not None:
            stmt = stmt.where(sa.not_(rule.keep(t)))
        removed[name] = int(db.session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]
    db.session.commit()
    if any(removed.values()):
        log.info("retention removed %s", removed)
    return removed
