"""Worksheet entries and drafts: create (idempotent), edit, trash, restore, purge, list.

Services over icbt/modules: they take models and plain data, own the commit and
never touch the request. Every write that changes what a therapist sees ends
with `signals.client_data_changed` (icbt.review recomputes the flags).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from icbt import signals
from icbt.db import db
from icbt.models.care import Enrolment, Entry, Homework, Message
from icbt.models.people import User
from icbt.modules.base import Worksheet
from icbt.modules.fields import Parsed
from icbt.programs import registry, store
from icbt.timeutil import local_midnight_utc, utcnow
from icbt.worksheets.drafts import (
    draft_slot,
    drop_draft,
)

TRASH_DAYS = 30
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,48}$")


@dataclass
class Saved:
    """The outcome of a create or edit: the entry when stored, else the parse with messages."""

    parsed: Parsed
    entry: Entry | None = None
    duplicate: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def new_submission_key() -> str:
    """A random key rendered into each form so that a retried post is recognised."""
    return secrets.token_urlsafe(24)


def usable_key(key: Any) -> bool:
    """Whether a posted submission key has the shape of one we rendered."""
    return isinstance(key, str) and bool(_KEY_RE.match(key))


def _stored_key(client: User, key: str | None) -> str | None:
    """The key as stored (scoped to the client), or None when the posted one is unusable."""
    return f"{client.id}:{key}" if usable_key(key) else None


def current_program(client: User) -> str | None:
    """The slug of the client's current (not ended) program, if any."""
    return db.session.scalar(
        select(Enrolment.program_slug).where(Enrolment.client_id == client.id,
                                             Enrolment.status != "ended")
        .order_by(Enrolment.created_at.desc(), Enrolment.id.desc()).limit(1))


def program_settings(client: User) -> dict[str, Any]:
    """The settings of the client's current program (empty when none or content not loaded)."""
    slug = current_program(client)
    if not slug:
        return {}
    try:
        program = store.store().get_program(slug)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - no content store yet: built-in defaults apply
        return {}
    settings = getattr(program, "settings", None) if program is not None else None
    return dict(settings) if isinstance(settings, Mapping) else {}


def available(client: User) -> list[Worksheet]:
    """The worksheets this client may start (opt-in ones only when switched on)."""
    settings = program_settings(client)
    prefs = client.prefs or {}
    slug = current_program(client)
    # Designer-defined worksheets belong to a program: offer only the client's own program's.
    return [ws for ws in registry.all_worksheets().values()
            if ws.enabled_for(prefs, settings)
            and (ws.source == "builtin" or (slug and ws.source.startswith(f"{slug}/")))]


def worksheet_for(client: User, kind: str | None) -> Worksheet | None:
    """The worksheet of this kind if it exists and the client may use it."""
    ws = registry.get(kind)
    if ws is None or not ws.enabled_for(client.prefs or {}, program_settings(client)):
        return None
    return ws


def set_medication_log(client: User, on: bool) -> None:
    """Switch the medication log on or off for one client."""
    prefs = dict(client.prefs or {})
    prefs["medication_log"] = bool(on)
    client.prefs = prefs
    db.session.commit()


def homework_for(client: User, homework_id: Any, kind: str) -> Homework | None:
    """The homework with this id if it is the client's and asks for this worksheet, else None."""
    try:
        hid = int(str(homework_id)[:12])
    except (TypeError, ValueError):
        return None
    hw = db.session.get(Homework, hid)
    if hw is None or hw.client_id != client.id or hw.worksheet != kind:
        return None
    return hw


def create_entry(client: User, ws: Worksheet, form: Mapping[str, Any], *,
                 submission_key: str | None, homework_id: Any = None,
                 settings: Mapping[str, Any] | None = None) -> Saved:
    """Store a new entry from a post; the same submission key never makes a second entry."""
    key = _stored_key(client, submission_key)
    parsed = ws.parse(form, settings if settings is not None else program_settings(client))
    if key is not None:
        existing = db.session.scalar(select(Entry).where(Entry.submission_key == key))
        if existing is not None:
            if parsed.ok and parsed.data == existing.data:
                return Saved(Parsed(data=dict(existing.data)), existing, duplicate=True)
            # Same key, different words (a stale page sent again after changes): keep both.
            key = None if parsed.ok else key
    if not parsed.ok:
        return Saved(parsed)
    hw = homework_for(client, homework_id, ws.key) if homework_id not in (None, "") else None
    now = utcnow()
    entry = Entry(client_id=client.id, kind=ws.key, schema_version=ws.schema_version,
                  data=parsed.data, homework_id=hw.id if hw else None, submission_key=key,
                  created_at=now, updated_at=now)
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:
        # Two copies of one post raced; the other one won, so return its entry.
        db.session.rollback()
        existing = db.session.scalar(select(Entry).where(Entry.submission_key == key))
        if existing is None:
            raise
        return Saved(Parsed(data=dict(existing.data)), existing, duplicate=True)
    drop_draft(client, draft_slot(ws.key))
    db.session.commit()
    signals.client_data_changed(client.id)
    return Saved(parsed, entry)


