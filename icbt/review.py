"""Review flags: recompute them from the rules, acknowledge them, keep their history.

The rules are pure (icbt.review_rules); snapshots come from batched queries
(icbt.review_snapshots). Recomputing a caseload costs a fixed number of statements:
the snapshot queries, one to load the stored flags, and at most one executemany
each to open, update, close and clear flags. Risk flags (icbt.safety.raise_risk) are
never closed here: only a therapist's acknowledgement closes them. The queue built on
these flags is icbt.review_queue.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.exc import IntegrityError

from . import review_snapshots as snapshots
from .db import db, utcnow
from .models import Flag, User
from .review_lifecycle import FlagPlan, StoredFlag, plan_flags
from .review_rules import RULE_KINDS, ClientSnapshot, Thresholds, evaluate
from .review_snapshots import ClientInfo
from .timeutil import local_today

log = logging.getLogger("icbt.review")


class ReviewError(ValueError):
    """A request the review service refuses, with a message for the person."""


def thresholds() -> Thresholds:
    """The flag thresholds of this clinic (config FLAG_* keys)."""
    return Thresholds.from_config(current_app.config)


def _stored(ids: Select[Any]) -> dict[int, list[StoredFlag]]:
    """Rule flags that still matter: open ones, and acknowledged ones not yet cleared."""
    rows = db.session.execute(
        select(Flag.id, Flag.client_id, Flag.kind, Flag.closed_at, Flag.acknowledged_at,
               Flag.snoozed_until, Flag.evidence)
        .where(Flag.client_id.in_(ids), Flag.kind.in_(RULE_KINDS),
               or_(Flag.closed_at.is_(None),
                   Flag.acknowledged_at.is_not(None) & Flag.cleared_at.is_(None)))
    ).all()
    out: dict[int, list[StoredFlag]] = {}
    for r in rows:
        out.setdefault(r.client_id, []).append(StoredFlag(
            r.id, r.kind, r.closed_at is None, r.acknowledged_at is not None, r.snoozed_until,
            r.evidence or {}))
    return out


def _apply(plans: dict[int, FlagPlan], now: datetime) -> None:
    """Write every client's plan with at most one executemany per kind of change."""
    t = Flag.__table__
    inserts = []
    for client_id, plan in plans.items():
        for r in plan.to_open:
            # "reopened": the rule still held when the therapist's snooze ran out.
            source = "reopened" if r.kind in plan.reopened_after else "rule"
            inserts.append({"client_id": client_id, "kind": r.kind, "severity": r.severity,
                            "source": source, "evidence": r.evidence, "opened_at": now,
                            "ack_note": ""})
    updates = [{"fid": fid, "ev": ev} for p in plans.values() for fid, ev in p.to_update]
    closes = [{"fid": fid} for p in plans.values() for fid in p.to_close]
    clears = [{"fid": fid} for p in plans.values() for fid in p.to_clear]
    if inserts:
        db.session.execute(t.insert(), inserts)
    if updates:
        db.session.execute(t.update().where(t.c.id == bindparam("fid"))
                           .values(evidence=bindparam("ev")), updates)
    if closes:
        db.session.execute(t.update().where(t.c.id == bindparam("fid"), t.c.closed_at.is_(None))
                           .values(closed_at=now, cleared_at=now), closes)
    if clears:
        db.session.execute(t.update().where(t.c.id == bindparam("fid"))
                           .values(cleared_at=now), clears)


def recompute(ids: Select[Any], now: datetime | None = None
              ) -> list[tuple[ClientInfo, ClientSnapshot]]:
    """Bring the stored flags of every client in `ids` in line with the rules; commit."""
    now = now or utcnow()
    th = thresholds()
    snaps = snapshots.build(ids, now, th)
    stored = _stored(ids)
    plans = {}
    for _info, s in snaps:
        results = evaluate(s, now, th)
        plans[s.client_id] = plan_flags(results, stored.get(s.client_id, []),
                                        local_today(s.timezone, now))
    _apply(plans, now)
    db.session.commit()
    return snaps


def recompute_retrying(ids: Select[Any], now: datetime | None) -> list[Any]:
    """Recompute; if another process opened the same flag first, start again once."""
    try:
        return recompute(ids, now)
    except IntegrityError:
        db.session.rollback()
        log.info("flag recompute raced another writer; retrying")
        return recompute(ids, now)


def recompute_client(client_id: int) -> None:
    """Recompute one client's flags after their data changed (call after your commit)."""
    recompute_retrying(snapshots.caseload(client_ids=[client_id]), None)


def recompute_all(now: datetime | None = None) -> int:
    """Recompute every client's flags (the nightly job); return how many clients."""
    return len(recompute_retrying(snapshots.caseload(), now))


def acknowledge(flag: Flag, by: User, note: str, snooze_until: date | None = None,
                now: datetime | None = None) -> Flag:
    """Close a flag with the therapist's note; a rule flag may be snoozed until a date."""
    now = now or utcnow()
    note = (note or "").strip()
    if not note:
        raise ReviewError(_("Please write a short note about what you did."))
    if flag.closed_at is not None:
        raise ReviewError(_("This flag is already closed."))
    if snooze_until is not None:
        if flag.kind == "risk":
            raise ReviewError(_("An urgent flag cannot be snoozed."))
        client = db.session.get(User, flag.client_id)
        if snooze_until <= local_today(client.timezone if client else None, now):
            raise ReviewError(_("Choose a date after today, or leave it empty."))
    flag.acknowledged_at = now
    flag.acknowledged_by = by.id
    flag.ack_note = note[:2000]
    flag.snoozed_until = snooze_until
    flag.closed_at = now
    db.session.commit()
    return flag


def history(client_id: int) -> list[Flag]:
    """Every flag a client ever had, newest first."""
    return list(db.session.scalars(select(Flag).where(Flag.client_id == client_id)
                                   .order_by(Flag.opened_at.desc(), Flag.id.desc())))
