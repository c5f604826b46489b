"""Worksheet drafts: one per client and slot (a new entry of a kind, or the edit of one entry).

A draft keeps the raw form values exactly as typed (even answers that do not pass
the checks yet), so leaving and coming back shows every word again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from icbt.db import db
from icbt.models.care import Draft
from icbt.models.people import User
from icbt.modules.fields import FormValues
from icbt.modules.formvalues import values_from_form
from icbt.timeutil import utcnow

DRAFT_MAX_BYTES = 200_000


def draft_slot(kind: str, entry_id: int | None = None) -> str:
    """The slot of a draft: a new entry of a kind, or the edit of one entry."""
    return f"edit:{entry_id}" if entry_id else f"new:{kind}"[:120]


def load_draft(client: User, slot: str) -> Draft | None:
    """The client's draft in this slot, if any."""
    return db.session.scalar(select(Draft).where(Draft.client_id == client.id,
                                                 Draft.slot == slot))


def save_draft(client: User, kind: str, slot: str, form: Mapping[str, Any],
               homework_id: int | None = None) -> Draft | None:
    """Keep what is typed so far (as raw form values); None when it is too big to keep."""
    values: FormValues = values_from_form(form)
    if homework_id:
        values["__homework"] = str(homework_id)
    size = sum(len(v) if isinstance(v, str) else sum(len(x) for x in v) for v in values.values())
    if size > DRAFT_MAX_BYTES:
        return None
    for attempt in range(2):
        draft = load_draft(client, slot)
        if draft is None:
            draft = Draft(client_id=client.id, slot=slot, kind=kind)
            db.session.add(draft)
        draft.data = values
        draft.kind = kind
        draft.updated_at = utcnow()
        try:
            db.session.commit()
            return draft
        except IntegrityError:
            # Two autosaves created the slot at once; the second becomes an update.
            db.session.rollback()
            if attempt:
                raise
    return None


def drop_draft(client: User, slot: str) -> None:
    """Delete the draft in a slot inside the caller's transaction."""
    db.session.execute(delete(Draft).where(Draft.client_id == client.id, Draft.slot == slot)
                       .execution_options(synchronize_session=False))


def discard_draft(client: User, slot: str) -> None:
    """Throw away the draft in a slot."""
    drop_draft(client, slot)
    db.session.commit()


def drafts_of(client: User) -> list[Draft]:
    """All of a client's drafts, newest first."""
    return list(db.session.scalars(select(Draft).where(Draft.client_id == client.id)
                                   .order_by(Draft.updated_at.desc())).all())
