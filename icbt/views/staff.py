"""Therapist pages: caseload, invitations, the client overview, and the staff help page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from icbt import audit, i18n
from icbt.accounts import language, users
from icbt.db import db
from icbt.forms import InviteForm, choices
from icbt.models.people import User
from icbt.review.rules import KIND_SEVERITY, KINDS, SEVERITY_NAMES, Thresholds
from icbt.timeutil import is_valid_zone
from icbt.views import STAFF_HELP_ROLES, staff_review
from icbt.views.access import client_or_404, roles_required

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/clients")
@roles_required("therapist")
def clients() -> str:
    """The therapist's caseload."""
    people = db.session.scalars(
        select(User).where(User.role == "client", User.therapist_id == current_user.id)
        .order_by(User.name)
    ).all()
    return render_template("staff/clients.html", people=people)


@bp.route("/invite", methods=["GET", "POST"])
@roles_required("therapist", "admin")
def invite() -> Response | str:
    """Invite a client by email; they set their own password from the link."""
    form = InviteForm()
    therapists = db.session.scalars(select(User).where(User.role == "therapist",
                                                       User.disabled.is_(False))).all()
    if current_user.role == "therapist":
        form.therapist.choices = choices([(current_user.id, current_user.display_name)])
        if request.method == "GET":
            form.therapist.data = current_user.id
    else:
        form.therapist.choices = choices([(t.id, t.display_name) for t in therapists])
    form.language.choices = language.choices()
    if request.method == "GET":
        form.language.data = i18n.default_language()
    if request.method == "GET" and not form.timezone.data:
        form.timezone.data = current_app.config["DEFAULT_TIMEZONE"]
    if form.validate_on_submit():
        tz = (form.timezone.data or "").strip()
        therapist = db.session.get(User, form.therapist.data)
        if tz and not is_valid_zone(tz):
            form.timezone.errors = [_("We do not know that time zone. Try a name like "
                                      "Europe/London.")]
        elif therapist is None or therapist.role != "therapist":
            form.therapist.errors = [_("Please choose a therapist.")]
        else:
            try:
                client = users.invite_client(form.email.data or "", name=form.name.data or "",
                                             therapist=therapist, invited_by=current_user,
                                             timezone=tz or None,
                                             language=form.language.data)
            except users.AccountError as exc:
                form.email.errors = [str(exc)]
            else:
                audit.record("create", actor_id=current_user.id, client_id=client.id,
                             target="invite", ip=request.remote_addr or "")
                db.session.commit()
                flash(_("Invitation sent to %(name)s.", name=client.display_name), "success")
                return redirect(url_for("staff.clients") if current_user.role == "therapist"
                                else url_for("admin.users"))
    return render_template("staff/invite.html", form=form)


@bp.route("/clients/<int:client_id>")
@roles_required("therapist")
def client_overview(client_id: int) -> str:
    """Everything about one client, for their therapist (audited)."""
    client = client_or_404(client_id, target="overview")
    return render_template("staff/overview.html", client=client,
                           **staff_review.overview_context(client))


@bp.route("/help")
@roles_required(*STAFF_HELP_ROLES)
def help() -> str:
    """For staff: what to do when a client is at risk, what the queue's flags mean."""
    return render_template("staff/help.html", kinds=KINDS, thresholds=Thresholds.from_config(
        current_app.config), severity={k: SEVERITY_NAMES[v] for k, v in KIND_SEVERITY.items()})


# REVIEW: the therapist's home page (the view lives in staff_review.py).
bp.add_url_rule("/queue", "queue", staff_review.queue)
