"""Account management for admins."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from icbt import audit
from icbt.accounts import users as accounts
from icbt.db import db
from icbt.forms import AssignForm, EmptyForm, UserForm, choices
from icbt.models.people import User
from icbt.views.access import roles_required
from icbt.views.audit_view import audit_page

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _therapist_choices() -> list[tuple[int, str]]:
    rows = db.session.scalars(select(User).where(User.role == "therapist").order_by(User.name))
    return choices([(t.id, t.display_name) for t in rows])


@bp.route("/audit", endpoint="audit", methods=["GET", "POST"])
@roles_required("admin")
def audit_log() -> Response | str:
    """Search the audit log (DATA-RIGHTS: icbt/views/audit_view.py)."""
    return audit_page()


@bp.route("/users")
@roles_required("admin")
def users() -> str:
    """List every account."""
    people = db.session.scalars(select(User).order_by(User.role, User.name)).all()
    return render_template("admin/users.html", people=people, form=EmptyForm())


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def new_user() -> Response | str:
    """Create a staff account (clients are invited)."""
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data or "", form.role.data or "",
                                        name=form.name.data or "", password=form.password.data)
        except accounts.AccountError as exc:
            form.email.errors = [str(exc)] if "email" in str(exc).lower() else []
            if not form.email.errors:
                form.password.errors = [str(exc)]
        else:
            audit.record("create", actor_id=current_user.id, target=f"user:{user.id}",
                         ip=request.remote_addr or "")
            db.session.commit()
            flash(_("Account created."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/new_user.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int) -> Response | str:
    """Assign a client's therapist, or disable and enable an account."""
    user = db.session.get(User, user_id)
    if user is None:
        return render_template("errors/error.html", code=404,
                               title=_("We could not find that page"), message=""), 404
    form = AssignForm()
    form.therapist.choices = _therapist_choices()
    if request.method == "GET" and user.therapist_id:
        form.therapist.data = user.therapist_id
    if form.validate_on_submit() and user.role == "client":
        therapist = db.session.get(User, form.therapist.data)
        if therapist is not None:
            try:
                accounts.assign_therapist(user, therapist)
            except accounts.AccountError as exc:
                form.therapist.errors = [str(exc)]
            else:
                audit.record("change", actor_id=current_user.id, client_id=user.id,
                             target="assign", ip=request.remote_addr or "")
                db.session.commit()
                flash(_("Therapist changed."), "success")
                return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/edit_user.html", user=user, form=form, toggle=EmptyForm())


@bp.route("/users/<int:user_id>/toggle", methods=["POST"])
@roles_required("admin")
def toggle_user(user_id: int) -> Response:
    """Disable or enable an account; disabling ends its sessions at once."""
    form = EmptyForm()
    user = db.session.get(User, user_id)
    if user is not None and form.validate_on_submit() and user.id != current_user.id:
        accounts.set_disabled(user, not user.disabled)
        audit.record("change", actor_id=current_user.id, target=f"user:{user.id}:disabled",
                     ip=request.remote_addr or "")
        db.session.commit()
        flash(_("Account disabled.") if user.disabled else _("Account enabled."), "success")
    return redirect(url_for("admin.users"))
