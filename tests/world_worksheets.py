"""WORKSHEETS objects for the access world: entries (live, to delete, in the trash) and a draft."""

from __future__ import annotations

from typing import Any

import world
from flask import Flask

from icbt.models.people import User


@world.builder
def worksheets_world(app: Flask, people: dict[str, User]) -> dict[str, Any]:
    """Give people["client"] a journal entry, one to delete, one in the trash, and a draft."""
    from icbt.db import db
    from icbt.programs import registry
    from icbt.worksheets import drafts
    from icbt.worksheets import entries as svc

    ids = {}
    with app.test_request_context():
        client = db.session.get(User, people["client"].id)
        assert client is not None
        journal = registry.get("journal")
        assert journal is not None
        for name in ("ws_entry_id", "ws_delete_entry_id", "ws_trashed_entry_id"):
            saved = svc.create_entry(client, journal, {"text": f"World entry {name}", "mood": "5"},
                                     submission_key=None)
            assert saved.entry is not None, saved.parsed.errors
            ids[name] = saved.entry.id
        trashed = svc.get_entry(client, ids["ws_trashed_entry_id"])
        assert trashed is not None
        svc.delete_entry(trashed)
        drafts.save_draft(client, "thought_record", drafts.draft_slot("thought_record"),
                          {"what": "A world draft"})
    return {**ids, "ws_kind": "journal"}
