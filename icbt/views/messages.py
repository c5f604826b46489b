"""Secure messages: the client's thread with their therapist, and the therapist's side."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from icbt import audit
from icbt.db import db
from icbt.messaging import messages
from icbt.models.care import Entry
from icbt.models.people import User
from icbt.programs import registry
from icbt.views.access import client_or_404, roles_required
from icbt.views.review_forms import MessageForm

bp = Blueprint("messages", __name__)


@bp.app_template_global()
def message_card(client: User) -> dict[str, Any]:
    """What the client's home card shows: unread messages from their therapist."""
    return {"unread": messages.unread_count(client.id, client)}


def _entry_for(client: User, raw: Any) -> Entry | None:
    """The client's own, not deleted entry with this id, or None."""
    try:
        entry_id = int(raw)
    except (TypeError, ValueError):
        return None
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.client_id != client.id or entry.deleted_at is not None:
        return None
    return entry


def _entry_title(entry: Entry | None) -> str:
    if entry is None:
        return ""
    ws = registry.get(entry.kind)
    return str(getattr(ws, "title", "") or entry.kind.replace("_", " ").capitalize())


def _thread_page(client: User, form: MessageForm, template: str, entry: Entry | None) -> str:
    msgs = messages.thread(client.id)
    entry_ids = {m.entry_id for m in msgs if m.entry_id}
    titles = {e.id: _entry_title(e) for e in db.session.scalars(
        select(Entry).where(Entry.id.in_(entry_ids)))} if entry_ids else {}
    return render_template(template, client=client, form=form, msgs=msgs, entry=entry,
                           entry_title=_entry_title(entry), titles=titles,
                           read_only=client.status == "discharged")


@bp.route("/messages", methods=["GET", "POST"])
@roles_required("client")
def client_thread() -> Response | str:
    """The client's messages with their therapist."""
    client = client_or_404(current_user.id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            messages.send(client, client, form.body.data or "")
        except messages.MessageError as exc:
            form.body.errors = [str(exc)]
        else:
            flash(_("Message sent."), "success")
            return redirect(url_for("messages.client_thread"))
    if request.method == "GET":
        messages.mark_read(client.id, client)
    return _thread_page(client, form, "messages/client_thread.html", None)


@bp.route("/staff/clients/<int:client_id>/messages", methods=["GET", "POST"])
@roles_required("therapist")
def staff_thread(client_id: int) -> Response | str:
    """The therapist's thread with one client; `?entry=ID` replies about a worksheet entry."""
    client = client_or_404(client_id, target="messages")
    form = MessageForm()
    entry = _entry_for(client, form.entry_id.data if request.method == "POST"
                       else request.args.get("entry"))
    if request.method == "GET" and entry is not None:
        form.entry_id.data = str(entry.id)
    if form.validate_on_submit():
        if form.entry_id.data and entry is None:
            form.body.errors = [_("That worksheet entry is not available.")]
        else:
            try:
                messages.send(client, current_user, form.body.data or "",
                              entry.id if entry else None)
            except messages.MessageError as exc:
                form.body.errors = [str(exc)]
            else:
                audit.record("create", actor_id=current_user.id, client_id=client.id,
                             target="message", ip=request.remote_addr or "")
                db.session.commit()
                flash(_("Message sent."), "success")
                return redirect(url_for("messages.staff_thread", client_id=client.id))
    if request.method == "GET":
        messages.mark_read(client.id, current_user)
    return _thread_page(client, form, "messages/staff_thread.html", entry)