def update_entry(entry: Entry, ws: Worksheet, form: Mapping[str, Any],
                 settings: Mapping[str, Any] | None = None) -> Saved:
    """Replace an entry's answers from a post (kept unchanged when the post has errors)."""
    client = db.session.get(User, entry.client_id)
    assert client is not None
    parsed = ws.parse(form, settings if settings is not None else program_settings(client))
    if not parsed.ok:
        return Saved(parsed)
    entry.data = parsed.data
    entry.schema_version = ws.schema_version
    entry.updated_at = utcnow()
    drop_draft(client, draft_slot(ws.key, entry.id))
    db.session.commit()
    signals.client_data_changed(entry.client_id)
    return Saved(parsed, entry)


def get_entry(client: User, entry_id: int, *, deleted: bool = False) -> Entry | None:
    """The client's entry by id (in the trash when deleted=True), else None."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.client_id != client.id:
        return None
    if (entry.deleted_at is not None) != deleted:
        return None
    return entry


def delete_entry(entry: Entry) -> None:
    """Move an entry to the trash (restorable for TRASH_DAYS days)."""
    if entry.deleted_at is None:
        entry.deleted_at = utcnow()
        db.session.commit()
        signals.client_data_changed(entry.client_id)


def restorable(entry: Entry, now: datetime | None = None) -> bool:
    """Whether a trashed entry can still be restored."""
    if entry.deleted_at is None:
        return False
    return (now or utcnow()) - entry.deleted_at < timedelta(days=TRASH_DAYS)


def restore_entry(entry: Entry) -> bool:
    """Take an entry out of the trash if it is within TRASH_DAYS days; return whether it was."""
    if not restorable(entry):
        return False
    entry.deleted_at = None
    db.session.commit()
    signals.client_data_changed(entry.client_id)
    return True


def purge_deleted(now: datetime | None = None) -> int:
    """Delete for good the entries trashed more than TRASH_DAYS days ago (a scheduled job)."""
    cutoff = (now or utcnow()) - timedelta(days=TRASH_DAYS)
    result = db.session.execute(
        delete(Entry).where(Entry.deleted_at.is_not(None), Entry.deleted_at <= cutoff)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def list_entries(client: User, *, kind: str | None = None, start: date | None = None,
                 end: date | None = None, deleted: bool = False, limit: int = 50,
                 offset: int = 0) -> tuple[list[Entry], int]:
    """The client's entries, newest first, filtered by kind and local date range; and the count."""
    query = select(Entry).where(Entry.client_id == client.id)
    query = query.where(Entry.deleted_at.is_not(None) if deleted else Entry.deleted_at.is_(None))
    if kind:
        query = query.where(Entry.kind == kind)
    if start:
        query = query.where(Entry.created_at >= local_midnight_utc(start, client.timezone))
    if end:
        query = query.where(Entry.created_at < local_midnight_utc(end + timedelta(days=1),
                                                                   client.timezone))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(Entry.created_at.desc(), Entry.id.desc())
                              .limit(limit).offset(offset)).all()
    return list(rows), int(total)


def kinds_used(client: User) -> list[str]:
    """The worksheet kinds the client has entries of."""
    return list(db.session.scalars(select(Entry.kind).where(Entry.client_id == client.id)
                                   .distinct()).all())


def recent_entries(client_id: int, limit: int = 8) -> list[Entry]:
    """The latest entries of a client, for the therapist's overview."""
    return list(db.session.scalars(
        select(Entry).where(Entry.client_id == client_id, Entry.deleted_at.is_(None))
        .order_by(Entry.created_at.desc(), Entry.id.desc()).limit(limit)).all())


def replies(entry: Entry) -> list[Message]:
    """Messages written about this entry (therapist replies), oldest first."""
    return list(db.session.scalars(
        select(Message).where(Message.entry_id == entry.id, Message.client_id == entry.client_id)
        .order_by(Message.created_at)).all())


def summary_of(entry: Entry) -> str:
    """The therapist summary of an entry ('' if its worksheet is no longer known)."""
    ws = registry.get(entry.kind)
    if ws is None:
        return ""
    try:
        return ws.summary(entry.data or {})
    except Exception:  # noqa: BLE001 - old or odd data must not break the overview
        return ""
