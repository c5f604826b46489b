"""A client's data rights: who opened their record, download everything, delete the account."""

from __future__ import annotations

import io
from datetime import datetime

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from icbt import audit
from icbt.accounts import consent
from icbt.db import db
from icbt.forms import EmptyForm
from icbt.privacy import audit_search, deletion, export
from icbt.timeutil import to_local
from icbt.views.access import roles_required
from icbt.views.data_forms import DeleteAccountForm
from icbt.views.security import reauth_required

bp = Blueprint("privacy", __name__, url_prefix="/my-data")

NOTICE_SEEN = "deletion_notice_seen"
# Pages a client with a pending deletion may open before seeing the notice.
NOTICE_EXEMPT = {"static", "main.favicon", "auth.logout", "main.help", "main.healthz",
                 "safety.help_now"}


def _me():  # type: ignore[no-untyped-def]
    return current_user._get_current_object()  # type: ignore[attr-defined]


@bp.before_app_request
def _deletion_notice() -> Response | None:
    """Once per sign-in, show a client whose deletion is pending how to cancel it."""
    endpoint = request.endpoint or ""
    if (request.method != "GET" or endpoint in NOTICE_EXEMPT or session.get(NOTICE_SEEN)
            or endpoint.startswith(("privacy.", "account.", "auth."))):
        return None
    if (not current_user.is_authenticated or current_user.role != "client"
            or current_user.deletion_due_at is None):
        return None
    session[NOTICE_SEEN] = True
    return redirect(url_for("privacy.deletion_notice"))


def _when(value: datetime | None) -> str:
    """Show a stored UTC time in the client's own time zone."""
    return f"{to_local(value, current_user.timezone):%d %B %Y, %H:%M}" if value else ""


@bp.route("/")
@roles_required("client")
def index() -> str:
    """Your data: who opened it, download it, delete your account."""
    return render_template("privacy/index.html", form=EmptyForm(), when=_when,
                           grace_days=current_app.config["DELETION_GRACE_DAYS"],
                           agreed=consent.latest(current_user.id))


@bp.route("/access-log")
@roles_required("client")
def access_log() -> str:
    """When staff opened or changed your record, and who."""
    page = request.args.get("page", 1, type=int) or 1
    result = audit_search.access_log(current_user.id, page=page)
    return render_template("privacy/access_log.html", result=result, when=_when)


@bp.route("/download", methods=["GET", "POST"])
@roles_required("client")
@reauth_required
def download() -> Response | str:
    """Download everything we hold about you as a zip (after entering your password)."""
    form = EmptyForm()
    if form.validate_on_submit():
        me = _me()
        data = export.build_zip(me)
        audit.record("export", actor_id=me.id, client_id=me.id, target="account",
                     ip=request.remote_addr or "")
        db.session.commit()
        return send_file(io.BytesIO(data), mimetype="application/zip",
                         as_attachment=True, download_name=export.filename())
    return render_template("privacy/download.html", form=form)


@bp.route("/delete", methods=["GET", "POST"])
@roles_required("client")
@reauth_required
def delete() -> Response | str:
    """Ask for your account to be deleted after a grace period (after your password)."""
    me = _me()
    if me.deletion_due_at is not None:
        return redirect(url_for("privacy.deletion_notice"))
    form = DeleteAccountForm()
    if form.validate_on_submit():
        deletion.request_deletion(me, ip=request.remote_addr or "")
        session[NOTICE_SEEN] = True
        return redirect(url_for("privacy.deletion_notice"))
    return render_template("privacy/delete.html", form=form,
                           grace_days=current_app.config["DELETION_GRACE_DAYS"])


@bp.route("/deletion")
@roles_required("client")
def deletion_notice() -> Response | str:
    """Your account is due to be deleted: when, and a button to keep it."""
    if current_user.deletion_due_at is None:
        return redirect(url_for("privacy.index"))
    return render_template("privacy/deletion_notice.html", form=EmptyForm(), when=_when)


@bp.route("/deletion/cancel", methods=["POST"])
@roles_required("client")
def cancel_deletion() -> Response:
    """Keep your account: cancel the pending deletion."""
    form = EmptyForm()
    if form.validate_on_submit():
        deletion.cancel_deletion(_me(), ip=request.remote_addr or "")
        flash(_("Your account will stay. Nothing has been deleted."), "success")
    return redirect(url_for("privacy.index"))
