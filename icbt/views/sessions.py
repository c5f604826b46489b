"""Live sessions: schedule them and keep notes, and the printable session brief."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from icbt import audit
from icbt.db import db
from icbt.models.care import LiveSession
from icbt.models.people import User
from icbt.review import brief, flags, live_sessions
from icbt.timeutil import to_local
from icbt.views.access import client_or_404, owned_or_404, roles_required
from icbt.views.review_forms import SessionForm

bp = Blueprint("sessions", __name__)


@bp.app_template_global()
def next_live_session(client: User) -> dict[str, Any]:
    """The client's next live session, for the home card."""
    return {"session": live_sessions.upcoming(client.id)}


def _save(client: User, form: SessionForm, session: LiveSession | None) -> LiveSession | None:
    """Store the form; None (with the error on the form) when refused."""
    assert form.day.data is not None and form.at.data is not None
    starts = live_sessions.local_to_utc(form.day.data, form.at.data, current_user.timezone)
    try:
        saved = live_sessions.save(client, current_user, starts, form.notes.data or "", session)
    except live_sessions.SessionError as exc:
        form.notes.errors = [str(exc)]
        return None
    audit.record("change" if session else "create", actor_id=current_user.id,
                 client_id=client.id, target=f"live_session:{saved.id}",
                 ip=request.remote_addr or "")
    db.session.commit()
    return saved


@bp.route("/staff/clients/<int:client_id>/sessions/new", methods=["GET", "POST"])
@roles_required("therapist")
def new(client_id: int) -> Response | str:
    """Schedule a live session with a client."""
    client = client_or_404(client_id, target="sessions")
    form = SessionForm()
    if form.validate_on_submit() and _save(client, form, None) is not None:
        flash(_("Session saved."), "success")
        return redirect(url_for("staff.client_overview", client_id=client.id))
    return render_template("sessions/form.html", client=client, form=form, session=None)


@bp.route("/staff/sessions/<int:session_id>", methods=["GET", "POST"])
@roles_required("therapist")
def edit(session_id: int) -> Response | str:
    """Change a live session's time, or write its notes."""
    session = owned_or_404(db.session.get(LiveSession, session_id),
                           target=f"live_session:{session_id}")
    client = db.session.get(User, session.client_id)
    assert client is not None
    form = SessionForm(obj=None)
    if request.method == "GET":
        local = to_local(session.starts_at, current_user.timezone)
        form.day.data, form.at.data, form.notes.data = local.date(), local.time(), session.notes
    if form.validate_on_submit() and _save(client, form, session) is not None:
        flash(_("Session saved."), "success")
        return redirect(url_for("staff.client_overview", client_id=client.id))
    return render_template("sessions/form.html", client=client, form=form, session=session)


@bp.route("/staff/clients/<int:client_id>/brief")
@roles_required("therapist")
def session_brief(client_id: int) -> str:
    """What happened since the last live session, printable on one or two pages."""
    client = client_or_404(client_id, target="brief")
    flags.recompute_client(client.id)  # flags as of now, like the queue and the overview
    return render_template("sessions/brief.html", client=client, b=brief.build(client))
