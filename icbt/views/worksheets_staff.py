"""Therapist views of worksheet entries, and the template helpers other pages include.

The routes are registered on the worksheets blueprint (icbt/views/worksheets.py).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from icbt import audit
from icbt.db import db
from icbt.models.care import Entry
from icbt.models.people import User
from icbt.programs import registry
from icbt.timeutil import to_local
from icbt.views.access import client_or_404, owned_or_404, roles_required
from icbt.worksheets import entries as svc


@roles_required("therapist")
def staff_entry(client_id: int, entry_id: int) -> str:
    """One entry of a client, for their assigned therapist (audited)."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.client_id != client_id or entry.deleted_at is not None:
        entry = None
    entry = owned_or_404(entry, target=f"entry:{entry_id}")
    client = db.session.get(User, entry.client_id)
    assert client is not None
    return render_template("worksheets/staff_detail.html", entry=entry, client=client,
                           ws=registry.get(entry.kind), replies=svc.replies(entry),
                           settings=svc.program_settings(client),
                           summary=svc.summary_of(entry),
                           local=lambda t: to_local(t, client.timezone), staff=True)


@roles_required("therapist")
def staff_entries(client_id: int) -> str:
    """All of a client's entries with their summaries, for their therapist (audited)."""
    client = client_or_404(client_id, target="entries")
    rows, total = svc.list_entries(client, limit=200)
    return render_template("worksheets/staff_list.html", client=client, rows=rows, total=total,
                           get=registry.get, summary=svc.summary_of,
                           local=lambda t: to_local(t, client.timezone))


@roles_required("therapist")
def staff_medication_log(client_id: int) -> Response:
    """Switch a client's medication log on or off."""
    client = client_or_404(client_id, target="medication_log", audit_view=False)
    on = request.form.get("on") == "1"
    svc.set_medication_log(client, on)
    audit.record("change", actor_id=current_user.id, client_id=client.id,
                 target="medication_log", ip=request.remote_addr or "",
                 detail="on" if on else "off")
    db.session.commit()
    flash(_("The medication log is now switched on for this client.") if on else
          _("The medication log is now switched off for this client."), "success")
    if "staff.client_overview" in _view_functions():
        return redirect(url_for("staff.client_overview", client_id=client.id))
    return redirect(url_for("worksheets.staff_entries", client_id=client.id))


def _view_functions() -> Any:
    """The app's endpoints (to link only to pages that exist)."""
    from flask import current_app

    return current_app.view_functions


# (rule, endpoint, view, methods) for the worksheets blueprint.
ROUTES: list[tuple[str, str, Any, list[str]]] = [
    ("/staff/clients/<int:client_id>/entries/<int:entry_id>", "staff_entry", staff_entry,
     ["GET"]),
    ("/staff/clients/<int:client_id>/entries", "staff_entries", staff_entries, ["GET"]),
    ("/staff/clients/<int:client_id>/medication-log", "staff_medication_log",
     staff_medication_log, ["POST"]),
]


def worksheet_panel(client: User) -> dict[str, Any]:
    """What the therapist overview shows of a client's worksheets (a Jinja global)."""
    if not isinstance(client, User):
        abort(404)
    items = []
    for entry in svc.recent_entries(client.id, limit=8):
        ws = registry.get(entry.kind)
        items.append({
            "entry": entry, "title": str(ws.title) if ws else entry.kind,
            "summary": svc.summary_of(entry),
            "when": to_local(entry.created_at, client.timezone),
            "url": url_for("worksheets.staff_entry", client_id=client.id, entry_id=entry.id),
            "reply_url": (url_for("messages.staff_thread", client_id=client.id, entry=entry.id)
                          if "messages.staff_thread" in _view_functions() else None),
        })
    return {"items": items, "medication_log": bool((client.prefs or {}).get("medication_log")),
            "all_url": url_for("worksheets.staff_entries", client_id=client.id)}


def worksheet_embed(worksheet: Any, homework: Any = None, preview: bool = False) -> dict[str, Any]:
    """What a lesson shows of an embedded worksheet (a Jinja global for _embed.html)."""
    start_url = None
    if not preview and worksheet is not None:
        start_url = url_for("worksheets.new", kind=worksheet.key,
                            homework=getattr(homework, "id", None))
    sections = []
    if worksheet is not None:
        try:
            sections = list(worksheet.sections())
        except Exception:  # noqa: BLE001 - a broken definition must not break the lesson
            sections = []
    return {"start_url": start_url, "sections": sections}
