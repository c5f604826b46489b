"""The therapist's review queue: clients by their most severe open flag, then how long open.

`queue` reads the stored flags and each client's ReviewState, after recomputing only the
clients whose data changed or whose day moved on (icbt.review.refresh: usually none, as
writers and the frequent job keep them fresh); a fixed number of statements either way.
`queue_as_of` computes it from stored history without writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from sqlalchemy import or_, select

from icbt.db import db
from icbt.messaging.messages import unread_by_client
from icbt.models.flags import Flag, ReviewState
from icbt.models.people import User
from icbt.programs import store
from icbt.review import snapshots
from icbt.review.flags import refresh, thresholds
from icbt.review.rules import KINDS, ClientSnapshot, evaluate
from icbt.review.snapshots import ClientInfo
from icbt.review.words import Words, evidence_numbers, evidence_words
from icbt.timeutil import to_local, utcnow


@dataclass(frozen=True)
class FlagView:
    """An open flag as the queue shows it."""

    kind: str
    severity: int
    since: datetime
    words: list[str]
    numbers: Any
    id: int | None = None


@dataclass
class QueueRow:
    """One client in the queue."""

    client: ClientInfo
    flags: list[FlagView]
    program: str
    week: int | None
    homework_done: int
    homework_total: int
    last_activity: datetime | None
    unread: int = 0

    @property
    def top(self) -> FlagView | None:
        """The most severe flag, the longest open first among equals."""
        return min(self.flags, key=lambda f: (-f.severity, f.since)) if self.flags else None

    def sort_key(self) -> tuple[Any, ...]:
        """Most severe open flag first, then the longest open, then by name."""
        top = self.top
        if top is None:
            return (1, 0, datetime.max, self.client.display_name.lower(), self.client.id)
        return (0, -top.severity, top.since, self.client.display_name.lower(), self.client.id)


@dataclass
class Queue:
    """The rows (filtered), and counts over the whole caseload."""

    rows: list[QueueRow]
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0
    flagged: int = 0
    unread: int = 0


def _program_title(slug: str | None) -> str:
    """The program's title from the content store, or its slug."""
    if not slug:
        return ""
    try:
        program = store.store().get_program(slug)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - content not loaded (or not built yet): show the slug
        program = None
    return str(getattr(program, "title", "") or slug)


def _row(info: ClientInfo, s: ClientSnapshot, flags: list[FlagView], unread: int) -> QueueRow:
    done, total = snapshots.homework_this_week(s)
    return QueueRow(info, sorted(flags, key=lambda f: (-f.severity, f.since)),
                    _program_title(s.program_slug), s.current_week, done, total,
                    s.last_activity, unread)


def _finish(rows: list[QueueRow], kind: str | None) -> Queue:
    counts = {k: sum(1 for r in rows if any(f.kind == k for f in r.flags)) for k in KINDS}
    q = Queue(rows=[], counts=counts, total=len(rows), flagged=sum(1 for r in rows if r.flags),
              unread=sum(r.unread for r in rows))
    chosen = [r for r in rows if kind is None or any(f.kind == kind for f in r.flags)]
    q.rows = sorted(chosen, key=QueueRow.sort_key)
    return q


def _view(flag: Any, w: Words | None = None) -> FlagView:
    """A Flag (or a row with its columns) as the queue shows it."""
    return FlagView(flag.kind, flag.severity, flag.opened_at,
                    evidence_words(flag.kind, flag.source, flag.evidence, w),
                    evidence_numbers(flag.evidence), flag.id)


def queue(therapist_id: int, kind: str | None = None, now: datetime | None = None) -> Queue:
    """A therapist's clients (discharged ones left out), flags fresh, most urgent first."""
    now = now or utcnow()
    ids = snapshots.caseload(therapist_id=therapist_id, include_discharged=False)
    refresh(ids, now)
    open_flags: dict[int, list[FlagView]] = {}
    w = Words()  # one language lookup for every flag on the page
    f = Flag
    for row in db.session.connection().execute(  # plain rows: no ORM objects to build
            select(f.id, f.client_id, f.kind, f.severity, f.source, f.evidence, f.opened_at)
            .where(f.client_id.in_(ids), f.closed_at.is_(None))):
        open_flags.setdefault(row.client_id, []).append(_view(row, w))
    unread = unread_by_client(ids)
    u, rs = User, ReviewState
    titles: dict[str | None, str] = {}
    rows = []
    for r in db.session.connection().execute(
            select(u.id, u.name, u.email, u.timezone, u.status, u.therapist_id,
                   rs.program_slug, rs.week, rs.homework_done, rs.homework_total,
                   rs.last_activity)
            .outerjoin(rs, rs.client_id == u.id).where(u.id.in_(ids))):
        if r.program_slug not in titles:
            titles[r.program_slug] = _program_title(r.program_slug)
        flags = sorted(open_flags.get(r.id, []), key=lambda f: (-f.severity, f.since))
        rows.append(QueueRow(
            ClientInfo(r.id, r.name, r.email, r.timezone, r.status, r.therapist_id), flags,
            titles[r.program_slug], r.week, r.homework_done or 0, r.homework_total or 0,
            r.last_activity, unread.get(r.id, 0)))
    return _finish(rows, kind)


def queue_as_of(therapist_id: int | None, as_of: datetime, kind: str | None = None) -> Queue:
    """The queue as the stored history says it was at `as_of` (nothing is written)."""
    th = thresholds()
    ids = snapshots.caseload(therapist_id=therapist_id, include_discharged=False)
    snaps = snapshots.build(ids, as_of, th, as_of=as_of)
    risk: dict[int, list[FlagView]] = {}
    for flag in db.session.scalars(select(Flag).where(
            Flag.client_id.in_(ids), Flag.kind == "risk", Flag.opened_at < as_of,
            or_(Flag.closed_at.is_(None), Flag.closed_at >= as_of))):
        risk.setdefault(flag.client_id, []).append(_view(flag))
    rows = []
    for info, s in snaps:
        flags = list(risk.get(info.id, []))
        for r in evaluate(s, as_of, th):
            flags.append(FlagView(r.kind, r.severity, datetime.combine(r.since, time()),
                                  evidence_words(r.kind, "rule", r.evidence),
                                  evidence_numbers(r.evidence)))
        rows.append(_row(info, s, flags, 0))
    return _finish(rows, kind)


def queue_json(q: Queue, tz: str | None = None) -> list[dict[str, Any]]:
    """The queue as plain data: each client with their open flags in words and numbers."""
    out = []
    for r in q.rows:
        out.append({
            "client_id": r.client.id, "name": r.client.display_name, "status": r.client.status,
            "program": r.program, "week": r.week,
            "homework_this_week": {"done": r.homework_done, "asked": r.homework_total},
            "last_activity": r.last_activity.isoformat() if r.last_activity else None,
            "flags": [{"kind": f.kind, "severity": f.severity,
                       "since": to_local(f.since, tz).date().isoformat() if tz else
                       f.since.date().isoformat(),
                       "evidence": {"words": f.words, "numbers": f.numbers}} for f in r.flags],
        })
    return out
