"""Review flags: recompute them from the rules, acknowledge them, keep their history.

The rules are pure (icbt.review.rules); snapshots come from batched queries
(icbt.review.snapshots). Recomputing a caseload costs a fixed number of statements:
the snapshot queries, one to load the stored flags, and at most one executemany
each to open, update, close and clear flags, and one to keep each client's ReviewState
(what the queue shows, and when the time-based rules next need a look). Risk flags
(icbt.measures.safety.raise_risk) are never closed here: only a therapist's acknowledgement
closes them. The queue built on these flags is icbt.review.queue.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import Select, Text, bindparam, cast, delete, event, inspect, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from icbt import signals
from icbt.db import db
from icbt.models.care import (
    Enrolment,
    Entry,
    Homework,
    LessonProgress,
    MeasureResponse,
    MoodCheckin,
)
from icbt.models.flags import Flag, ReviewState
from icbt.models.people import User
from icbt.review import snapshots
from icbt.review.lifecycle import FlagPlan, StoredFlag, plan_flags
from icbt.review.rules import RULE_KINDS, ClientSnapshot, Thresholds, evaluate, next_change
from icbt.review.snapshots import ClientInfo
from icbt.timeutil import local_today, utcnow

log = logging.getLogger("icbt.review")


class ReviewError(ValueError):
    """A request the review service refuses, with a message for the person."""


def thresholds() -> Thresholds:
    """The flag thresholds of this clinic (config FLAG_* keys)."""
    return Thresholds.from_config(current_app.config)


def _stored(ids: Select[Any]) -> dict[int, list[StoredFlag]]:
    """Rule flags that still matter: open ones, and acknowledged ones not yet cleared."""
    rows = db.session.connection().execute(
        select(Flag.id, Flag.client_id, Flag.kind, Flag.closed_at, Flag.acknowledged_at,
               Flag.snoozed_until, cast(Flag.evidence, Text).label("evidence"))
        .where(Flag.client_id.in_(ids), Flag.kind.in_(RULE_KINDS),
               or_(Flag.closed_at.is_(None),
                   Flag.acknowledged_at.is_not(None) & Flag.cleared_at.is_(None)))
    ).all()
    out: dict[int, list[StoredFlag]] = {}
    for r in rows:
        out.setdefault(r.client_id, []).append(StoredFlag(
            r.id, r.kind, r.closed_at is None, r.acknowledged_at is not None, r.snoozed_until,
            r.evidence or "{}"))
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


def _upsert() -> Any:
    """INSERT ... ON CONFLICT (client_id) DO UPDATE for review_state, in this dialect."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    t = ReviewState.__table__
    stmt = insert(t)
    # A recompute that started earlier never overwrites one that started later: when a
    # slow batch (the queue, the job) read a client's data just before a write, the
    # writer's own recompute, which starts after its commit, keeps the last word.
    return stmt.on_conflict_do_update(
        index_elements=[t.c.client_id],
        set_={c.name: stmt.excluded[c.name] for c in t.c if c.name != "client_id"},
        where=t.c.checked_at <= stmt.excluded.checked_at)


def _save_states(snaps: list[tuple[ClientInfo, ClientSnapshot]], now: datetime) -> None:
    """Keep what the queue shows of each client, and when their rules need a look again."""
    rows = []
    for _info, s in snaps:
        done, total = snapshots.homework_this_week(s)
        rows.append({"client_id": s.client_id, "checked_at": now, "due_at": next_change(s, now),
                     "program_slug": s.program_slug, "week": s.current_week,
                     "homework_done": done, "homework_total": total,
                     "last_activity": s.last_activity})
    if rows:
        db.session.execute(_upsert(), rows)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a batch builds its (acyclic) rows and snapshots.

    A 10,000-client recompute allocates millions of small objects; the collector then runs
    dozens of full passes over them for nothing (about a quarter of the recompute's time
    in benchmarks/). Reference counting still frees everything; the collector resumes after.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def recompute(ids: Select[Any], now: datetime | None = None
              ) -> list[tuple[ClientInfo, ClientSnapshot]]:
    """Bring the stored flags of every client in `ids` in line with the rules; commit."""
    with _gc_paused():
        return _recompute(ids, now)


def _recompute(ids: Select[Any], now: datetime | None) -> list[tuple[ClientInfo, ClientSnapshot]]:
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
    _save_states(snaps, now)
    db.session.commit()
    return snaps


def stale(ids: Select[Any], now: datetime) -> Select[Any]:
    """The clients in `ids` whose flags need a recompute: never computed, or due by now."""
    rs = ReviewState
    return (select(User.id).outerjoin(rs, rs.client_id == User.id)
            .where(User.id.in_(ids), or_(rs.client_id.is_(None), rs.due_at <= now)))


def refresh(ids: Select[Any], now: datetime | None = None) -> int:
    """Recompute only the clients in `ids` that need it (see ReviewState); return how many.

    When none do, this is one read; otherwise one batched recompute of just those clients.
    """
    now = now or utcnow()
    todo = list(db.session.scalars(stale(ids, now)))
    if not todo:
        return 0
    return len(recompute_retrying(snapshots.caseload(client_ids=todo), now))


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


def refresh_all(now: datetime | None = None) -> int:
    """Recompute the clients whose data changed or whose day moved on (the frequent job)."""
    now = now or utcnow()
    todo = stale(snapshots.caseload(), now)
    if db.session.scalar(select(todo.exists())) is not True:
        db.session.commit()
        return 0
    return len(recompute_retrying(todo, now))


def _on_client_changed(client_id: int) -> None:
    """A writer below committed this client's data (icbt.signals): recompute their flags."""
    recompute_client(client_id)


def init_app(app: Flask) -> None:
    """Recompute a client's flags whenever a writer announces a change (icbt.signals)."""
    signals.client_changed.connect(_on_client_changed)


# --- Keeping ReviewState honest: any change to what the rules read makes it stale ----------

WATCHED = (MoodCheckin, MeasureResponse, Entry, Homework, LessonProgress, Enrolment)
WATCHED_USER = ("status", "timezone", "therapist_id", "role")


def _touched_clients(session: Session) -> set[int]:
    ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, WATCHED):
            cid = getattr(obj, "client_id", None)
            if cid is not None:
                ids.add(cid)
        elif isinstance(obj, User) and obj.id is not None:
            state = inspect(obj)
            if any(state.attrs[a].history.has_changes() for a in WATCHED_USER):
                ids.add(obj.id)
    return ids


@event.listens_for(Session, "after_flush")
def _forget_states(session: Session, _context: Any) -> None:
    """Delete the ReviewState of every client whose rule inputs this flush wrote.

    Writers also announce the change after their commit (icbt.signals); this makes sure a
    writer that does not (an import, a script, a new feature) cannot leave the queue showing
    old facts: the next queue load or the frequent job recomputes those clients.
    """
    ids = _touched_clients(session)
    if ids:
        session.connection().execute(
            delete(ReviewState).where(ReviewState.client_id.in_(sorted(ids))))


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
