"""Therapist actions on a case: acknowledge a flag, set the case status, log a contact."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from icbt import audit
from icbt.db import db
from icbt.models.flags import Flag
from icbt.review import casework, flags
from icbt.review.live_sessions import local_to_utc
from icbt.review.words import SEVERITY_LABELS, evidence_words, kind_label
from icbt.timeutil import local_today, to_local
from icbt.views.access import client_or_404, owned_or_404, roles_required
from icbt.views.review_forms import AcknowledgeForm, ContactForm, StatusForm

bp = Blueprint("casework", __name__, url_prefix="/staff")


@bp.app_template_global()
def flag_words(flag: Flag) -> list[str]:
    """A stored flag's evidence in words."""
    return evidence_words(flag.kind, flag.source, flag.evidence)


@bp.app_template_global()
def flag_kind_label(kind: str) -> str:
    """A flag kind as a therapist reads it."""
    return kind_label(kind)


@bp.app_template_global()
def flag_severity_label(severity: int) -> str:
    """urgent / high / medium / low."""
    return str(SEVERITY_LABELS.get(severity, severity))


@bp.app_template_filter("when_in")
def when_in(value: datetime | None, tz: str | None, fmt: str = "EEE d MMMM, HH:mm") -> str:
    """A stored UTC time shown in a time zone ("Tue 3 March, 14:00")."""
    if value is None:
        return ""
    return format_datetime(to_local(value, tz), fmt, rebase=False)


@bp.app_template_filter("day_in")
def day_in(value: datetime | date | None, tz: str | None, fmt: str = "d MMMM") -> str:
    """A stored UTC time (or a date) as a day in a time zone ("3 March")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value, tz).date()
    return format_date(value, fmt, rebase=False)


def _ip() -> str:
    return request.remote_addr or ""


@bp.route("/flags/<int:flag_id>/acknowledge", methods=["GET", "POST"])
@roles_required("therapist")
def acknowledge(flag_id: int) -> Response | str:
    """Acknowledge a flag with a note (and, for a rule flag, an optional snooze date)."""
    flag = owned_or_404(db.session.get(Flag, flag_id), target=f"flag:{flag_id}")
    client = client_or_404(flag.client_id, audit_view=False)
    form = AcknowledgeForm()
    if flag.kind == "risk":
        del form.snooze_until
    back = url_for("staff.client_overview", client_id=client.id)
    if flag.closed_at is not None:
        flash(_("This flag is already closed."), "warning")
        return redirect(back)
    if form.validate_on_submit():
        snooze = form.snooze_until.data if "snooze_until" in form else None
        try:
            flags.acknowledge(flag, current_user, form.note.data or "", snooze)
        except flags.ReviewError as exc:
            target = form.snooze_until if snooze is not None else form.note
            target.errors = [str(exc)]
        else:
            audit.record("change", actor_id=current_user.id, client_id=client.id,
                         target=f"flag:{flag.id}", ip=_ip(), detail="acknowledged")
            db.session.commit()
            flash(_("Flag acknowledged."), "success")
            return redirect(back)
    return render_template("casework/acknowledge.html", flag=flag, client=client, form=form)


@bp.route("/clients/<int:client_id>/status", methods=["POST"])
@roles_required("therapist")
def set_status(client_id: int) -> Response:
    """Set a client's case status (invited, active, paused, discharged)."""
    client = client_or_404(client_id, audit_view=False)
    form = StatusForm()
    back = url_for("staff.client_overview", client_id=client.id)
    if not form.validate_on_submit():
        flash(_("Please choose a status."), "error")
        return redirect(back)
    old = client.status
    try:
        casework.set_status(client, form.status.data or "")
    except casework.CaseError as exc:
        flash(str(exc), "error")
        return redirect(back)
    audit.record("change", actor_id=current_user.id, client_id=client.id, target="case_status",
                 ip=_ip(), detail=f"{old}->{client.status}")
    db.session.commit()
    flash(_("Case status is now: %(s)s.", s=casework.STATUS_LABELS[client.status]), "success")
    return redirect(back)


@bp.route("/clients/<int:client_id>/contacts/new", methods=["GET", "POST"])
@roles_required("therapist")
def log_contact(client_id: int) -> Response | str:
    """Log a call, message or session with the minutes it took."""
    client = client_or_404(client_id, target="contacts")
    back = url_for("staff.client_overview", client_id=client.id)
    if casework.is_read_only(client):
        flash(_("This record is read-only: the client was discharged."), "warning")
        return redirect(back)
    form = ContactForm()
    if form.validate_on_submit():
        at: Any = None
        day = form.day.data
        tz = current_user.timezone
        if day is not None:
            if day > local_today(tz):
                form.day.errors = [_("Please choose today or a day before.")]
                return render_template("casework/contact.html", client=client, form=form)
            at = local_to_utc(day, time(12), tz) if day != local_today(tz) else None
        try:
            casework.log_contact(client, current_user, form.kind.data or "",
                                 int(form.minutes.data or 0), at, form.note.data or "")
        except casework.CaseError as exc:
            form.minutes.errors = [str(exc)]
        else:
            audit.record("create", actor_id=current_user.id, client_id=client.id,
                         target="contact", ip=_ip())
            db.session.commit()
            flash(_("Contact logged."), "success")
            return redirect(back)
    return render_template("casework/contact.html", client=client, form=form)
